//! The search and page of a list, kept in the URL (`?q=…&page=…`).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use serde::{Deserialize, Serialize};
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::Route;

const SEARCH_DEBOUNCE_MS: u32 = 350;

/// A searchable list's state lives in the URL: `?q=…&page=…`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
}

/// A searchable list's search and page (from [`use_list_query`]).
pub struct ListSearch {
    /// The search in the URL, trimmed.
    pub q: String,
    /// The page in the URL (1 or more).
    pub page: i64,
    /// What the search box shows.
    pub text: String,
    /// The search box's `oninput`: searches once typing pauses.
    pub oninput: Callback<InputEvent>,
    /// The search form's `onsubmit`: searches now.
    pub onsubmit: Callback<SubmitEvent>,
    /// Goes to a page of the current search (a [`Pager`]'s `onchange`).
    pub onpage: Callback<i64>,
}

/// The search and page of the list at `route` (`/admin/users`,
/// `/admin/agents`), kept in the URL; a new search starts at page 1.
#[hook]
pub fn use_list_query(route: Route) -> ListSearch {
    let navigator = use_navigator();
    let location = use_location();
    let query = location
        .and_then(|l| l.query::<ListQuery>().ok())
        .unwrap_or_default();
    let q = query.q.clone().unwrap_or_default().trim().to_string();
    let page = query.page.unwrap_or(1).max(1);

    let search = use_state(|| q.clone());
    // The `q` this page last put in the URL: a different one came from
    // elsewhere (back button, a link) and replaces what is in the box.
    let pushed_q = use_mut_ref(|| q.clone());
    let debounce: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);

    {
        let search = search.clone();
        let pushed_q = pushed_q.clone();
        use_effect_with(q.clone(), move |q| {
            if *pushed_q.borrow() != *q {
                *pushed_q.borrow_mut() = q.clone();
                search.set(q.clone());
            }
        });
    }

    let go = Rc::new(move |q: String, page: i64| {
        let q = q.trim().to_string();
        *pushed_q.borrow_mut() = q.clone();
        let query = ListQuery {
            q: (!q.is_empty()).then_some(q),
            page: (page > 1).then_some(page),
        };
        if let Some(nav) = &navigator {
            let _ = nav.push_with_query(&route, &query);
        }
    });

    let oninput = {
        let (search, debounce, go) = (search.clone(), debounce.clone(), go.clone());
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            search.set(value.clone());
            let go = go.clone();
            let timeout = Timeout::new(SEARCH_DEBOUNCE_MS, move || go(value, 1));
            // Dropping the previous timeout cancels it.
            *debounce.borrow_mut() = Some(timeout);
        })
    };
    let onsubmit = {
        let (search, go) = (search.clone(), go.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            debounce.borrow_mut().take();
            go((*search).clone(), 1);
        })
    };
    let onpage = {
        let q = q.clone();
        Callback::from(move |to: i64| go(q.clone(), to.max(1)))
    };

    ListSearch {
        q,
        page,
        text: (*search).clone(),
        oninput,
        onsubmit,
        onpage,
    }
}
