//! Every status the API sends, in plain words and colours: agent status,
//! phone number status, credit state and balance events,
//! call outcome, transcript roles and message urgency. Each is an enum of
//! `shared::api`, so a `match` here covers every value the API can send.

use shared::api::{
    AccountEvent, AgentStatus, CallOutcome, Catalog, CreditSignal, CreditState, Credits,
    LedgerKind, MessageUrgency, NumberStatus, TemplateId, TurnRole,
};
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

/// A template's name from the catalog ("Appointment receptionist"), or
/// made from the id when there is no catalog at hand (`home_services` →
/// "Home services").
pub fn template_name(catalog: Option<&Catalog>, id: TemplateId) -> String {
    catalog
        .and_then(|c| c.templates.iter().find(|t| t.id == id))
        .map(|t| t.name.clone())
        .unwrap_or_else(|| capitalized(&id.as_str().replace('_', " ")))
}

// ---- phone numbers -----------------------------------------------------------

/// A phone number is connected and answering.
pub fn number_is_active(status: NumberStatus) -> bool {
    status == NumberStatus::Active
}

/// A phone number's status as a pill: "Active", "Activating" while it is
/// being connected, or "Blocked".
pub fn number_badge(status: NumberStatus, id: Option<&'static str>) -> Html {
    let active = number_is_active(status);
    let label = match status {
        NumberStatus::Active => "Active",
        NumberStatus::Activating => "Activating",
        NumberStatus::Blocked => "Blocked",
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

/// The newest balance event still describes the current state (a `zero`
/// event starts the grace state, but is not what the state is called).
pub fn event_is_current(c: &Credits) -> bool {
    c.recent_events
        .first()
        .is_some_and(|e| e.kind != CreditSignal::Zero && e.kind.state() == c.state)
}

/// "Running low since …" for the newest event when it is still the state,
/// past tense for the rest.
pub fn event_text(e: &AccountEvent, current: bool) -> String {
    let when = fmt_local(&e.created_at);
    let text = match (e.kind, current) {
        (CreditSignal::Low, true) => format!("Running low since {when}"),
        (CreditSignal::Low, false) => format!("Ran low on {when}"),
        (CreditSignal::Zero, _) => format!("Reached zero on {when}"),
        (CreditSignal::Grace, true) => format!("In grace period since {when}"),
        (CreditSignal::Grace, false) => format!("Grace period started on {when}"),
        (CreditSignal::Blocked, true) => format!("Calls refused since {when}"),
        (CreditSignal::Blocked, false) => format!("Calls were refused from {when}"),
        (CreditSignal::Ok, _) => format!("Back to active on {when}"),
    };
    format!("{text} (balance {})", minutes(e.balance_seconds))
}

/// A ledger entry's kind in plain words.
pub fn ledger_kind_label(kind: LedgerKind) -> &'static str {
    match kind {
        LedgerKind::SignupGrant => "Welcome minutes",
        LedgerKind::Purchase => "Purchase",
        LedgerKind::Call => "Call",
        LedgerKind::NumberRental => "Phone number",
        LedgerKind::Refund => "Refund",
        LedgerKind::Dispute => "Payment dispute",
        LedgerKind::AdminAdjustment => "Adjustment",
    }
}

// ---- calls -------------------------------------------------------------------

/// The outcomes a call can be filtered by (all but "unknown").
pub const OUTCOMES: &[CallOutcome] = &[
    CallOutcome::Answered,
    CallOutcome::MessageTaken,
    CallOutcome::Transferred,
    CallOutcome::Refused,
    CallOutcome::NoConversation,
];

pub fn outcome_label(outcome: CallOutcome) -> &'static str {
    match outcome {
        CallOutcome::Answered => "Answered",
        CallOutcome::MessageTaken => "Message taken",
        CallOutcome::Transferred => "Transferred",
        CallOutcome::Refused => "Refused",
        CallOutcome::NoConversation => "No conversation",
        CallOutcome::Unknown => "Unknown",
    }
}

pub fn outcome_badge(outcome: CallOutcome) -> Html {
    let class = match outcome {
        CallOutcome::Answered => "outcome-answered",
        CallOutcome::MessageTaken => "outcome-message",
        CallOutcome::Transferred => "outcome-transferred",
        CallOutcome::Refused => "outcome-refused",
        CallOutcome::NoConversation | CallOutcome::Unknown => "outcome-other",
    };
    html! {
        <span class={classes!("badge", class)} data-outcome={outcome.as_str()}>
            { outcome_label(outcome) }
        </span>
    }
}

/// `customer-ended-call` → "Customer ended call".
pub fn ended_reason_label(reason: &str) -> String {
    capitalized(reason.replace(['-', '_', '.'], " ").trim())
}

/// A transcript turn's (CSS class, who spoke).
pub fn turn_role(role: TurnRole) -> (&'static str, &'static str) {
    match role {
        TurnRole::Assistant => ("turn-assistant", "Receptionist"),
        TurnRole::Caller => ("turn-caller", "Caller"),
        TurnRole::Tool => ("turn-tool", "Lookup"),
        TurnRole::System => ("turn-system", "Note"),
    }
}

// ---- messages ----------------------------------------------------------------

pub fn is_urgent(urgency: MessageUrgency) -> bool {
    urgency == MessageUrgency::Urgent
}

pub fn urgency_badge(urgency: MessageUrgency) -> Html {
    let (class, label) = match urgency {
        MessageUrgency::Urgent => ("urgency-urgent", "Urgent"),
        MessageUrgency::Low => ("urgency-low", "Low"),
        MessageUrgency::Normal => ("urgency-normal", "Normal"),
    };
    html! {
        <span class={classes!("badge", class)} data-urgency={urgency.as_str()}>{ label }</span>
    }
}
