//! `lookup_business_info`: answers a question from the agent's business
//! profile and FAQs (PostgreSQL full-text search over `agent_knowledge`).

use super::{one_line, string_arg, Answer, ToolDef};
use crate::agents::knowledge;
use crate::api::ToolName;
use crate::app::App;
use crate::calls::CallContext;
use crate::error::Error;
use serde_json::{json, Value};

pub const DEF: ToolDef = ToolDef {
    name: ToolName::LookupBusinessInfo,
    title: "Answer questions",
    description: "Looks up answers in your business profile: hours, services and prices, address, FAQs.",
    model_description: "Look up facts about the business (opening hours, closures, services, prices, address, policies, FAQs). Call it before answering any question about the business; answer only from what it returns.",
    parameters: || {
        json!({
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "The caller's question, in a few words, e.g. 'opening hours' or 'do you have parking'."}
            },
            "required": ["query"]
        })
    },
    request_start: None,
    on_failure: "The business information is not available right now.",
};

/// How many facts an answer carries at most.
const MAX_FACTS: i64 = 3;

pub async fn run(app: &App, cx: &CallContext, arguments: &Value) -> Result<Answer, Error> {
    let Some(query) = string_arg(arguments, "query").or_else(|| string_arg(arguments, "question"))
    else {
        return Ok(Answer::Error(
            "Missing the query: say what the caller asked.".into(),
        ));
    };
    let facts = knowledge::search(app, cx.agent_id, query, MAX_FACTS).await?;
    if facts.is_empty() {
        return Ok(Answer::Result(
            "No information found about that. Say you don't know and offer to take a message."
                .into(),
        ));
    }
    Ok(Answer::Result(one_line(
        &facts
            .iter()
            .map(|f| match f.title.ends_with('?') {
                // An FAQ: the question, then its answer.
                true => format!("{} {}", f.title, f.body),
                false => format!("{}: {}", f.title, f.body),
            })
            .collect::<Vec<_>>()
            .join(" | "),
    )))
}
