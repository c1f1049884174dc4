//! `assistant-request`: number → agent → account standing → the assistant,
//! or a spoken refusal / a transfer to the fallback number.

use super::assistant;
use crate::agents::{self, AgentRecord};
use crate::api::CreditSignal;
use crate::api::{AgentStatus, Refusal};
use crate::app::App;
use crate::calls;
use crate::credits::policy::Standing;
use crate::error::Result;
use crate::vapi::message::Message;
use chrono::Utc;
use serde_json::{json, Value};

/// What assistant-request answers for an agent in a given standing: the
/// assistant, or (paused, blocked) a transfer to the fallback number when
/// there is one, else a spoken refusal.
pub fn answer_for(
    app: &App,
    agent: &AgentRecord,
    standing: &Standing,
    now: chrono::DateTime<Utc>,
) -> (Value, Option<Refusal>) {
    let refusal = if agent.status == AgentStatus::Paused {
        Some(Refusal::AgentPaused)
    } else if standing.signal(now) == CreditSignal::Blocked {
        Some(Refusal::OutOfCredits)
    } else {
        None
    };
    let Some(refusal) = refusal else {
        let assistant = assistant::build(agent, now, standing.spendable(now), &app.config.vapi);
        return (json!({ "assistant": assistant }), None);
    };
    let business = agent.profile.business_name.trim();
    let answer = match agent.fallback_number() {
        None => json!({"error": format!(
            "Sorry, {} cannot take your call right now. Please try again later. Goodbye.",
            if business.is_empty() { "this line" } else { business }
        )}),
        Some(fallback) => json!({"destination": {
            "type": "number",
            "number": fallback,
            "message": "Please hold while I connect you.",
        }}),
    };
    (answer, Some(refusal))
}

pub(super) async fn assistant_request(app: &App, m: &Message) -> Result<Value> {
    let not_in_service = || json!({"error": "Sorry, this number is not in service. Goodbye."});
    let Some(vapi_number_id) = m.phone_number_id() else {
        tracing::warn!("assistant-request without a phone number");
        return Ok(not_in_service());
    };
    let db = app.db.get().await?;
    let Some(routed) = agents::for_number(&db, vapi_number_id).await? else {
        tracing::warn!(
            vapi_number_id,
            "assistant-request for a number with no agent"
        );
        return Ok(not_in_service());
    };
    let (agent, standing) = (&routed.agent, &routed.standing);
    let (answer, refusal) = answer_for(app, agent, standing, Utc::now());
    if let Some(call_id) = m.call_id() {
        calls::open(
            &db,
            &calls::Opened {
                vapi_call_id: call_id,
                account_id: agent.account_id,
                agent_id: agent.id,
                phone_number_id: routed.number_id,
                vapi_phone_number_id: vapi_number_id,
                caller: m.caller(),
                refusal,
            },
        )
        .await?;
    }
    if let Some(r) = refusal {
        tracing::info!(agent_id = %agent.id, reason = %r, "call refused");
    }
    Ok(answer)
}
