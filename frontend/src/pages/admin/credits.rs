//! The "Credits" section of `/admin/users/:id`: an account's balance, state
//! and ledger, a manual adjustment and the overage limit override.

use shared::api::{AccountId, AdjustCreditsRequest, Credits, LedgerEntry, OverageRequest};
use yew::prelude::*;

use crate::components::{
    field_error, fmt_local, invalid_fields, rename_field, reset_form, state_badge, state_class,
    Card, Field, FormError, FormValues, Ledger, LedgerSource, SubmitButton, Success,
};
use crate::hooks::{use_action, use_api};
use crate::units::{minutes, minutes_error, parse_minutes, DecimalError};

/// `overage_limit_seconds: null` means this (docs/api.md).
const DEFAULT_OVERAGE_SECONDS: i64 = 900;

#[derive(Properties, PartialEq)]
pub struct AdminCreditsProps {
    pub account_id: AccountId,
}

/// The amount and reason of the adjustment form, or what is wrong with them.
fn adjustment(values: &FormValues) -> Result<AdjustCreditsRequest, crate::api::ApiError> {
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
    match amount {
        Ok(amount_seconds) if problems.is_empty() => Ok(AdjustCreditsRequest {
            amount_seconds,
            reason,
        }),
        _ => Err(invalid_fields(&problems)),
    }
}

/// The overage limit of its form (`None`: back to the default).
fn overage_limit(values: &FormValues) -> Result<Option<i64>, crate::api::ApiError> {
    let text = values.get("overage_limit_minutes");
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_minutes(&text, false).map(Some).map_err(|e| {
        let message = match e {
            DecimalError::Invalid if text.trim().starts_with('-') => "Enter 0 or more minutes.",
            other => minutes_error(other),
        };
        invalid_fields(&[("overage_limit_minutes", message)])
    })
}

#[function_component(AdminCredits)]
pub fn admin_credits(props: &AdminCreditsProps) -> Html {
    let account_id = props.account_id;
    let credits = use_api(Some(account_id), |api, id| async move {
        api.admin_credits(id).await
    });
    let ledger_reload = use_state(|| 0_u32);

    let adjust = use_action();
    let adjust_form = use_node_ref();
    let overage = use_action();
    let overage_form = use_node_ref();

    {
        let (adjust, overage) = (adjust.clone(), overage.clone());
        use_effect_with(account_id, move |_| {
            adjust.set_done(None);
            overage.set_done(None);
        });
    }

    let on_adjust = {
        let (credits, ledger_reload) = (credits.clone(), ledger_reload.clone());
        let (done, form) = (adjust.clone(), adjust_form.clone());
        adjust.on_submit(
            adjustment,
            move |api, request| async move {
                let result = api.admin_adjust_credits(account_id, &request).await;
                result.map_err(|e| rename_field(e, "amount_seconds", "amount_minutes"))
            },
            move |entry: LedgerEntry| {
                let verb = if entry.amount_seconds < 0 {
                    "Removed"
                } else {
                    "Added"
                };
                done.set_done(format!(
                    "{verb} {}. New balance: {}.",
                    minutes(entry.amount_seconds.abs()),
                    minutes(entry.balance_after_seconds)
                ));
                reset_form(&form);
                credits.refresh();
                ledger_reload.set(*ledger_reload + 1);
            },
        )
    };

    let on_overage = {
        let credits = credits.clone();
        let (done, form) = (overage.clone(), overage_form.clone());
        overage.on_submit(
            overage_limit,
            move |api, limit| async move {
                let request = OverageRequest {
                    overage_limit_seconds: limit,
                };
                let result = api.admin_set_overage(account_id, &request).await;
                let result = result.map(|c| (c, limit));
                result
                    .map_err(|e| rename_field(e, "overage_limit_seconds", "overage_limit_minutes"))
            },
            move |(c, limit): (Credits, Option<i64>)| {
                let limit_text = minutes(c.overage_limit_seconds);
                done.set_done(match limit {
                    None => format!("Overage limit reset to the default ({limit_text})."),
                    Some(_) => format!("Overage limit set to {limit_text}."),
                });
                reset_form(&form);
                credits.set(c);
            },
        )
    };

    let summary = credits.view("Loading credits…", |c| {
        html! {
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
        }
    });

    let adjust_error = adjust.error();
    let overage_error = overage.error();
    html! {
        <>
            <Card title="Credits" testid="admin-credits">
                { summary }
                <div class="form-grid">
                    <form class="form" ref={adjust_form} onsubmit={on_adjust} novalidate=true
                        data-testid="adjust-form">
                        <h2 class="section-title">{ "Adjust balance" }</h2>
                        if let Some(message) = adjust.done() {
                            <Success><p>{ message }</p></Success>
                        }
                        <FormError error={adjust_error.clone()}
                            shown_fields={&["amount_minutes", "reason"][..]} />
                        <Field name="amount_minutes" label="Amount (minutes)" placeholder="e.g. 30 or -2.5"
                            hint="A minus sign takes minutes away. At most one decimal."
                            error={field_error(&adjust_error, "amount_minutes")} />
                        <Field name="reason" label="Reason" multiline=true
                            hint="Recorded in the account's ledger."
                            error={field_error(&adjust_error, "reason")} />
                        <SubmitButton label="Apply adjustment" busy_label="Applying…" busy={adjust.busy()} />
                    </form>
                    <form class="form" ref={overage_form} onsubmit={on_overage} novalidate=true
                        data-testid="overage-form">
                        <h2 class="section-title">{ "Overage limit" }</h2>
                        <p class="muted small">
                            { "How far below zero this account may go (for up to 7 days) before calls are refused." }
                        </p>
                        if let Some(message) = overage.done() {
                            <Success><p>{ message }</p></Success>
                        }
                        <FormError error={overage_error.clone()}
                            shown_fields={&["overage_limit_minutes"][..]} />
                        <Field name="overage_limit_minutes" label="Overage limit (minutes)" inputmode="decimal"
                            placeholder="15" hint="Leave empty for the default (15 minutes)."
                            error={field_error(&overage_error, "overage_limit_minutes")} />
                        <SubmitButton label="Save limit" busy_label="Saving…" busy={overage.busy()} />
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
