//! Tool use: the `tool-calls` delivery (with one `hang` when the server is
//! slow), and the answer checked the way Vapi does.

use super::delivery::{post, target, Attempt};
use super::{round, Sim, CANT_HELP, NO_RESULT};
use crate::call::Turn;
use crate::util::random_alnum;
use bytes::Bytes;
use serde_json::{json, Value};

enum ToolOutcome {
    Result(String),
    Error(String),
    Failed,
}

impl Sim {
    /// The function tool named `name`: inline in `model.tools` or stored and
    /// listed in `model.toolIds`.
    pub(super) fn find_tool(&self, name: &str) -> Option<Value> {
        let is_it = |t: &Value| t["type"] == "function" && t["function"]["name"] == name;
        if let Some(t) = self.assistant["model"]["tools"]
            .as_array()
            .and_then(|ts| ts.iter().find(|t| is_it(t)))
        {
            return Some(t.clone());
        }
        let ids = self.assistant["model"]["toolIds"].as_array()?;
        let st = self.app.lock();
        ids.iter()
            .filter_map(Value::as_str)
            .filter_map(|id| st.tool(id))
            .find(|t| is_it(t))
            .cloned()
    }

    /// Runs a tool: tool_calls turn, the `tool-calls` delivery (with one
    /// `hang` if slow), the tool_call_result turn and the bot's reply.
    /// Returns what the bot said and whether the tool gave a result.
    pub(super) async fn tool_step(
        &mut self,
        name: &'static str,
        args: Value,
        t0: i64,
        slot: i64,
    ) -> (String, bool) {
        let kind = "tool-calls";
        let Some(tool) = self.find_tool(name) else {
            self.speak("bot", CANT_HELP, t0, slot * 3 / 4).await;
            return (CANT_HELP.to_string(), false);
        };
        let call_id = format!("call_{}", random_alnum(24));
        let args_text = args.to_string();
        let wire_args = if self.knobs.arguments_as_string {
            json!(args_text)
        } else {
            args.clone()
        };
        let tc = json!({"id": call_id, "type": "function",
                        "function": {"name": name, "arguments": wire_args}});
        let artifact_call = json!({"id": call_id, "type": "function",
                                   "function": {"name": name, "arguments": args_text}});
        let tc_msg = json!({
            "role": "tool_calls", "message": "", "time": t0,
            "secondsFromStart": round((t0 - self.start) as f64 / 1000.0, 3),
            "toolCalls": [artifact_call]
        });
        let turn = Turn {
            role: "tool",
            text: format!("{name}({args_text})"),
        };
        self.commit(tc_msg, turn, t0).await;

        let mut with_call = json!({
            "type": "function",
            "async": tool["async"].as_bool().unwrap_or(false),
            "function": tool["function"],
            "messages": tool.get("messages").cloned().unwrap_or(json!([])),
            "toolCall": tc,
        });
        if tool["server"].is_object() {
            with_call["server"] = tool["server"].clone();
        }
        let mut m = self.base(kind, t0);
        m.insert("toolCalls".into(), json!([tc]));
        m.insert("toolCallList".into(), json!([tc]));
        m.insert("toolWithToolCallList".into(), json!([with_call]));
        m.insert(
            "artifact".into(),
            json!({"messages": self.call.messages,
                   "messagesOpenAIFormatted": self.openai_messages()}),
        );
        m.insert(
            "assistant".into(),
            match self.assistant.get("name") {
                Some(n) => json!({ "name": n }),
                None => json!({}),
            },
        );

        let t = target(
            &[
                &tool["server"],
                &self.assistant["server"],
                &self.number["server"],
            ],
            self.app.cfg.server_url.as_deref(),
        );
        let outcome = match t {
            None => {
                self.record_no_target(kind, None);
                ToolOutcome::Failed
            }
            Some(t) => {
                let app = self.app.clone();
                let body = Self::envelope(m);
                let tt = t.clone();
                let mut task = tokio::spawn(async move { post(&app, &tt, body, tt.timeout).await });
                let hang = tokio::time::sleep(self.app.cfg.hang_after);
                tokio::pin!(hang);
                let mut hung = false;
                let a = loop {
                    tokio::select! {
                        r = &mut task => break r.unwrap_or_else(|e| Attempt {
                            status: None, body: Bytes::new(), ms: 0,
                            error: Some(format!("delivery task failed: {e}")),
                        }),
                        _ = &mut hang, if !hung => {
                            hung = true;
                            let ms = self.app.cfg.hang_after.as_millis() as i64;
                            let mut h = self.base("hang", t0 + ms);
                            h.insert("artifact".into(), json!({"messages": self.call.messages}));
                            self.notify("hang", h).await;
                        }
                    }
                };
                let idx = self.record(kind, None, &t.url, &a);
                match evaluate(&a, &call_id, name) {
                    Ok(o) => o,
                    Err(why) => {
                        self.delivery_problem(idx, kind, format!("no result returned: {why}"));
                        ToolOutcome::Failed
                    }
                }
            }
        };
        let t1 = t0 + slot / 10;
        let (result_text, spoken, ok) = match &outcome {
            ToolOutcome::Result(r) => (r.clone(), r.clone(), true),
            ToolOutcome::Error(e) => (e.clone(), format!("Sorry, I couldn't do that: {e}"), false),
            ToolOutcome::Failed => {
                let failed = tool["messages"].as_array().and_then(|ms| {
                    ms.iter()
                        .find(|m| m["type"] == "request-failed")
                        .and_then(|m| m["content"].as_str())
                        .map(str::to_string)
                });
                (
                    "No result returned.".to_string(),
                    failed.unwrap_or_else(|| NO_RESULT.to_string()),
                    false,
                )
            }
        };
        let res_msg = json!({
            "role": "tool_call_result", "toolCallId": call_id, "name": name,
            "result": result_text, "time": t1,
            "secondsFromStart": round((t1 - self.start) as f64 / 1000.0, 3)
        });
        let label = match &outcome {
            ToolOutcome::Result(r) => format!("{name} → {r}"),
            ToolOutcome::Error(e) => format!("{name} → error: {e}"),
            ToolOutcome::Failed => format!("{name} → no result returned"),
        };
        self.commit(
            res_msg,
            Turn {
                role: "tool",
                text: label,
            },
            t1,
        )
        .await;
        self.speak("bot", &spoken, t0 + slot / 5, slot * 3 / 5)
            .await;
        (spoken, ok)
    }
}

