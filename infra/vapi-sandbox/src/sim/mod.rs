//! The call simulator: a simulated inbound call plays a scenario by sending
//! Vapi's real server messages (reference §1) in Vapi's order, acting as a
//! deterministic LLM that follows the assistant it is given.
//!
//! Time is virtual: `startedAt` is when `in-progress` is sent, `endedAt` is
//! `startedAt` + the scenario's duration, turn times are spread over that
//! span, and deliveries happen as fast as the server answers.
//!
//! Here: the simulation state ([`Sim`]), its start ([`run`]) and the first
//! steps of a call. Its parts: `scenario` (scenarios and knobs),
//! `assistant` (which assistant answers), `conversation` (the scripted
//! turns, forwarding), `tools` (tool-calls and their answers), `delivery`
//! (where messages go, the POSTs and their record) and `report` (the end of
//! the call: status-update ended, end-of-call-report, costs). The call
//! record itself is `crate::call`, kept by the state in `crate::app`.

mod assistant;
mod conversation;
mod delivery;
mod report;
mod scenario;
mod tools;

pub use scenario::{parse_call_request, Knobs, Scenario};

use crate::app::App;
use crate::call::{Call, Turn};
use crate::util::{iso, now_ms};
use assistant::Resolved;
use conversation::speech_ms;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// What the caller hears when the assistant has no tool for the request.
pub const CANT_HELP: &str = "I'm sorry, I can't help with that right now.";
/// What the caller hears when a tool delivery failed ("no result returned").
pub const NO_RESULT: &str = "Sorry, I couldn't find that.";
const GOODBYE: &str = "Thank you for calling. Goodbye!";

/// `assistant.serverMessages` when the assistant sets none.
pub const DEFAULT_SERVER_MESSAGES: &[&str] = &[
    "conversation-update",
    "end-of-call-report",
    "function-call",
    "hang",
    "speech-update",
    "status-update",
    "tool-calls",
    "transfer-destination-request",
    "handoff-destination-request",
    "user-interrupted",
    "assistant.started",
];

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// `text` as a sentence end: no doubled full stop.
fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// Replaces `{{name}}` placeholders with variable values.
fn substitute(text: &str, vars: &Map<String, Value>) -> String {
    let mut out = text.to_string();
    for (k, v) in vars {
        let val = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        for pat in [format!("{{{{{k}}}}}"), format!("{{{{ {k} }}}}")] {
            out = out.replace(&pat, &val);
        }
    }
    out
}

pub(crate) struct Sim {
    app: Arc<App>,
    call: Call,
    number: Value,
    scenario: Scenario,
    knobs: Knobs,
    assistant: Value,
    vars: Map<String, Value>,
    server_messages: Vec<String>,
    /// The Vapi status in message snapshots.
    vapi_status: &'static str,
    start: i64,
    summary: Option<String>,
    success: bool,
}

/// Plays the call to its end.
pub(crate) async fn run(
    app: Arc<App>,
    call: Call,
    number: Value,
    scenario: Scenario,
    knobs: Knobs,
) {
    let mut number = number;
    if let Some(o) = number.as_object_mut() {
        o.remove("twilioAuthToken");
        o.remove("twilioApiSecret");
    }
    let mut sim = Sim {
        app,
        call,
        number,
        scenario,
        knobs,
        assistant: Value::Null,
        vars: Map::new(),
        server_messages: DEFAULT_SERVER_MESSAGES
            .iter()
            .map(|s| s.to_string())
            .collect(),
        vapi_status: "ringing",
        start: now_ms(),
        summary: None,
        success: false,
    };
    sim.play().await;
}

impl Sim {
    fn publish(&mut self) {
        self.call.updated_ms = now_ms();
        let c = self.call.clone();
        self.app.lock().put_call(c);
    }

    fn problem(&mut self, p: String) {
        if !self.call.problems.contains(&p) {
            self.call.problems.push(p);
        }
    }

    fn wants(&self, kind: &str) -> bool {
        matches!(kind, "assistant-request" | "tool-calls")
            || self.server_messages.iter().any(|m| m == kind)
    }

    fn customer(&self) -> Value {
        json!({"number": self.call.customer})
    }

    fn call_json(&self) -> Value {
        let mut c = json!({
            "id": self.call.id,
            "orgId": self.app.cfg.org_id,
            "type": "inboundPhoneCall",
            "status": self.vapi_status,
            "phoneCallProvider": self.call.provider,
            "phoneCallTransport": "pstn",
            "phoneNumberId": self.call.phone_number_id,
            "customer": self.customer(),
            "createdAt": iso(self.call.created_ms),
            "updatedAt": iso(now_ms().max(self.call.created_ms)),
        });
        if let Some(a) = &self.call.assistant_id {
            c["assistantId"] = json!(a);
        }
        c
    }

    fn base(&self, kind: &str, ts: i64) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("type".into(), json!(kind));
        m.insert("timestamp".into(), json!(ts));
        m.insert("call".into(), self.call_json());
        m.insert("phoneNumber".into(), self.number.clone());
        m.insert("customer".into(), self.customer());
        m
    }

    fn status_update(&self, status: &str, ts: i64) -> Map<String, Value> {
        let mut m = self.base("status-update", ts);
        m.insert("status".into(), json!(status));
        m
    }

    // -------------------------------------------------------------- flow

    async fn play(&mut self) {
        self.publish();
        let stored = self.number["assistantId"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let resolved = match stored {
            Some(id) => {
                let a = self.app.lock().assistant(&id).cloned();
                match a {
                    Some(a) => Resolved::Assistant(a, Some(id)),
                    None => {
                        self.problem(format!(
                            "the phone number's assistantId {id} is not an assistant of this sandbox"
                        ));
                        Resolved::Fail("assistant-not-found")
                    }
                }
            }
            None => self.assistant_request().await,
        };
        match resolved {
            Resolved::Assistant(a, id) => {
                self.use_assistant(a, id);
                self.converse().await;
            }
            Resolved::Error(text) => {
                let t = now_ms();
                self.speak_unstarted(&text, t);
                self.summary = Some(format!(
                    "The server refused the call and the caller heard: {}",
                    sentence(&text)
                ));
                self.finish("assistant-request-returned-error", None).await;
            }
            Resolved::Forward(dest) => self.forward(dest).await,
            Resolved::Fail(reason) => {
                self.summary = Some(format!(
                    "The call could not start ({reason}); the caller heard no assistant."
                ));
                self.finish(reason, None).await;
            }
        }
    }

    /// A bot line heard before the call started (the `error` text).
    fn speak_unstarted(&mut self, text: &str, t: i64) {
        let dur = speech_ms(text);
        self.call.messages.push(json!({
            "role": "bot", "message": text, "time": t, "endTime": t + dur,
            "secondsFromStart": 0, "duration": dur, "source": ""
        }));
        self.call.turns.push(Turn {
            role: "bot",
            text: text.to_string(),
        });
        self.publish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_and_substitution() {
        assert_eq!(sentence("Open 9 to 5."), "Open 9 to 5.");
        assert_eq!(sentence("Open 9 to 5"), "Open 9 to 5.");
        let vars = json!({"businessName": "Acme"});
        assert_eq!(
            substitute("Hi, {{businessName}} here", vars.as_object().unwrap()),
            "Hi, Acme here"
        );
    }
}
