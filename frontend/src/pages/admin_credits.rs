//! The "Credits" section of `/admin/users/:id`: an account's balance, state
//! and ledger, a manual adjustment and the overage limit override.

use shared::api::{AdjustCreditsRequest, Credits, OverageRequest};
use uuid::Uuid;
use web_sys::HtmlFormElement;
use yew::prelude::*;

use crate::api::ApiError;
use crate::components::{
    field_error, fmt_local, invalid_fields, rename_field, Card, Field, FormError, FormValues, Load,
    Loading, SubmitButton, Success,
};
use crate::pages::admin::failure;
use crate::pages::credits::{state_badge, state_class, Ledger, LedgerSource};
use crate::session::{use_session, SessionAction, SessionHandle};
use crate::units::{minutes, minutes_error, parse_minutes, DecimalError};

/// `overage_limit_seconds: null` means this (docs/api.md).
const DEFAULT_OVERAGE_SECONDS: i64 = 900;

#[derive(Properties, PartialEq)]
pub struct AdminCreditsProps {
    pub account_id: Uuid,
}

/// Loads the account's credits into `credits`; `quiet` keeps what is shown
/// until the new answer arrives.
fn load_credits(
    session: &SessionHandle,
    credits: &UseStateHandle<Load<Credits>>,
    account_id: Uuid,
    quiet: bool,
) {
    if !quiet {
        credits.set(Load::Loading);
    }
    let (session, credits) = (session.clone(), credits.clone());
    let api = session.api();
    yew::platform::spawn_local(async move {
        match api.admin_credits(account_id).await {
            Ok(c) => credits.set(Load::Loaded(c)),
            Err(e) if e.is_unauthenticated() => session.dispatch(SessionAction::SignedOut),
            // A quiet refresh keeps the figures already shown.
            Err(_) if quiet && matches!(*credits, Load::Loaded(_)) => {}
            Err(e) => credits.set(Load::Failed(e)),
        }
    });
}

