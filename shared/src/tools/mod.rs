//! The tools an agent's LLM can call through Vapi (`tool-calls`). Each tool
//! is one module: its definition (name, what the owner reads, the JSON
//! schema the model fills) and `run`. Adding a tool = one module, one
//! line in [`ALL`] and in [`run`].

pub mod lookup_business_info;
pub mod take_message;

use crate::api::ToolName;
use crate::app::App;
use crate::calls::CallContext;
use crate::error::Error;
use serde_json::Value;

/// A tool as the owner chooses it and as the model sees it.
pub struct ToolDef {
    /// The function name the model calls.
    pub name: ToolName,
    /// For owners, in the dashboard.
    pub title: &'static str,
    pub description: &'static str,
    /// For the model: when to call it.
    pub model_description: &'static str,
    /// The JSON schema of its arguments.
    pub parameters: fn() -> Value,
    /// Spoken while the tool runs (Vapi's `request-start` message).
    pub request_start: Option<&'static str>,
    /// What the model is told when the tool fails on our side (the failure
    /// itself goes to the log).
    pub on_failure: &'static str,
}

pub const ALL: &[&ToolDef] = &[&lookup_business_info::DEF, &take_message::DEF];

/// The definition of `name` (every tool name has one).
pub fn def(name: ToolName) -> &'static ToolDef {
    match name {
        ToolName::LookupBusinessInfo => &lookup_business_info::DEF,
        ToolName::TakeMessage => &take_message::DEF,
    }
}

/// What a tool answers the model: a `result` to use, or an `error` the
/// model must act on (a missing argument, say). A failure of ours is the
/// `Err` of [`run`], not one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Result(String),
    Error(String),
}

/// Runs tool `name` for the call.
pub async fn run(
    app: &App,
    cx: &CallContext,
    tool_call_id: &str,
    name: ToolName,
    arguments: &Value,
) -> Result<Answer, Error> {
    match name {
        ToolName::LookupBusinessInfo => lookup_business_info::run(app, cx, arguments).await,
        ToolName::TakeMessage => take_message::run(app, cx, tool_call_id, arguments).await,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_name_has_its_definition_once() {
        for name in ToolName::ALL {
            assert_eq!(def(*name).name, *name);
            assert_eq!(ALL.iter().filter(|t| t.name == *name).count(), 1);
        }
    }
}
