//! Calls and the messages callers leave.

use super::values::{text_enum, AgentId, CallId, MessageId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

text_enum! {
    /// Vapi's call status, which only moves forward in this order.
    CallStatus {
        Scheduled => "scheduled",
        Queued => "queued",
        Ringing => "ringing",
        InProgress => "in-progress",
        Forwarding => "forwarding",
        Ended => "ended",
    }
}

text_enum! {
    /// How a call went, for the owner.
    CallOutcome {
        Answered => "answered",
        MessageTaken => "message_taken",
        Transferred => "transferred",
        Refused => "refused",
        NoConversation => "no_conversation",
        Unknown => "unknown",
    }
}

impl CallOutcome {
    /// The outcomes the end-of-call analysis chooses from (the rest are ours).
    pub const ANALYSED: &'static [CallOutcome] = &[
        CallOutcome::Answered,
        CallOutcome::MessageTaken,
        CallOutcome::Transferred,
        CallOutcome::NoConversation,
    ];
}

text_enum! {
    /// Why a call was not answered by the AI (it was refused, or transferred
    /// to the fallback number).
    Refusal { AgentPaused => "agent_paused", OutOfCredits => "out_of_credits" }
}

text_enum! {
    /// Who speaks in a turn of the conversation.
    TurnRole { Assistant => "assistant", Caller => "caller", Tool => "tool", System => "system" }
}

text_enum! {
    /// How urgent a caller's message is.
    MessageUrgency { Low => "low", Normal => "normal", Urgent => "urgent" }
}

text_enum! {
    /// Which messages a list shows.
    MessageFilter { Unhandled => "unhandled", Handled => "handled", All => "all" }
}

/// One turn of a call's conversation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct Turn {
    pub role: TurnRole,
    pub text: String,
    /// Milliseconds from the start of the call.
    pub at_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct CallSummary {
    pub id: CallId,
    pub agent_id: Option<AgentId>,
    pub agent_name: Option<String>,
    /// As Vapi saw it (not always a number: a web call has none).
    pub caller: Option<String>,
    pub status: CallStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: i64,
    pub outcome: CallOutcome,
    pub ended_reason: Option<String>,
    pub summary: Option<String>,
    /// Seconds taken from the balance for this call.
    pub charged_seconds: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct CallDetail {
    #[serde(flatten)]
    pub call: CallSummary,
    pub number: Option<String>,
    pub recording_url: Option<String>,
    pub transcript: Vec<Turn>,
    /// Seconds billed under the rules (what the ledger was asked to take).
    pub billed_seconds: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct CallPage {
    pub calls: Vec<CallSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query of `GET /api/calls`; `from` and `to` are inclusive UTC dates.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CallQuery {
    pub agent_id: Option<AgentId>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub outcome: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// A message a caller left with the receptionist.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct CallerMessage {
    pub id: MessageId,
    pub agent_id: Option<AgentId>,
    pub agent_name: Option<String>,
    pub call_id: Option<CallId>,
    pub caller_name: String,
    pub caller_number: String,
    pub reason: String,
    pub urgency: MessageUrgency,
    pub handled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct MessagePage {
    pub messages: Vec<CallerMessage>,
    pub total: i64,
    pub unhandled: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query of `GET /api/messages`: `status` is `unhandled` (default), `handled` or `all`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MessageQuery {
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}
