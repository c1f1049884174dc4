//! `take_message`: the caller's name, number, reason and urgency, into the
//! owner's messages inbox. A redelivered tool call adds nothing.

use super::{one_line, string_arg, Answer, ToolDef};
use crate::api::{MessageUrgency, ToolName};
use crate::app::App;
use crate::calls::CallContext;
use crate::error::Error;
use crate::inbox::{self, NewMessage};
use serde_json::{json, Value};

pub const DEF: ToolDef = ToolDef {
    name: ToolName::TakeMessage,
    title: "Take messages",
    description: "Takes a message (name, number, reason, urgency) and puts it in your Messages inbox.",
    model_description: "Leave a message for the business's team. Collect the caller's name, a callback number and the reason first, and read them back to the caller before calling this.",
    parameters: || {
        json!({
            "type": "object",
            "properties": {
                "caller_name": {"type": "string", "description": "The caller's name."},
                "caller_number": {"type": "string", "description": "A number to call back; the number they call from if they say so."},
                "reason": {"type": "string", "description": "What the message is about, with every detail the caller gave."},
                "urgency": {"type": "string", "enum": MessageUrgency::ALL}
            },
            "required": ["caller_name", "reason"]
        })
    },
    request_start: Some("One moment while I write that down."),
    on_failure:
        "The message could not be saved. Apologise and ask the caller to call back later.",
};

pub async fn run(
    app: &App,
    cx: &CallContext,
    tool_call_id: &str,
    arguments: &Value,
) -> Result<Answer, Error> {
    let ask = |what: &str| Ok(Answer::Error(format!("Ask for {what} first.")));
    let Some(name) = string_arg(arguments, "caller_name") else {
        return ask("the caller's name");
    };
    let Some(reason) = string_arg(arguments, "reason") else {
        return Ok(Answer::Error("Ask what the message is about first.".into()));
    };
    let Some(number) = string_arg(arguments, "caller_number")
        .map(str::to_string)
        .or_else(|| cx.caller.clone())
    else {
        return ask("a number to call back");
    };
    let urgency = match string_arg(arguments, "urgency").map(str::to_ascii_lowercase) {
        None => MessageUrgency::Normal,
        Some(u) if u == "high" || u == "emergency" => MessageUrgency::Urgent,
        Some(u) => u.parse().unwrap_or(MessageUrgency::Normal),
    };
    let clip = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    inbox::record(
        app,
        &NewMessage {
            account_id: cx.account_id,
            agent_id: cx.agent_id,
            vapi_call_id: cx.vapi_call_id.clone(),
            dedup_key: format!("{}:{tool_call_id}", cx.vapi_call_id),
            caller_name: clip(name, 200),
            caller_number: clip(&number, 40),
            reason: clip(reason, 4000),
            urgency,
        },
    )
    .await?;
    Ok(Answer::Result(one_line(&format!(
        "Message saved for the team: {name}, {number}, about: {reason}. Tell the caller the team will get back to them."
    ))))
}
