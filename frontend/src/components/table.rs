//! Tables of rows (phone-width friendly through `data-label`), searchable
//! lists and rows that open a detail page.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::format::count_of;
use crate::hooks::ListSearch;
use crate::Route;

#[derive(Properties, PartialEq)]
pub struct TableProps {
    /// The column headings. `#Credits`: right-aligned figures (`class="num"`);
    /// `_Open`: named for screen readers only (a column of buttons).
    pub columns: &'static [&'static str],
    /// `data-testid` of the `<table>`.
    pub testid: AttrValue,
    /// Another class besides `table` (`table-edit`).
    #[prop_or_default]
    pub class: Option<AttrValue>,
    /// The rows (`<tr>`s).
    #[prop_or_default]
    pub children: Html,
}

/// `<div class="table-wrap"><table class="table">` with its headings; the
/// children are the body's rows.
#[function_component(Table)]
pub fn table(props: &TableProps) -> Html {
    let heading = |col: &&str| {
        if let Some(label) = col.strip_prefix('#') {
            html! { <th scope="col" class="num">{ label }</th> }
        } else if let Some(label) = col.strip_prefix('_') {
            html! { <th scope="col"><span class="visually-hidden">{ label }</span></th> }
        } else {
            html! { <th scope="col">{ *col }</th> }
        }
    };
    html! {
        <div class="table-wrap">
            <table class={classes!("table", props.class.clone())} data-testid={props.testid.clone()}>
                <thead>
                    <tr>{ for props.columns.iter().map(heading) }</tr>
                </thead>
                <tbody>{ props.children.clone() }</tbody>
            </table>
        </div>
    }
}

/// A row that opens `route` when clicked: (the row's `onclick`, the
/// `onclick` of the link inside it). The link is for keyboards and "open in
/// new tab"; a plain click bubbles to the row, which navigates in the app.
pub fn row_link(
    navigator: &Option<Navigator>,
    route: Route,
) -> (Callback<MouseEvent>, Callback<MouseEvent>) {
    let navigator = navigator.clone();
    let open = Callback::from(move |_: MouseEvent| {
        if let Some(nav) = &navigator {
            nav.push(&route);
        }
    });
    let link_click = Callback::from(|e: MouseEvent| {
        if !(e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0) {
            e.prevent_default();
        } else {
            e.stop_propagation();
        }
    });
    (open, link_click)
}

#[derive(Properties, PartialEq)]
pub struct SearchFormProps {
    /// The search box's hidden label ("Search users").
    pub label: AttrValue,
    pub placeholder: AttrValue,
    /// `data-testid` of the search box.
    pub testid: AttrValue,
    pub text: AttrValue,
    pub oninput: Callback<InputEvent>,
    pub onsubmit: Callback<SubmitEvent>,
}

/// The search box of a list whose search lives in the URL (`#q`).
#[function_component(SearchForm)]
pub fn search_form(props: &SearchFormProps) -> Html {
    html! {
        <form class="search" role="search" onsubmit={props.onsubmit.clone()}>
            <label for="q" class="visually-hidden">{ props.label.clone() }</label>
            <input id="q" name="q" type="search" placeholder={props.placeholder.clone()}
                value={props.text.clone()} oninput={props.oninput.clone()} data-testid={props.testid.clone()} />
            <button type="submit" class="btn btn-primary">{ "Search" }</button>
        </form>
    }
}

/// The search form of `search` ([`SearchForm`] with its text and events).
pub fn search_form_of(
    search: &ListSearch,
    label: &'static str,
    placeholder: &'static str,
    testid: &'static str,
) -> Html {
    html! {
        <SearchForm {label} {placeholder} {testid} text={search.text.clone()}
            oninput={search.oninput.clone()} onsubmit={search.onsubmit.clone()} />
    }
}

/// "3 users matching “bakery”" (`data-testid={testid}`).
pub fn list_total(testid: &'static str, total: i64, word: &str, q: &str) -> Html {
    html! {
        <p class="muted" data-testid={testid}>
            { count_of(total, word) }
            if !q.is_empty() { { format!(" matching “{q}”") } }
        </p>
    }
}
