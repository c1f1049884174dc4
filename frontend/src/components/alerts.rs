//! Messages on a page: an error in a red box, "not allowed", a request that
//! failed (with "Try again").

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::ApiError;
use crate::components::layout::Card;
use crate::Route;

#[derive(Properties, PartialEq)]
pub struct ErrorAlertProps {
    pub message: AttrValue,
}

/// A red box with one message (`data-testid="form-error"`).
#[function_component(ErrorAlert)]
pub fn error_alert(props: &ErrorAlertProps) -> Html {
    html! {
        <div class="alert alert-error" role="alert" data-testid="form-error">
            <p>{ props.message.clone() }</p>
        </div>
    }
}

/// A page that has nothing to show: what happened, and the way home.
pub fn dead_end(title: &'static str, testid: &'static str, text: &'static str) -> Html {
    html! {
        <Card {title} narrow=true {testid}>
            <p>{ text }</p>
            <div class="actions">
                <Link<Route> to={Route::Home} classes="btn btn-primary">{ "Go to your dashboard" }</Link<Route>>
            </div>
        </Card>
    }
}

/// For a signed-in user who is not an admin on an admin page.
pub fn not_allowed() -> Html {
    dead_end(
        "Not allowed",
        "forbidden",
        "This page is only for Kametrix administrators. If you think you should have access, contact your administrator.",
    )
}

/// Shows an API failure (401 is handled where the request is made).
pub fn failure(e: &ApiError) -> Html {
    if e.is_forbidden() {
        return not_allowed();
    }
    html! { <ErrorAlert message={e.message.clone()} /> }
}

/// A failure with a "Try again" button under it (none when forbidden: trying
/// again would not help).
pub fn failure_with_retry(e: &ApiError, retry: Callback<MouseEvent>) -> Html {
    if e.is_forbidden() {
        return not_allowed();
    }
    html! {
        <>
            { failure(e) }
            <div class="actions">
                <button type="button" class="btn btn-secondary" onclick={retry}>{ "Try again" }</button>
            </div>
        </>
    }
}
