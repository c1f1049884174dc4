//! Every status the API sends as a word, in plain words and colours: agent
//! status, phone number status, credit state and balance events, purchase
//! status, call outcome, transcript roles and message urgency. The only
//! place that compares those strings.

use shared::api::{AccountEvent, AgentStatus, Catalog, CreditState, Credits};
use yew::prelude::*;

use crate::components::format::{capitalized, fmt_local};
use crate::units::minutes;

// ---- agents ------------------------------------------------------------------

/// "Active" / "Paused" as a coloured pill.
pub fn status_badge(status: AgentStatus, id: Option<&'static str>) -> Html {
    let (class, label) = match status {
        AgentStatus::Active => ("status-active", "Active"),
        AgentStatus::Paused => ("status-paused", "Paused"),
    };
    html! {
        <span class={classes!("badge", class)} id={id} data-testid="agent-status">{ label }</span>
    }
}

/// A template's name from the catalog ("Appointments"), or made from the id
/// when there is no catalog at hand (`custom` → "Custom").
pub fn template_name(catalog: Option<&Catalog>, id: &str) -> String {
    catalog
        .and_then(|c| c.templates.iter().find(|t| t.id == id))
        .map(|t| t.name.clone())
        .unwrap_or_else(|| {
            // `home_services` → "Home services".
            match capitalized(&id.replace('_', " ")) {
                name if name.is_empty() => "Custom".to_string(),
                name => name,
            }
        })
}

// ---- phone numbers -----------------------------------------------------------

/// A phone number is connected and answering.
pub fn number_is_active(status: &str) -> bool {
    status == "active"
}

/// A phone number's status as a pill: "Active", or "Activating" while it is
/// being connected (any other status as the API says it).
pub fn number_badge(status: &str, id: Option<&'static str>) -> Html {
    let active = number_is_active(status);
    let label = match status {
        _ if active => "Active".to_string(),
        "activating" => "Activating".to_string(),
        other => other.to_string(),
    };
    html! {
        <span id={id} class={classes!("badge", if active { "status-active" } else { "badge-warn" })}>
            { label }
        </span>
    }
}

// ---- credits -----------------------------------------------------------------

/// The account's state in plain words, coloured (`data-testid={testid}`),
/// with the grace deadline inside (`deadline_testid`) while in grace.
pub fn state_badge(
    c: &Credits,
    testid: &'static str,
    deadline_testid: Option<&'static str>,
) -> Html {
    match c.state {
        CreditState::Ok => html! {
            <p class="state state-ok" data-testid={testid}>{ "Active" }</p>
        },
        CreditState::Low => html! {
            <p class="state state-low" data-testid={testid}>{ "Running low" }</p>
        },
        CreditState::Grace => {
            // What is left of the overage allowance: limit − overdraft.
            let overdraft = (-c.balance_seconds).max(0);
            let left = (c.overage_limit_seconds - overdraft).max(0);
            html! {
                <p class="state state-grace state-long" data-testid={testid}>
                    <strong>{ "In grace period:" }</strong>
                    { " calls continue " }
                    if let Some(deadline) = &c.grace_deadline {
                        { "until " }
                        <span data-testid={deadline_testid}>{ fmt_local(deadline) }</span>
                        { " or " }
                    }
                    { format!("until you use {} more", minutes(left)) }
                </p>
            }
        }
        CreditState::Blocked => html! {
            <p class="state state-blocked state-long" data-testid={testid}>
                <strong>{ "Out of credits:" }</strong>
                { " calls are being refused. Buy a pack to resume." }
            </p>
        },
    }
}

pub fn state_class(state: CreditState) -> &'static str {
    match state {
        CreditState::Ok => "balance-ok",
        CreditState::Low => "balance-low",
        CreditState::Grace => "balance-grace",
        CreditState::Blocked => "balance-blocked",
    }
}

/// The event kind that starts `state`.
fn state_kind(state: CreditState) -> &'static str {
    match state {
        CreditState::Ok => "ok",
        CreditState::Low => "low",
        CreditState::Grace => "grace",
        CreditState::Blocked => "blocked",
    }
}

