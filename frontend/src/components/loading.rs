//! The loading state of a request and how a page shows it: a spinner, the
//! error with "Try again", nothing once signed out (the sign-in gate takes
//! over), or the content.

use yew::prelude::*;

use crate::api::ApiError;
use crate::components::alerts::failure_with_retry;

#[derive(Properties, PartialEq)]
pub struct LoadingProps {
    #[prop_or(AttrValue::Static("Loading…"))]
    pub label: AttrValue,
}

#[function_component(Loading)]
pub fn loading(props: &LoadingProps) -> Html {
    html! {
        <div class="loading" role="status" aria-live="polite" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            <span>{ props.label.clone() }</span>
        </div>
    }
}

/// Something fetched for a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Loaded(T),
    Failed(ApiError),
    /// The request was answered 401: the session is gone.
    SignedOut,
}

impl<T> Load<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Load::Loaded(value) => Some(value),
            _ => None,
        }
    }

    /// What [`LoadView`] needs to know, without the value.
    pub fn status(&self) -> LoadStatus {
        match self {
            Load::Loading => LoadStatus::Loading,
            Load::Loaded(_) => LoadStatus::Loaded,
            Load::Failed(e) => LoadStatus::Failed(e.clone()),
            Load::SignedOut => LoadStatus::SignedOut,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LoadStatus {
    Loading,
    Loaded,
    Failed(ApiError),
    SignedOut,
}

#[derive(Properties, PartialEq)]
pub struct LoadViewProps {
    pub status: LoadStatus,
    /// What the spinner says ("Loading your agents…").
    pub label: AttrValue,
    /// Asks again (the "Try again" button under an error).
    pub retry: Callback<MouseEvent>,
    /// The content, shown once loaded.
    #[prop_or_default]
    pub children: Html,
}

/// Renders a request's [`LoadStatus`]: the spinner, the error with "Try
/// again", nothing when signed out, or the children.
#[function_component(LoadView)]
pub fn load_view(props: &LoadViewProps) -> Html {
    match &props.status {
        LoadStatus::Loading => html! { <Loading label={props.label.clone()} /> },
        LoadStatus::Failed(e) => failure_with_retry(e, props.retry.clone()),
        LoadStatus::SignedOut => html! {},
        LoadStatus::Loaded => props.children.clone(),
    }
}
