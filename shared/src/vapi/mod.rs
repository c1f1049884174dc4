//! Vapi: the webhook (`POST /api/webhooks/vapi`, Vapi's server URL) and the
//! REST client. The webhook answers fast and from PostgreSQL alone: no call
//! to another service on any of its paths.
//!
//! * `assistant-request`: number → agent → account standing → the assistant
//!   (or a spoken refusal / a transfer to the fallback number).
//! * `tool-calls` (and the legacy `function-call`): dispatched by name to
//!   [`crate::tools`]; always HTTP 200, one single-line result per call.
//! * `knowledge-base-request`: documents from the agent's knowledge search.
//! * `transfer-destination-request`: the agent's fallback number.
//! * `status-update`, `end-of-call-report`, `hang`: the call's history and
//!   billing ([`crate::calls`]).
//! * anything else: 200 and ignored.

pub mod auth;
pub mod client;
pub mod message;

use crate::agents::{self, assistant, AgentRecord};
use crate::api::AgentStatus;
use crate::app::App;
use crate::calls;
use crate::credits::policy::{Signal, Standing};
use crate::error::{Error, Result};
use crate::http::HeaderMap;
use crate::tools::{self, CallContext};
use chrono::Utc;
use message::{Envelope, Message, ToolCall};
use serde_json::{json, Value};
use uuid::Uuid;

/// Verifies, parses and answers one server message.
pub async fn receive(app: &App, headers: &HeaderMap, body: &[u8]) -> Result<Value> {
    auth::verify(&app.config.vapi, headers, body, Utc::now().timestamp())?;
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| Error::MalformedJson(format!("not a Vapi server message: {e}")))?;
    let m = envelope.message;
    Ok(match m.kind.as_str() {
        // A non-2xx answer here is heard by the caller as a server error:
        // whatever fails, answer a spoken apology instead.
        "assistant-request" => assistant_request(app, &m).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "assistant-request failed; the caller hears an apology");
            json!({"error": "Sorry, we cannot take your call right now. Please try again in a few minutes. Goodbye."})
        }),
        "tool-calls" => tool_calls(app, &m).await,
        "function-call" => function_call(app, &m).await,
        "knowledge-base-request" => knowledge_base(app, &m).await?,
        "transfer-destination-request" => transfer_destination(app, &m).await?,
        "status-update" => {
            calls::status_update(app, &m).await?;
            json!({})
        }
        "end-of-call-report" => {
            calls::end_of_call_report(app, &m).await?;
            json!({})
        }
        "hang" => {
            calls::hang(app, &m).await?;
            json!({})
        }
        other => {
            tracing::debug!(kind = other, "Vapi message ignored");
            json!({})
        }
    })
}

// ----------------------------------------------------- assistant-request ----

/// Why a call is not answered by the AI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    AgentPaused,
    OutOfCredits,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::AgentPaused => "agent_paused",
            Refusal::OutOfCredits => "out_of_credits",
        }
    }
}

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
    } else if standing.signal(now) == Signal::Blocked {
        Some(Refusal::OutOfCredits)
    } else {
        None
    };
    let Some(refusal) = refusal else {
        let assistant = assistant::build(agent, now, standing.spendable(now), &app.config.vapi);
        return (json!({ "assistant": assistant }), None);
    };
    let fallback = agent.profile.fallback_phone.trim();
    let business = agent.profile.business_name.trim();
    let answer = if fallback.is_empty() {
        json!({"error": format!(
            "Sorry, {} cannot take your call right now. Please try again later. Goodbye.",
            if business.is_empty() { "this line" } else { business }
        )})
    } else {
        json!({"destination": {
            "type": "number",
            "number": fallback,
            "message": "Please hold while I connect you.",
        }})
    };
    (answer, Some(refusal))
}

async fn assistant_request(app: &App, m: &Message) -> Result<Value> {
    let not_in_service = || json!({"error": "Sorry, this number is not in service. Goodbye."});
    let Some(vapi_number_id) = m.phone_number_id() else {
        tracing::warn!("assistant-request without a phone number");
        return Ok(not_in_service());
    };
    let db = app.db.get().await?;
    let row = db
        .query_opt(
            &format!(
                "SELECT {}, n.id, ac.balance_seconds, ac.overage_limit_seconds, ac.overdrawn_since,
                        ac.last_pack_seconds
                 FROM phone_numbers n
                 JOIN agents a ON a.id = n.agent_id AND a.deleted_at IS NULL
                 JOIN accounts ac ON ac.id = a.account_id
                 WHERE n.vapi_id = $1",
                agents::RECORD_COLUMNS
            ),
            &[&vapi_number_id],
        )
        .await?;
    let Some(row) = row else {
        tracing::warn!(
            vapi_number_id,
            "assistant-request for a number with no agent"
        );
        return Ok(not_in_service());
    };
    let agent = agents::record(&row)?;
    let n = agents::RECORD_LEN;
    let number_id: Uuid = row.get(n);
    let standing = Standing {
        balance: row.get(n + 1),
        overage_limit: row.get(n + 2),
        overdrawn_since: row.get(n + 3),
        last_pack_seconds: row.get(n + 4),
    };
    let (answer, refusal) = answer_for(app, &agent, &standing, Utc::now());
    if let Some(call_id) = m.call_id() {
        calls::open(
            &db,
            &calls::Opened {
                vapi_call_id: call_id,
                account_id: agent.account_id,
                agent_id: agent.id,
                phone_number_id: number_id,
                vapi_phone_number_id: vapi_number_id,
                caller: m.caller(),
                refusal: refusal.map(Refusal::as_str),
            },
        )
        .await?;
    }
    if let Some(r) = refusal {
        tracing::info!(agent_id = %agent.id, reason = r.as_str(), "call refused");
    }
    Ok(answer)
}

