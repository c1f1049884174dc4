//! [`use_action`]: a request a person starts (save, create, delete, pause…):
//! busy while it runs, its error to show, and a 401 that signs out.
//! [`use_row_actions`]: the same for a button on each row of a list.

use std::future::Future;

use uuid::Uuid;
use yew::prelude::*;

use crate::api::{Api, ApiError, ApiResult};
use crate::session::{use_session, SessionAction, SessionHandle};

/// What [`use_action`] gives: run a request, is it busy, its error.
#[derive(Clone, PartialEq)]
pub struct Action {
    busy: UseStateHandle<bool>,
    error: UseStateHandle<Option<ApiError>>,
    /// What a success says ("Your password has been changed.").
    done: UseStateHandle<Option<String>>,
    session: SessionHandle,
    /// Stay busy after a success (the page goes elsewhere next).
    leaving: bool,
    /// A 401 is an error to show, not a lost session (log in, sign up).
    public: bool,
}

impl Action {
    pub fn busy(&self) -> bool {
        *self.busy
    }

    /// The error to show (the request's, or one set with [`Self::fail`]).
    pub fn error(&self) -> Option<ApiError> {
        (*self.error).clone()
    }

    /// Shows a problem found before sending anything.
    pub fn fail(&self, error: ApiError) {
        self.error.set(Some(error));
    }

    pub fn clear(&self) {
        self.error.set(None);
    }

    /// The message of the last success, if one is to be shown.
    pub fn done(&self) -> Option<String> {
        (*self.done).clone()
    }

    pub fn set_done(&self, message: impl Into<Option<String>>) {
        self.done.set(message.into());
    }

    /// Stays busy after a success: the page moves on.
    pub fn leaving(mut self) -> Self {
        self.leaving = true;
        self
    }

    /// For pages without a session: every error is shown.
    pub fn public(mut self) -> Self {
        self.public = true;
        self
    }

    /// Runs `request` unless one is under way; `done` gets the answer. (To
    /// show an error at an input of another name, map it in `request`.)
    pub fn run<T, Fut>(&self, request: impl FnOnce(Api) -> Fut, done: impl FnOnce(T) + 'static)
    where
        T: 'static,
        Fut: Future<Output = ApiResult<T>> + 'static,
    {
        self.run_then(request, move |result| match result {
            Ok(value) => {
                done(value);
                None
            }
            Err(e) => Some(e),
        });
    }

    /// Runs `request` unless one is under way; `settle` gets the answer (a
    /// 401 aside) and returns the error to show, if any.
    pub fn run_then<T, Fut>(
        &self,
        request: impl FnOnce(Api) -> Fut,
        settle: impl FnOnce(ApiResult<T>) -> Option<ApiError> + 'static,
    ) where
        T: 'static,
        Fut: Future<Output = ApiResult<T>> + 'static,
    {
        if *self.busy {
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        let (busy, error, leaving) = (self.busy.clone(), self.error.clone(), self.leaving);
        send(
            &self.session,
            !self.public,
            request(self.session.api()),
            move |ok| {
                if !ok || !leaving {
                    busy.set(false);
                }
            },
            move |result| {
                if let Some(e) = settle(result) {
                    error.set(Some(e));
                }
            },
        );
    }
}

/// Awaits `pending`; `settled` hears whether it succeeded, then a 401 signs
/// the session out (when `signs_out`) or `settle` gets the answer.
fn send<T: 'static>(
    session: &SessionHandle,
    signs_out: bool,
    pending: impl Future<Output = ApiResult<T>> + 'static,
    settled: impl FnOnce(bool) + 'static,
    settle: impl FnOnce(ApiResult<T>) + 'static,
) {
    let session = session.clone();
    yew::platform::spawn_local(async move {
        let result = pending.await;
        settled(result.is_ok());
        match result {
            Err(e) if signs_out && e.is_unauthenticated() => {
                session.dispatch(SessionAction::SignedOut)
            }
            result => settle(result),
        }
    });
}

#[hook]
pub fn use_action() -> Action {
    Action {
        busy: use_state(|| false),
        error: use_state(|| None::<ApiError>),
        done: use_state(|| None::<String>),
        session: use_session(),
        leaving: false,
        public: false,
    }
}

/// What [`use_row_actions`] gives: the rows whose request is under way and
/// the error of the last one that failed.
#[derive(Clone, PartialEq)]
pub struct RowActions {
    busy: UseStateHandle<Vec<Uuid>>,
    error: UseStateHandle<Option<(Uuid, String)>>,
    session: SessionHandle,
}

impl RowActions {
    pub fn is_busy(&self, id: impl Into<Uuid>) -> bool {
        self.busy.contains(&id.into())
    }

    /// The error to show on row `id`.
    pub fn error(&self, id: impl Into<Uuid>) -> Option<String> {
        let id = id.into();
        self.error
            .as_ref()
            .filter(|(row, _)| *row == id)
            .map(|(_, message)| message.clone())
    }

    /// Runs `request` for row `id` unless one is under way for it.
    pub fn run<T, Fut>(
        &self,
        id: impl Into<Uuid>,
        request: impl FnOnce(Api) -> Fut,
        done: impl FnOnce(T) + 'static,
    ) where
        T: 'static,
        Fut: Future<Output = ApiResult<T>> + 'static,
    {
        let id = id.into();
        if self.busy.contains(&id) {
            return;
        }
        let mut now = (*self.busy).clone();
        now.push(id);
        self.busy.set(now);
        self.error.set(None);
        let (busy, error) = (self.busy.clone(), self.error.clone());
        send(
            &self.session,
            true,
            request(self.session.api()),
            move |_| {
                let mut now = (*busy).clone();
                now.retain(|b| *b != id);
                busy.set(now);
            },
            move |result| match result {
                Ok(value) => done(value),
                Err(e) => error.set(Some((id, e.message))),
            },
        );
    }
}

#[hook]
pub fn use_row_actions() -> RowActions {
    RowActions {
        busy: use_state(Vec::<Uuid>::new),
        error: use_state(|| None::<(Uuid, String)>),
        session: use_session(),
    }
}

impl Action {
    /// A form's `onsubmit`: unless busy, clears the last success message,
    /// reads the form with `read` (which may find problems to show at the
    /// inputs), then sends it with `send`.
    pub fn on_submit<R, T, Fut>(
        &self,
        read: impl Fn(&crate::components::FormValues) -> Result<R, ApiError> + 'static,
        send: impl Fn(Api, R) -> Fut + Clone + 'static,
        done: impl Fn(T) + Clone + 'static,
    ) -> Callback<SubmitEvent>
    where
        R: 'static,
        T: 'static,
        Fut: Future<Output = ApiResult<T>> + 'static,
    {
        let action = self.clone();
        Callback::from(move |e: SubmitEvent| {
            let values = crate::components::FormValues::from_submit(&e);
            if action.busy() {
                return;
            }
            action.set_done(None);
            let request = match read(&values) {
                Ok(request) => request,
                Err(problems) => return action.fail(problems),
            };
            let (send, done) = (send.clone(), done.clone());
            action.run(move |api| send(api, request), done);
        })
    }
}
