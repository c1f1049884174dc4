//! `tool-calls` (and the legacy `function-call`), `knowledge-base-request`
//! and `transfer-destination-request`: always answered from the agent of
//! the call, found through the call or else its number.

use crate::agents::{self, AgentRecord};
use crate::app::App;
use crate::calls::{self, CallContext};
use crate::error::Result;
use crate::tools::{self, Answer};
use crate::vapi::message::{Message, ToolCall};
use crate::{api::ToolName, numbers};
use serde_json::{json, Value};

/// The agent a message's call belongs to, and the call as tools see it.
struct Context {
    call: CallContext,
    agent: AgentRecord,
}

async fn call_context(app: &App, m: &Message) -> Result<Option<Context>> {
    let call_id = m.call_id().unwrap_or_default();
    let db = app.db.get().await?;
    let agent_id = match calls::agent_of(&db, call_id).await? {
        Some(id) => Some(id),
        None => numbers::agent_of(&db, m.phone_number_id().unwrap_or_default()).await?,
    };
    let Some(agent) = (match agent_id {
        Some(id) => agents::record_of(&db, id).await?,
        None => None,
    }) else {
        return Ok(None);
    };
    Ok(Some(Context {
        call: CallContext {
            agent_id: agent.id,
            account_id: agent.account_id,
            vapi_call_id: call_id.to_string(),
            caller: m.caller().map(str::to_string),
        },
        agent,
    }))
}

/// What the model is told for one tool call.
async fn run_tool(app: &App, context: &Option<Context>, call: &ToolCall) -> Answer {
    let Some(cx) = context else {
        return Answer::Error("This phone line is not set up for tools.".into());
    };
    let Some(name) = call
        .name
        .parse::<ToolName>()
        .ok()
        .filter(|t| cx.agent.has_tool(*t))
    else {
        return Answer::Error(format!("There is no tool named {}.", call.name));
    };
    let arguments = match &call.arguments {
        Ok(arguments) => arguments,
        Err(why) => return Answer::Error(why.clone()),
    };
    match tools::run(app, &cx.call, &call.id, name, arguments).await {
        Ok(answer) => answer,
        Err(e) => {
            tracing::warn!(error = %e, tool = %name, "tool failed");
            Answer::Error(tools::def(name).on_failure.to_string())
        }
    }
}

/// One result per call, in order, with its exact id; failures as `error`.
pub(super) async fn tool_calls(app: &App, m: &Message) -> Value {
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
            Answer::Result(result) => {
                json!({"toolCallId": call.id, "name": call.name, "result": tools::one_line(&result)})
            }
            Answer::Error(error) => {
                json!({"toolCallId": call.id, "name": call.name, "error": tools::one_line(&error)})
            }
        };
        results.push(entry);
    }
    json!({ "results": results })
}

/// The legacy `function-call` (`functionCall: {name, parameters}`), answered `{result}`.
pub(super) async fn function_call(app: &App, m: &Message) -> Value {
    let call = ToolCall::from_value(m.function_call.as_ref().unwrap_or(&Value::Null));
    let context = call_context(app, m).await.ok().flatten();
    match run_tool(app, &context, &call).await {
        Answer::Result(text) | Answer::Error(text) => json!({ "result": tools::one_line(&text) }),
    }
}

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

pub(super) async fn knowledge_base(app: &App, m: &Message) -> Result<Value> {
    let Some(cx) = call_context(app, m).await? else {
        return Ok(json!({"documents": []}));
    };
    let Some(query) = last_user_text(m) else {
        return Ok(json!({"documents": []}));
    };
    let found = agents::knowledge::search(app, cx.agent.id, &query, 3).await?;
    Ok(json!({"documents": found.iter().map(|f| json!({
        "content": format!("{}: {}", f.title, f.body),
        "similarity": f.rank,
        "uuid": f.id.to_string(),
    })).collect::<Vec<_>>()}))
}

pub(super) async fn transfer_destination(app: &App, m: &Message) -> Result<Value> {
    let fallback = call_context(app, m)
        .await?
        .and_then(|cx| cx.agent.fallback_number());
    Ok(match fallback {
        Some(number) => json!({
            "destination": {"type": "number", "number": number, "message": "Transferring you now."},
            "message": {"type": "request-start", "content": "One moment please."}
        }),
        None => {
            json!({"error": "There is no one to transfer to. Offer to take a message instead."})
        }
    })
}