#[function_component(AdminCredits)]
pub fn admin_credits(props: &AdminCreditsProps) -> Html {
    let session = use_session();
    let account_id = props.account_id;
    let credits = use_state(|| Load::<Credits>::Loading);
    let ledger_reload = use_state(|| 0_u32);

    let adjust_busy = use_state(|| false);
    let adjust_error = use_state(|| None::<ApiError>);
    let adjust_done = use_state(|| None::<String>);
    let adjust_form = use_node_ref();

    let overage_busy = use_state(|| false);
    let overage_error = use_state(|| None::<ApiError>);
    let overage_done = use_state(|| None::<String>);
    let overage_form = use_node_ref();

    {
        let (session, credits) = (session.clone(), credits.clone());
        let (adjust_done, overage_done) = (adjust_done.clone(), overage_done.clone());
        use_effect_with(account_id, move |id| {
            adjust_done.set(None);
            overage_done.set(None);
            load_credits(&session, &credits, *id, false);
        });
    }

    let on_adjust = {
        let (session, credits, ledger_reload) =
            (session.clone(), credits.clone(), ledger_reload.clone());
        let (busy, error, done, form) = (
            adjust_busy.clone(),
            adjust_error.clone(),
            adjust_done.clone(),
            adjust_form.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            let values = FormValues::from_submit(&e);
            if *busy {
                return;
            }
            done.set(None);
            let amount = parse_minutes(&values.get("amount_minutes"), true);
            let reason = values.get("reason").trim().to_string();
            let mut problems: Vec<(&str, &str)> = Vec::new();
            match amount {
                Err(e) => problems.push(("amount_minutes", minutes_error(e))),
                Ok(0) => problems.push(("amount_minutes", "Enter an amount other than 0.")),
                Ok(_) => {}
            }
            if reason.is_empty() {
                problems.push(("reason", "Enter a reason."));
            }
            let amount_seconds = match amount {
                Ok(s) if problems.is_empty() => s,
                _ => return error.set(Some(invalid_fields(&problems))),
            };
            busy.set(true);
            error.set(None);
            let request = AdjustCreditsRequest {
                amount_seconds,
                reason,
            };
            let (session, credits, ledger_reload) =
                (session.clone(), credits.clone(), ledger_reload.clone());
            let (busy, error, done, form) =
                (busy.clone(), error.clone(), done.clone(), form.clone());
            let api = session.api();
            yew::platform::spawn_local(async move {
                let result = api.admin_adjust_credits(account_id, &request).await;
                busy.set(false);
                match result {
                    Ok(entry) => {
                        let verb = if entry.amount_seconds < 0 {
                            "Removed"
                        } else {
                            "Added"
                        };
                        done.set(Some(format!(
                            "{verb} {}. New balance: {}.",
                            minutes(entry.amount_seconds.abs()),
                            minutes(entry.balance_after_seconds)
                        )));
                        if let Some(form) = form.cast::<HtmlFormElement>() {
                            form.reset();
                        }
                        load_credits(&session, &credits, account_id, true);
                        ledger_reload.set(*ledger_reload + 1);
                    }
                    Err(e) if e.is_unauthenticated() => session.dispatch(SessionAction::SignedOut),
                    Err(e) => error.set(Some(rename_field(e, "amount_seconds", "amount_minutes"))),
                }
            });
        })
    };

    let on_overage = {
        let (session, credits) = (session.clone(), credits.clone());
        let (busy, error, done, form) = (
            overage_busy.clone(),
            overage_error.clone(),
            overage_done.clone(),
            overage_form.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            let values = FormValues::from_submit(&e);
            if *busy {
                return;
            }
            done.set(None);
            let text = values.get("overage_limit_minutes");
            let limit = if text.trim().is_empty() {
                None
            } else {
                match parse_minutes(&text, false) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        let message = match e {
                            DecimalError::Invalid if text.trim().starts_with('-') => {
                                "Enter 0 or more minutes."
                            }
                            other => minutes_error(other),
                        };
                        return error
                            .set(Some(invalid_fields(&[("overage_limit_minutes", message)])));
                    }
                }
            };
            busy.set(true);
            error.set(None);
            let request = OverageRequest {
                overage_limit_seconds: limit,
            };
            let (session, credits) = (session.clone(), credits.clone());
            let (busy, error, done, form) =
                (busy.clone(), error.clone(), done.clone(), form.clone());
            let api = session.api();
            yew::platform::spawn_local(async move {
                let result = api.admin_set_overage(account_id, &request).await;
                busy.set(false);
                match result {
                    Ok(c) => {
                        done.set(Some(match limit {
                            None => format!(
                                "Overage limit reset to the default ({}).",
                                minutes(c.overage_limit_seconds)
                            ),
                            Some(_) => format!(
                                "Overage limit set to {}.",
                                minutes(c.overage_limit_seconds)
                            ),
                        }));
                        if let Some(form) = form.cast::<HtmlFormElement>() {
                            form.reset();
                        }
                        credits.set(Load::Loaded(c));
                    }
                    Err(e) if e.is_unauthenticated() => session.dispatch(SessionAction::SignedOut),
                    Err(e) => error.set(Some(rename_field(
                        e,
                        "overage_limit_seconds",
                        "overage_limit_minutes",
                    ))),
                }
            });
        })
    };

    let summary = match &*credits {
        Load::Loading => html! { <Loading label="Loading credits…" /> },
        Load::Failed(e) => failure(e),
        Load::Loaded(c) => html! {
            <>
                <div class="balance-row">
                    <p class={classes!("balance", "balance-small", state_class(c.state))}>
                        <span data-testid="admin-credits-balance">{ minutes(c.balance_seconds) }</span>
                    </p>
                    { state_badge(c, "admin-credits-state", None) }
                </div>
                <dl class="details">
                    <div>
                        <dt>{ "Overage limit" }</dt>
                        <dd data-testid="admin-overage-limit">
                            { minutes(c.overage_limit_seconds) }
                            if c.overage_limit_seconds == DEFAULT_OVERAGE_SECONDS {
                                <span class="muted">{ " (default)" }</span>
                            }
                        </dd>
                    </div>
                    <div>
                        <dt>{ "Grace deadline" }</dt>
                        <dd data-testid="admin-grace-deadline">
                            { c.grace_deadline.as_ref().map(fmt_local).unwrap_or_else(|| "—".into()) }
                        </dd>
                    </div>
                    <div>
                        <dt>{ "Low balance below" }</dt>
                        <dd>{ minutes(c.low_threshold_seconds) }</dd>
                    </div>
                </dl>
            </>
        },
    };

    html! {
        <>
            <Card title="Credits" testid="admin-credits">
                { summary }
                <div class="form-grid">
                    <form class="form" ref={adjust_form} onsubmit={on_adjust} novalidate=true
                        data-testid="adjust-form">
                        <h2 class="section-title">{ "Adjust balance" }</h2>
                        if let Some(message) = &*adjust_done {
                            <Success><p>{ message }</p></Success>
                        }
                        <FormError error={(*adjust_error).clone()}
                            shown_fields={&["amount_minutes", "reason"][..]} />
                        <Field name="amount_minutes" label="Amount (minutes)" placeholder="e.g. 30 or -2.5"
                            hint="A minus sign takes minutes away. At most one decimal."
                            error={field_error(&adjust_error, "amount_minutes")} />
                        <Field name="reason" label="Reason" multiline=true
                            hint="Recorded in the account's ledger."
                            error={field_error(&adjust_error, "reason")} />
                        <SubmitButton label="Apply adjustment" busy_label="Applying…" busy={*adjust_busy} />
                    </form>
                    <form class="form" ref={overage_form} onsubmit={on_overage} novalidate=true
                        data-testid="overage-form">
                        <h2 class="section-title">{ "Overage limit" }</h2>
                        <p class="muted small">
                            { "How far below zero this account may go (for up to 7 days) before calls are refused." }
                        </p>
                        if let Some(message) = &*overage_done {
                            <Success><p>{ message }</p></Success>
                        }
                        <FormError error={(*overage_error).clone()}
                            shown_fields={&["overage_limit_minutes"][..]} />
                        <Field name="overage_limit_minutes" label="Overage limit (minutes)" inputmode="decimal"
                            placeholder="15" hint="Leave empty for the default (15 minutes)."
                            error={field_error(&overage_error, "overage_limit_minutes")} />
                        <SubmitButton label="Save limit" busy_label="Saving…" busy={*overage_busy} />
                    </form>
                </div>
            </Card>
            <Card title="Ledger" subtitle="Every change to this account's balance, newest first.">
                <Ledger source={LedgerSource::Account(account_id)} reload={*ledger_reload}
                    testid="admin-ledger-table" />
            </Card>
        </>
    }
}
