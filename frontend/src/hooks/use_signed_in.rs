//! The sign-in gate of pages that need a session.

use std::rc::Rc;

use shared::api::Me;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{Card, ErrorAlert, Loading};
use crate::session::{use_session, SessionAction, Status};
use crate::Route;

/// For pages that need a session: `Ok(me)` when signed in, otherwise what to
/// show instead (loading, a redirect to /login, or a friendly error).
pub fn require_signed_in(status: &Status, retry: Callback<MouseEvent>) -> Result<Rc<Me>, Html> {
    match status {
        Status::SignedIn(me) => Ok(me.clone()),
        Status::Loading => Err(html! { <Loading label="Loading your account…" /> }),
        Status::SignedOut => Err(html! { <Redirect<Route> to={Route::Login} /> }),
        Status::Unavailable(err) => Err(html! {
            <Card title="We can't load your account right now" narrow=true testid="unavailable">
                <ErrorAlert message={err.message.clone()} />
                <div class="actions">
                    <button type="button" class="btn btn-primary" onclick={retry}>{ "Try again" }</button>
                    <Link<Route> to={Route::Login} classes="btn btn-secondary">{ "Go to log in" }</Link<Route>>
                </div>
            </Card>
        }),
    }
}

/// `require_signed_in` with the session's own retry.
#[hook]
pub fn use_signed_in() -> Result<Rc<Me>, Html> {
    let session = use_session();
    let retry = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::Reload))
    };
    require_signed_in(&session.status, retry)
}
