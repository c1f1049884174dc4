//! [`use_api`]: the loading state of a request a page shows (loading,
//! loaded, failed with "Try again", signed out), fetched again when what it
//! depends on changes.

use std::future::Future;
use std::rc::Rc;

use yew::prelude::*;

use crate::api::{Api, ApiResult};
use crate::components::{Load, LoadView};
use crate::session::{use_session, SessionAction};

/// The state of [`use_api`], with the edits a page may make to what it
/// loaded (a row paused, a message handled, a pack saved).
pub struct Cell<T> {
    load: Load<T>,
}

pub enum CellAction<T> {
    Set(Load<T>),
    /// An error from a quiet refresh: shown only when nothing is loaded.
    FailedQuietly(crate::api::ApiError),
    Update(Box<dyn FnOnce(&mut T)>),
}

impl<T: Clone + 'static> Reducible for Cell<T> {
    type Action = CellAction<T>;

    fn reduce(self: Rc<Self>, action: CellAction<T>) -> Rc<Self> {
        let load = match action {
            CellAction::Set(load) => load,
            CellAction::FailedQuietly(_) if matches!(self.load, Load::Loaded(_)) => return self,
            CellAction::FailedQuietly(e) => Load::Failed(e),
            CellAction::Update(apply) => {
                let Load::Loaded(value) = &self.load else {
                    return self;
                };
                let mut value = value.clone();
                apply(&mut value);
                Load::Loaded(value)
            }
        };
        Rc::new(Cell { load })
    }
}

/// A request's answer as a page shows it ([`use_api`]).
pub struct UseApi<T: Clone + 'static> {
    cell: UseReducerHandle<Cell<T>>,
    /// A request is under way (also while older content stays on screen).
    pub updating: bool,
    again: Callback<bool>,
}

impl<T: Clone + 'static> Clone for UseApi<T> {
    fn clone(&self) -> Self {
        UseApi {
            cell: self.cell.clone(),
            updating: self.updating,
            again: self.again.clone(),
        }
    }
}

impl<T: Clone + 'static> UseApi<T> {
    pub fn load(&self) -> &Load<T> {
        &self.cell.load
    }

    pub fn loaded(&self) -> Option<&T> {
        self.cell.load.loaded()
    }

    /// Shows `value` as loaded (e.g. the agent a save returned).
    pub fn set(&self, value: T) {
        self.cell.dispatch(CellAction::Set(Load::Loaded(value)));
    }

    /// [`Self::set`] as a callback.
    pub fn setter(&self) -> Callback<T> {
        let cell = self.cell.clone();
        Callback::from(move |value: T| cell.dispatch(CellAction::Set(Load::Loaded(value))))
    }

    /// Edits what is loaded (nothing when nothing is).
    pub fn update(&self, apply: impl FnOnce(&mut T) + 'static) {
        self.cell.dispatch(CellAction::Update(Box::new(apply)));
    }

    /// Asks again, showing the spinner meanwhile ("Try again").
    pub fn retry(&self) -> Callback<MouseEvent> {
        let again = self.again.clone();
        Callback::from(move |_: MouseEvent| again.emit(false))
    }

    /// Asks again, keeping what is shown until the answer arrives (and when
    /// the answer is an error).
    pub fn refresh(&self) {
        self.again.emit(true);
    }

    /// The spinner (`label`), the error with "Try again", nothing when
    /// signed out, or `content` of what was loaded.
    pub fn view(&self, label: &'static str, content: impl FnOnce(&T) -> Html) -> Html {
        html! {
            <LoadView status={self.load().status()} {label} retry={self.retry()}>
                { for self.loaded().map(content) }
            </LoadView>
        }
    }
}

/// Fetches `fetch(api, deps)` whenever `deps` changes (`None`: not now, e.g.
/// not signed in yet) and on "Try again"; the spinner shows during every
/// request. An answer to an older request is dropped; a 401 signs the
/// session out (the page's sign-in gate then goes to /login).
#[hook]
pub fn use_api<D, T, F, Fut>(deps: Option<D>, fetch: F) -> UseApi<T>
where
    D: PartialEq + Clone + 'static,
    T: Clone + 'static,
    F: FnOnce(Api, D) -> Fut + 'static,
    Fut: Future<Output = ApiResult<T>> + 'static,
{
    use_api_keeping(deps, false, fetch)
}

/// [`use_api`]; with `keep`, what is loaded stays on screen (with
/// [`UseApi::updating`] set) until the next answer arrives.
#[hook]
pub fn use_api_keeping<D, T, F, Fut>(deps: Option<D>, keep: bool, fetch: F) -> UseApi<T>
where
    D: PartialEq + Clone + 'static,
    T: Clone + 'static,
    F: FnOnce(Api, D) -> Fut + 'static,
    Fut: Future<Output = ApiResult<T>> + 'static,
{
    let session = use_session();
    let cell = use_reducer(|| Cell {
        load: Load::Loading,
    });
    let updating = use_state(|| false);
    let seq = use_mut_ref(|| 0_u32);
    // Bumped by "Try again" / refresh; `quiet` says which of the two.
    let again = use_state(|| 0_u32);
    let quiet = use_mut_ref(|| false);

    {
        let (cell, updating, session, quiet) = (
            cell.clone(),
            updating.clone(),
            session.clone(),
            quiet.clone(),
        );
        use_effect_with((deps, *again), move |(deps, _)| {
            let quiet = std::mem::take(&mut *quiet.borrow_mut());
            let Some(deps) = deps.clone() else {
                return;
            };
            let this = {
                let mut s = seq.borrow_mut();
                *s += 1;
                *s
            };
            let loaded = matches!(cell.load, Load::Loaded(_));
            if !((keep || quiet) && loaded) {
                cell.dispatch(CellAction::Set(Load::Loading));
            }
            updating.set(true);
            let request = fetch(session.api(), deps);
            yew::platform::spawn_local(async move {
                let result = request.await;
                if *seq.borrow() != this {
                    return; // a newer request is under way
                }
                updating.set(false);
                match result {
                    Ok(value) => cell.dispatch(CellAction::Set(Load::Loaded(value))),
                    Err(e) if e.is_unauthenticated() => {
                        cell.dispatch(CellAction::Set(Load::SignedOut));
                        session.dispatch(SessionAction::SignedOut);
                    }
                    Err(e) if quiet => cell.dispatch(CellAction::FailedQuietly(e)),
                    Err(e) => cell.dispatch(CellAction::Set(Load::Failed(e))),
                }
            });
        });
    }

    let again = {
        let again = again.clone();
        Callback::from(move |is_quiet: bool| {
            *quiet.borrow_mut() = is_quiet;
            again.set(*again + 1);
        })
    };
    UseApi {
        cell,
        updating: *updating,
        again,
    }
}
