//! App-wide session state: who is signed in (from `GET /api/me`, login,
//! signup or a password change) and the CSRF token that goes with it.

use std::rc::Rc;

use shared::api::{Me, Role};
use yew::prelude::*;

use crate::api::{Api, ApiError};

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// `GET /api/me` is in flight.
    Loading,
    SignedOut,
    SignedIn(Rc<Me>),
    /// `GET /api/me` failed for another reason than 401 (server down,
    /// network gone); pages that need a session offer to retry.
    Unavailable(ApiError),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub status: Status,
    /// Bumped by every sign-in and sign-out: a `GET /api/me` started before
    /// either must not overwrite what it did.
    epoch: u32,
    /// Bumped to (re)load `GET /api/me`.
    reload: u32,
    /// A message for the whole app (e.g. sign-out failed).
    pub notice: Option<String>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            status: Status::Loading,
            epoch: 0,
            reload: 0,
            notice: None,
        }
    }
}

pub enum SessionAction {
    SignedIn(Me),
    SignedOut,
    /// Fetch `GET /api/me` again (after verifying the email, or to retry).
    Reload,
    Loaded {
        epoch: u32,
        result: Result<Me, ApiError>,
    },
    Notice(Option<String>),
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            SessionAction::SignedIn(me) => {
                next.status = Status::SignedIn(Rc::new(me));
                next.epoch += 1;
                next.notice = None;
            }
            SessionAction::SignedOut => {
                next.status = Status::SignedOut;
                next.epoch += 1;
            }
            SessionAction::Reload => {
                next.reload += 1;
                if matches!(next.status, Status::Unavailable(_)) {
                    next.status = Status::Loading;
                }
            }
            SessionAction::Loaded { epoch, result } => {
                if epoch != self.epoch {
                    return self;
                }
                next.status = match result {
                    Ok(me) => Status::SignedIn(Rc::new(me)),
                    Err(e) if e.status == 401 => Status::SignedOut,
                    Err(e) => match &self.status {
                        // A failed refresh keeps what we knew.
                        Status::SignedIn(_) => return self,
                        _ => Status::Unavailable(e),
                    },
                };
            }
            SessionAction::Notice(notice) => next.notice = notice,
        }
        Rc::new(next)
    }
}

impl Session {
    pub fn me(&self) -> Option<&Rc<Me>> {
        match &self.status {
            Status::SignedIn(me) => Some(me),
            _ => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.me().is_some_and(|me| me.user.role == Role::Admin)
    }

    /// The API client for this session: carries its CSRF token.
    pub fn api(&self) -> Api {
        Api::new(self.me().map(|me| me.csrf_token.clone()))
    }
}

pub type SessionHandle = UseReducerHandle<Session>;

#[hook]
pub fn use_session() -> SessionHandle {
    use_context::<SessionHandle>().expect("SessionProvider is missing")
}

#[derive(Properties, PartialEq)]
pub struct ProviderProps {
    pub children: Html,
}

/// Loads `GET /api/me` at start (and on [`SessionAction::Reload`]) and
/// provides the session to every page.
#[function_component(SessionProvider)]
pub fn session_provider(props: &ProviderProps) -> Html {
    let session = use_reducer(Session::default);
    {
        let handle = session.clone();
        use_effect_with(session.reload, move |_| {
            let epoch = handle.epoch;
            let api = handle.api();
            yew::platform::spawn_local(async move {
                let result = api.me().await;
                handle.dispatch(SessionAction::Loaded { epoch, result });
            });
        });
    }
    html! {
        <ContextProvider<SessionHandle> context={session}>
            { props.children.clone() }
        </ContextProvider<SessionHandle>>
    }
}
