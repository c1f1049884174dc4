//! `take_message`: the caller's name, number, reason and urgency, into the
//! owner's messages inbox. A redelivered tool call adds nothing.

use super::{one_line, string_arg, CallContext, ToolDef};
use crate::app::App;
use serde_json::{json, Value};

pub const DEF: ToolDef = ToolDef {
    name: "take_message",
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
                "urgency": {"type": "string", "enum": ["low", "normal", "urgent"]}
            },
            "required": ["caller_name", "reason"]
        })
    },
    request_start: Some("One moment while I write that down."),
};

pub async fn run(
    app: &App,
    cx: &CallContext,
    tool_call_id: &str,
    arguments: &Value,
) -> Result<String, String> {
    let name = string_arg(arguments, "caller_name").ok_or("Ask for the caller's name first.")?;
    let reason = string_arg(arguments, "reason").ok_or("Ask what the message is about first.")?;
    let number = string_arg(arguments, "caller_number")
        .map(str::to_string)
        .or_else(|| cx.caller.clone())
        .ok_or("Ask for a number to call back first.")?;
    let urgency = match string_arg(arguments, "urgency").map(str::to_ascii_lowercase) {
        None => "normal".to_string(),
        Some(u) if ["low", "normal", "urgent"].contains(&u.as_str()) => u,
        Some(u) if u == "high" || u == "emergency" => "urgent".to_string(),
        Some(_) => "normal".to_string(),
    };
    let clip = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    crate::inbox::record(
        app,
        cx,
        &format!("{}:{tool_call_id}", cx.vapi_call_id),
        &clip(name, 200),
        &clip(&number, 40),
        &clip(reason, 4000),
        &urgency,
    )
    .await
    .map_err(|e| {
        tracing::warn!(error = %e, "take_message failed");
        "The message could not be saved. Apologise and ask the caller to call back later."
            .to_string()
    })?;
    Ok(one_line(&format!(
        "Message saved for the team: {name}, {number}, about: {reason}. Tell the caller the team will get back to them."
    )))
}
