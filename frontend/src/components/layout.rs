//! Layout pieces: a page's card and the pager under a list.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CardProps {
    pub title: AttrValue,
    #[prop_or_default]
    pub subtitle: Option<AttrValue>,
    #[prop_or_default]
    pub narrow: bool,
    /// For tables (`card-wide`).
    #[prop_or_default]
    pub wide: bool,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub children: Html,
}

/// A page's main card with its heading.
#[function_component(Card)]
pub fn card(props: &CardProps) -> Html {
    html! {
        <section class={classes!("card", props.narrow.then_some("card-narrow"), props.wide.then_some("card-wide"))}
            data-testid={props.testid.clone()}>
            <h1 class="card-title">{ props.title.clone() }</h1>
            if let Some(sub) = &props.subtitle {
                <p class="card-subtitle">{ sub.clone() }</p>
            }
            { props.children.clone() }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct PagerProps {
    pub page: i64,
    pub total: i64,
    pub per_page: i64,
    pub onchange: Callback<i64>,
}

/// "← Previous · Page x of y · Next →" (`prev-page`, `page-info`, `next-page`).
#[function_component(Pager)]
pub fn pager(props: &PagerProps) -> Html {
    let per_page = props.per_page.max(1);
    let total_pages = ((props.total + per_page - 1) / per_page).max(1);
    let current = props.page.max(1);
    let go = |to: i64| {
        let onchange = props.onchange.clone();
        Callback::from(move |_: MouseEvent| onchange.emit(to))
    };
    html! {
        <nav class="pager" aria-label="Pages">
            <button type="button" class="btn btn-secondary" data-testid="prev-page"
                onclick={go(current - 1)} disabled={current <= 1}>{ "← Previous" }</button>
            <span data-testid="page-info">{ format!("Page {current} of {total_pages}") }</span>
            <button type="button" class="btn btn-secondary" data-testid="next-page"
                onclick={go(current + 1)} disabled={current >= total_pages}>{ "Next →" }</button>
        </nav>
    }
}

/// "← All calls": the way back from a detail page to its list.
pub fn back_link(to: crate::Route, label: &'static str) -> Html {
    html! {
        <div class="actions">
            <yew_router::prelude::Link<crate::Route> {to} classes="btn btn-secondary">{ label }</yew_router::prelude::Link<crate::Route>>
        </div>
    }
}