/// The newest balance event still describes the current state.
pub fn event_is_current(c: &Credits) -> bool {
    c.recent_events.first().map(|e| e.kind.as_str()) == Some(state_kind(c.state))
}

/// "Running low since …" for the newest event when it is still the state,
/// past tense for the rest.
pub fn event_text(e: &AccountEvent, current: bool) -> String {
    let when = fmt_local(&e.created_at);
    let text = match (e.kind.as_str(), current) {
        ("low", true) => format!("Running low since {when}"),
        ("low", false) => format!("Ran low on {when}"),
        ("zero", _) => format!("Reached zero on {when}"),
        ("grace", true) => format!("In grace period since {when}"),
        ("grace", false) => format!("Grace period started on {when}"),
        ("blocked", true) => format!("Calls refused since {when}"),
        ("blocked", false) => format!("Calls were refused from {when}"),
        ("ok", _) => format!("Back to active on {when}"),
        (other, _) => format!("{other} on {when}"),
    };
    format!("{text} (balance {})", minutes(e.balance_seconds))
}

/// A ledger entry's kind in plain words.
pub fn ledger_kind_label(kind: &str) -> &str {
    match kind {
        "signup_grant" => "Welcome minutes",
        "purchase" => "Purchase",
        "call" => "Call",
        "number_rental" => "Phone number",
        "refund" => "Refund",
        "dispute" => "Payment dispute",
        "admin_adjustment" => "Adjustment",
        other => other,
    }
}

/// Where a Stripe purchase stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PurchaseState {
    Pending,
    Paid,
    Failed,
    Expired,
}

pub fn purchase_state(status: &str) -> PurchaseState {
    match status {
        "paid" => PurchaseState::Paid,
        "failed" => PurchaseState::Failed,
        "expired" => PurchaseState::Expired,
        _ => PurchaseState::Pending,
    }
}

// ---- calls -------------------------------------------------------------------

/// The outcomes a call can be filtered by, with their labels.
pub const OUTCOMES: &[(&str, &str)] = &[
    ("answered", "Answered"),
    ("message_taken", "Message taken"),
    ("transferred", "Transferred"),
    ("refused", "Refused"),
    ("no_conversation", "No conversation"),
];

pub fn outcome_label(outcome: &str) -> String {
    OUTCOMES
        .iter()
        .find(|(k, _)| *k == outcome)
        .map(|(_, label)| label.to_string())
        .unwrap_or_else(|| match outcome {
            "" | "unknown" => "Unknown".to_string(),
            other => other.replace(['_', '-'], " "),
        })
}

pub fn outcome_badge(outcome: &str) -> Html {
    let class = match outcome {
        "answered" => "outcome-answered",
        "message_taken" => "outcome-message",
        "transferred" => "outcome-transferred",
        "refused" => "outcome-refused",
        _ => "outcome-other",
    };
    html! {
        <span class={classes!("badge", class)} data-outcome={outcome.to_string()}>
            { outcome_label(outcome) }
        </span>
    }
}

/// `customer-ended-call` → "Customer ended call".
pub fn ended_reason_label(reason: &str) -> String {
    capitalized(reason.replace(['-', '_', '.'], " ").trim())
}

/// A transcript turn's (CSS class, who spoke).
pub fn turn_role(role: &str) -> (&'static str, &'static str) {
    match role {
        "assistant" | "bot" => ("turn-assistant", "Receptionist"),
        "caller" | "user" | "customer" => ("turn-caller", "Caller"),
        "tool" => ("turn-tool", "Lookup"),
        _ => ("turn-system", "Note"),
    }
}

// ---- messages ----------------------------------------------------------------

pub fn is_urgent(urgency: &str) -> bool {
    urgency == "urgent"
}

pub fn urgency_badge(urgency: &str) -> Html {
    let (class, label) = match urgency {
        _ if is_urgent(urgency) => ("urgency-urgent", "Urgent"),
        "low" => ("urgency-low", "Low"),
        _ => ("urgency-normal", "Normal"),
    };
    html! {
        <span class={classes!("badge", class)} data-urgency={urgency.to_string()}>{ label }</span>
    }
}
