//! A page about one thing (a user, a call, an agent) while it loads: the
//! spinner, "not found" or the error in a card with the way back.

use yew::prelude::*;

use crate::components::alerts::failure_with_retry;
use crate::components::layout::Card;
use crate::components::loading::{Load, Loading};
use crate::hooks::UseApi;

/// What a detail page says while it cannot show its thing.
pub struct DetailTexts {
    pub loading: &'static str,
    /// The card's title when the request failed ("User").
    pub title: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub not_found_testid: &'static str,
}

/// `Ok` with the thing once loaded; otherwise what to show instead.
pub fn detail_view<'a, T: Clone + 'static>(
    load: &'a UseApi<T>,
    texts: &DetailTexts,
    back: &Html,
) -> Result<&'a T, Html> {
    match load.load() {
        Load::Loaded(value) => Ok(value),
        Load::Loading => Err(html! { <Loading label={texts.loading} /> }),
        Load::SignedOut => Err(html! {}),
        Load::Failed(e) if e.is_not_found() => Err(html! {
            <Card title={texts.not_found_title} narrow=true testid={texts.not_found_testid}>
                <p>{ texts.not_found_text }</p>
                { back.clone() }
            </Card>
        }),
        Load::Failed(e) => Err(html! {
            <Card title={texts.title} narrow=true>
                { failure_with_retry(e, load.retry()) }
                { back.clone() }
            </Card>
        }),
    }
}
