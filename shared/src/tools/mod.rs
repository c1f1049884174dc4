//! The tools an agent's LLM can call through Vapi (`tool-calls`). Each tool
//! is one module: its definition (name, what the owner reads, the JSON
//! schema the model fills) and `run`. Adding a tool = one module plus one
//! line in [`ALL`] and in [`run`].

pub mod lookup_business_info;
pub mod take_message;

use crate::app::App;
use serde_json::Value;
use uuid::Uuid;

pub const LOOKUP_BUSINESS_INFO: &str = lookup_business_info::DEF.name;
pub const TAKE_MESSAGE: &str = take_message::DEF.name;

/// A tool as the owner chooses it and as the model sees it.
pub struct ToolDef {
    /// The function name the model calls (`^[a-zA-Z0-9_-]{1,64}$`).
    pub name: &'static str,
    /// For owners, in the dashboard.
    pub title: &'static str,
    pub description: &'static str,
    /// For the model: when to call it.
    pub model_description: &'static str,
    /// The JSON schema of its arguments.
    pub parameters: fn() -> Value,
    /// Spoken while the tool runs (Vapi's `request-start` message).
    pub request_start: Option<&'static str>,
}

pub const ALL: &[&ToolDef] = &[&lookup_business_info::DEF, &take_message::DEF];

pub fn find(name: &str) -> Option<&'static ToolDef> {
    ALL.iter().copied().find(|t| t.name == name)
}

/// Who a tool call is for: the agent answering and the call.
#[derive(Debug, Clone)]
pub struct CallContext {
    pub agent_id: Uuid,
    pub account_id: Uuid,
    pub vapi_call_id: String,
    /// The caller's number as Vapi saw it.
    pub caller: Option<String>,
}

/// Runs tool `name`; `Err` is the text of an `error` result.
pub async fn run(
    app: &App,
    cx: &CallContext,
    tool_call_id: &str,
    name: &str,
    arguments: &Value,
) -> Result<String, String> {
    match name {
        n if n == LOOKUP_BUSINESS_INFO => lookup_business_info::run(app, cx, arguments).await,
        n if n == TAKE_MESSAGE => take_message::run(app, cx, tool_call_id, arguments).await,
        other => Err(format!("Unknown tool {other}.")),
    }
}

/// A string argument, trimmed; `None` when absent or empty.
pub fn string_arg<'a>(arguments: &'a Value, name: &str) -> Option<&'a str> {
    arguments
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Tool results must be one line (Vapi's parser breaks on newlines).
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
