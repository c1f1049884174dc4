//! Building blocks shared by the pages, one file per family: the top bar,
//! layout (card, pager), loading states, messages, form widgets, tables and
//! searchable lists, status badges, the ledger, and formatting and browser
//! helpers. Everything is re-exported here: `crate::components::Card`.

mod alerts;
mod detail;
mod dom;
mod form;
mod format;
mod layout;
mod ledger;
mod loading;
mod status;
mod table;
mod top_bar;

pub use alerts::{dead_end, failure, failure_with_retry, not_allowed, ErrorAlert};
pub use detail::{detail_view, DetailTexts};
pub use dom::{focus_by_id, reset_form, sleep, value_of};
pub use form::{
    field_error, invalid_fields, rename_field, Field, FormError, FormValues, SubmitButton, Success,
};
pub use format::{
    count_of, fmt_clock, fmt_date, fmt_local, fmt_time, role_label, truncate, yes_no,
};
pub use layout::{back_link, Card, Pager};
pub use ledger::{Ledger, LedgerSource};
pub use loading::{Load, LoadView, Loading};
pub use status::*;
pub use table::{list_total, row_link, search_form_of, Table};
pub use top_bar::TopBar;
