//! Hooks shared by the pages: the sign-in gate, loading a request's answer,
//! running an action (save, delete, …) and a list's search in the URL.

mod use_action;
mod use_api;
mod use_list_query;
mod use_signed_in;

pub use use_action::{use_action, use_row_actions, Action};
pub use use_api::{use_api, use_api_keeping, UseApi};
pub use use_list_query::{use_list_query, ListSearch};
pub use use_signed_in::use_signed_in;
