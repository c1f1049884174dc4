//! The ledger table: the history of an account's balance changes (the
//! owner's own on /credits, any account's on /admin/users/:id).

use shared::api::AccountId;
use yew::prelude::*;

use crate::components::format::fmt_local;
use crate::components::layout::Pager;
use crate::components::status::ledger_kind_label;
use crate::components::table::Table;
use crate::hooks::use_api_keeping;
use crate::session::use_session;
use crate::units::{fmt_signed_minutes, minutes};

const LEDGER_PER_PAGE: i64 = 20;

const COLUMNS: &[&str] = &["Date", "Description", "#Change", "#Balance after"];

/// Whose ledger to show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LedgerSource {
    Own,
    Account(AccountId),
}

#[derive(Properties, PartialEq)]
pub struct LedgerProps {
    pub source: LedgerSource,
    /// Changing it reloads from the first page (e.g. after an adjustment).
    #[prop_or_default]
    pub reload: u32,
    /// `data-testid` of the table.
    pub testid: AttrValue,
}

/// The history of balance changes, newest first, paginated.
#[function_component(Ledger)]
pub fn ledger(props: &LedgerProps) -> Html {
    let signed_in = use_session().me().is_some();
    let key = (props.source, props.reload);
    // The page, for the (source, reload) it was chosen for: another source
    // or a reload starts at page 1.
    let paged = use_state(|| (key, 1_i64));
    let page = if paged.0 == key { paged.1 } else { 1 };
    // Another account's rows must not stay on screen; for a new page of the
    // same ledger the old rows stay (dimmed) until the new ones arrive.
    let last_source = use_mut_ref(|| props.source);
    let keep = *last_source.borrow() == props.source;
    *last_source.borrow_mut() = props.source;

    let data = use_api_keeping(
        signed_in.then_some((props.source, props.reload, page)),
        keep,
        |api, (source, _, page)| async move {
            match source {
                LedgerSource::Own => api.ledger(page, LEDGER_PER_PAGE).await,
                LedgerSource::Account(id) => api.admin_ledger(id, page, LEDGER_PER_PAGE).await,
            }
        },
    );

    let onchange = Callback::from(move |to: i64| paged.set((key, to.max(1))));
    let updating = data.updating;
    data.view("Loading history…", |p| {
        let rows = p.entries.iter().map(|e| {
            let change_class = match e.amount_seconds {
                n if n > 0 => "amount-pos",
                n if n < 0 => "amount-neg",
                _ => "",
            };
            let description = if e.description.trim().is_empty() {
                ledger_kind_label(e.kind).to_string()
            } else {
                e.description.clone()
            };
            html! {
                <tr data-testid="ledger-row" key={e.id}>
                    <td data-label="Date">{ fmt_local(&e.created_at) }</td>
                    <td data-label="Description" class="wrap">{ description }</td>
                    <td data-label="Change" class="num">
                        <span class={change_class}>{ fmt_signed_minutes(e.amount_seconds) }</span>
                    </td>
                    <td data-label="Balance after" class="num">{ minutes(e.balance_after_seconds) }</td>
                </tr>
            }
        });
        html! {
            <div class={classes!("ledger", updating.then_some("is-updating"))}
                aria-busy={updating.then_some("true")}>
                if p.entries.is_empty() {
                    <p class="empty" data-testid="ledger-empty">{ "No activity yet." }</p>
                }
                <Table columns={COLUMNS} testid={props.testid.clone()}>{ for rows }</Table>
                <Pager page={p.page} total={p.total} per_page={p.per_page} {onchange} />
            </div>
        }
    })
}