// ------------------------------------------------------------ tool-calls ----

/// The agent a message's call belongs to, with its enabled tools.
async fn call_context(app: &App, m: &Message) -> Result<Option<(CallContext, Vec<String>)>> {
    let call_id = m.call_id().unwrap_or_default();
    let db = app.db.get().await?;
    let row = db
        .query_opt(
            "SELECT a.id, a.account_id, a.tools FROM agents a
             WHERE a.id = coalesce((SELECT agent_id FROM calls WHERE vapi_call_id = $1),
                                   (SELECT agent_id FROM phone_numbers WHERE vapi_id = $2))",
            &[&call_id, &m.phone_number_id().unwrap_or_default()],
        )
        .await?;
    Ok(row.map(|r| {
        (
            CallContext {
                agent_id: r.get(0),
                account_id: r.get(1),
                vapi_call_id: call_id.to_string(),
                caller: m.caller().map(str::to_string),
            },
            r.get(2),
        )
    }))
}

async fn run_tool(
    app: &App,
    context: &Option<(CallContext, Vec<String>)>,
    call: &ToolCall,
) -> std::result::Result<String, String> {
    let (cx, enabled) = context
        .as_ref()
        .ok_or("This phone line is not set up for tools.")?;
    if tools::find(&call.name).is_none() || !enabled.contains(&call.name) {
        return Err(format!("There is no tool named {}.", call.name));
    }
    let arguments = call.arguments.as_ref().map_err(Clone::clone)?;
    tools::run(app, cx, &call.id, &call.name, arguments).await
}

/// One result per call, in order, with its exact id; failures as `error`.
async fn tool_calls(app: &App, m: &Message) -> Value {
    let calls = m.tool_calls();
    let context = match call_context(app, m).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "tool-calls: no context");
            None
        }
    };
    let mut results = Vec::with_capacity(calls.len());
    for call in &calls {
        let entry = match run_tool(app, &context, call).await {
            Ok(result) => {
                json!({"toolCallId": call.id, "name": call.name, "result": tools::one_line(&result)})
            }
            Err(error) => {
                json!({"toolCallId": call.id, "name": call.name, "error": tools::one_line(&error)})
            }
        };
        results.push(entry);
    }
    json!({ "results": results })
}

/// The legacy `function-call` (`functionCall: {name, parameters}`), answered `{result}`.
async fn function_call(app: &App, m: &Message) -> Value {
    let call = ToolCall::from_value(m.function_call.as_ref().unwrap_or(&Value::Null));
    let context = call_context(app, m).await.ok().flatten();
    match run_tool(app, &context, &call).await {
        Ok(result) => json!({ "result": tools::one_line(&result) }),
        Err(error) => json!({ "result": tools::one_line(&error) }),
    }
}

// ------------------------------------------------- knowledge and transfer ----

/// The last thing the caller said, from the request's `messages`.
fn last_user_text(m: &Message) -> Option<String> {
    let messages: Vec<Value> = serde_json::from_str(m.messages.as_ref()?.get()).ok()?;
    messages.iter().rev().find_map(|msg| {
        (msg["role"] == "user")
            .then(|| msg["content"].as_str().or(msg["message"].as_str()))
            .flatten()
            .map(str::to_string)
    })
}

async fn knowledge_base(app: &App, m: &Message) -> Result<Value> {
    let Some((cx, _)) = call_context(app, m).await? else {
        return Ok(json!({"documents": []}));
    };
    let Some(query) = last_user_text(m) else {
        return Ok(json!({"documents": []}));
    };
    let found = agents::knowledge::search(app, cx.agent_id, &query, 3).await?;
    Ok(json!({"documents": found.iter().map(|f| json!({
        "content": format!("{}: {}", f.title, f.body),
        "similarity": f.rank,
        "uuid": f.id.to_string(),
    })).collect::<Vec<_>>()}))
}

async fn transfer_destination(app: &App, m: &Message) -> Result<Value> {
    let fallback: Option<String> = match call_context(app, m).await? {
        Some((cx, _)) => app
            .db
            .get()
            .await?
            .query_one(
                "SELECT profile->>'fallback_phone' FROM agents WHERE id = $1",
                &[&cx.agent_id],
            )
            .await?
            .get(0),
        None => None,
    };
    Ok(match fallback.filter(|n| !n.trim().is_empty()) {
        Some(number) => json!({
            "destination": {"type": "number", "number": number, "message": "Transferring you now."},
            "message": {"type": "request-start", "content": "One moment please."}
        }),
        None => {
            json!({"error": "There is no one to transfer to. Offer to take a message instead."})
        }
    })
}