/// Checks a tool-calls answer the way Vapi does (reference §1.4, §5.4).
fn evaluate(a: &Attempt, call_id: &str, name: &str) -> Result<ToolOutcome, String> {
    if let Some(e) = &a.error {
        return Err(e.clone());
    }
    match a.status {
        Some(200) => {}
        Some(s) => return Err(format!("HTTP {s} (Vapi needs 200)")),
        None => return Err("no HTTP status".into()),
    }
    let v: Value =
        serde_json::from_slice(&a.body).map_err(|_| "the answer is not JSON".to_string())?;
    let Some(results) = v["results"].as_array() else {
        return Err("the answer has no results[] array".into());
    };
    let Some(r) = results.iter().find(|r| r["toolCallId"] == call_id) else {
        let got: Vec<String> = results
            .iter()
            .map(|r| r["toolCallId"].to_string())
            .collect();
        return Err(format!(
            "no results[] entry has toolCallId {call_id:?} (got {})",
            if got.is_empty() {
                "none".to_string()
            } else {
                got.join(", ")
            }
        ));
    };
    if let Some(n) = r.get("name").filter(|n| !n.is_null()) {
        if n != name {
            return Err(format!(
                "results[].name {n} does not match the called tool {name:?}"
            ));
        }
    }
    let single_line = |key: &str| -> Result<Option<String>, String> {
        match r.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.contains('\n') || s.contains('\r') => Err(format!(
                "{key} must be a single line (it contains a line break)"
            )),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!(
                "{key} must be a string, not {}",
                match other {
                    Value::Object(_) => "an object",
                    Value::Array(_) => "an array",
                    Value::Number(_) => "a number",
                    _ => "a boolean",
                }
            )),
        }
    };
    let result = single_line("result")?;
    let error = single_line("error")?;
    let spoken = r["message"]["content"]
        .as_str()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string);
    match (result, error) {
        (_, Some(e)) => Ok(ToolOutcome::Error(e)),
        (Some(r), None) => Ok(ToolOutcome::Result(spoken.unwrap_or(r))),
        (None, None) => Err("the results[] entry has neither result nor error".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_answers_are_checked_like_vapi() {
        let a = |status: u16, body: &str| Attempt {
            status: Some(status),
            body: Bytes::from(body.to_string()),
            ms: 1,
            error: None,
        };
        let ok = a(
            200,
            r#"{"results":[{"toolCallId":"c1","result":"Open 9-5"}]}"#,
        );
        assert!(matches!(evaluate(&ok, "c1", "t"), Ok(ToolOutcome::Result(r)) if r == "Open 9-5"));
        assert!(evaluate(&ok, "c2", "t").is_err());
        let multi = a(200, r#"{"results":[{"toolCallId":"c1","result":"a\nb"}]}"#);
        assert!(evaluate(&multi, "c1", "t").is_err());
        let obj = a(200, r#"{"results":[{"toolCallId":"c1","result":{"x":1}}]}"#);
        assert!(evaluate(&obj, "c1", "t").is_err());
        let s500 = a(500, r#"{"results":[{"toolCallId":"c1","result":"x"}]}"#);
        assert!(evaluate(&s500, "c1", "t").is_err());
        let err = a(200, r#"{"results":[{"toolCallId":"c1","error":"down"}]}"#);
        assert!(matches!(evaluate(&err, "c1", "t"), Ok(ToolOutcome::Error(e)) if e == "down"));
    }
}
