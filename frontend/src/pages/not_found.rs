//! Any address that is not a page.

use yew::prelude::*;

use crate::components::dead_end;

#[function_component(NotFoundPage)]
pub fn not_found_page() -> Html {
    dead_end(
        "Page not found",
        "not-found",
        "We couldn't find the page you were looking for. The link may be old or mistyped.",
    )
}
