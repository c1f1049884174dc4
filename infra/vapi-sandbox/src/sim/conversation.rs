//! The conversation: the scripted turns of each scenario, spoken with
//! `conversation-update` after every turn, and a forwarded call.

use super::scenario::Scenario;
use super::{round, sentence, substitute, Sim, CANT_HELP, GOODBYE};
use crate::call::Turn;
use crate::util::now_ms;
use serde_json::{json, Value};

enum Step {
    Bot(String),
    User(String),
    Tool(&'static str, Value),
}

impl Sim {
    fn text_var(&self, key: &str) -> Option<String> {
        self.assistant[key]
            .as_str()
            .map(|s| substitute(s, &self.vars))
            .filter(|s| !s.trim().is_empty())
    }

    fn plan(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        match self.assistant["firstMessageMode"].as_str() {
            Some("assistant-waits-for-user") => {}
            Some("assistant-speaks-first-with-model-generated-message") => steps.push(Step::Bot(
                "Hello, thanks for calling. How can I help you today?".into(),
            )),
            _ => {
                if let Some(f) = self.text_var("firstMessage") {
                    steps.push(Step::Bot(f));
                }
            }
        }
        let goodbye = self
            .text_var("endCallMessage")
            .unwrap_or_else(|| GOODBYE.to_string());
        let tool = |name: &'static str, args: Value| {
            if self.find_tool(name).is_some() {
                Step::Tool(name, args)
            } else {
                Step::Bot(CANT_HELP.into())
            }
        };
        let k = &self.knobs;
        match self.scenario {
            Scenario::OpeningHours => {
                steps.push(Step::User("Hi, what are your opening hours?".into()));
                steps.push(tool(
                    "lookup_business_info",
                    json!({"query": "opening hours"}),
                ));
                steps.push(Step::User("Great, thank you. Bye!".into()));
                steps.push(Step::Bot(goodbye));
            }
            Scenario::Faq => {
                steps.push(Step::User(k.question.clone()));
                steps.push(tool("lookup_business_info", json!({"query": k.question})));
                steps.push(Step::User("Thanks, that's all I needed. Bye!".into()));
                steps.push(Step::Bot(goodbye));
            }
            Scenario::Message => {
                steps.push(Step::User(
                    "Hi, I'd like to leave a message for the owner, please.".into(),
                ));
                steps.push(Step::Bot(
                    "Of course. May I have your name and what the message is about?".into(),
                ));
                steps.push(Step::User(format!("It's {}. {}", k.caller_name, k.reason)));
                steps.push(tool(
                    "take_message",
                    json!({"caller_name": k.caller_name, "caller_number": k.caller,
                           "reason": k.reason, "urgency": k.urgency}),
                ));
                steps.push(Step::User("Thanks. Bye!".into()));
                steps.push(Step::Bot(goodbye));
            }
            Scenario::Hangup5s => {}
            Scenario::Silence => steps.push(Step::Bot("Are you still there?".into())),
        }
        steps
    }

    fn duration_ms(&self) -> i64 {
        i64::from(
            self.knobs
                .duration_seconds
                .unwrap_or(self.scenario.default_seconds()),
        ) * 1000
    }

    /// The call is answered: `status-update` ringing, then `startedAt` and
    /// `status-update` in-progress.
    async fn pick_up(&mut self) {
        self.vapi_status = "ringing";
        let m = self.status_update("ringing", now_ms());
        self.notify("status-update", m).await;
        self.start = now_ms();
        self.call.started_ms = Some(self.start);
        self.call.status = "in-progress";
        self.vapi_status = "in-progress";
        self.publish();
        let m = self.status_update("in-progress", self.start);
        self.notify("status-update", m).await;
    }

    pub(super) async fn converse(&mut self) {
        self.pick_up().await;

        if let Some(prompt) = self.assistant["model"]["messages"]
            .as_array()
            .and_then(|ms| {
                ms.iter()
                    .find(|m| m["role"] == "system")
                    .and_then(|m| m["content"].as_str())
            })
        {
            let prompt = substitute(prompt, &self.vars);
            self.call.messages.push(json!({
                "role": "system", "message": prompt, "time": self.start, "secondsFromStart": 0
            }));
        }

        let steps = self.plan();
        let d = self.duration_ms();
        let lead = (d / 10).min(1000);
        let n = steps.len().max(1) as i64;
        let slot = ((d - lead) / n).max(1);
        let mut answer: Option<String> = None;
        let mut tool_ok = false;
        for (i, step) in steps.into_iter().enumerate() {
            let t0 = self.start + lead + slot * i as i64;
            match step {
                Step::Bot(text) => self.speak("bot", &text, t0, slot * 3 / 4).await,
                Step::User(text) => self.speak("user", &text, t0, slot * 3 / 4).await,
                Step::Tool(name, args) => {
                    let (spoken, ok) = self.tool_step(name, args, t0, slot).await;
                    answer = Some(spoken);
                    tool_ok = ok;
                }
            }
        }
        let k = &self.knobs;
        let said = answer.clone().unwrap_or_else(|| CANT_HELP.to_string());
        self.summary = Some(match self.scenario {
            Scenario::OpeningHours => format!(
                "The caller asked about opening hours and was told: {}",
                sentence(&said)
            ),
            Scenario::Faq => format!(
                "The caller asked \"{}\" and was told: {}",
                k.question,
                sentence(&said)
            ),
            Scenario::Message if tool_ok => format!(
                "{} ({}) left a message with {} urgency: {}",
                k.caller_name,
                k.caller,
                k.urgency,
                sentence(&k.reason)
            ),
            Scenario::Message => format!(
                "{} tried to leave a message but it could not be taken; the assistant said: {}",
                k.caller_name,
                sentence(&said)
            ),
            Scenario::Hangup5s => {
                "The caller hung up right after the greeting without saying anything.".into()
            }
            Scenario::Silence => format!(
                "The caller never spoke and the call ended after {} seconds of silence.",
                d / 1000
            ),
        });
        self.success = tool_ok;
        let reason = self.scenario.ended_reason();
        self.finish(reason, Some(self.start + d)).await;
    }

    /// Commits an artifact message and a turn, then sends conversation-update.
    pub(super) async fn commit(&mut self, message: Value, turn: Turn, ts: i64) {
        self.call.messages.push(message);
        self.call.turns.push(turn);
        self.publish();
        if self.wants("conversation-update") {
            let mut m = self.base("conversation-update", ts);
            m.insert("messages".into(), json!(self.call.messages));
            m.insert("messagesOpenAIFormatted".into(), self.openai_messages());
            m.insert(
                "artifact".into(),
                json!({"messages": self.call.messages,
                       "messagesOpenAIFormatted": self.openai_messages()}),
            );
            self.notify("conversation-update", m).await;
        }
    }

    pub(super) async fn speak(&mut self, role: &'static str, text: &str, t: i64, max_ms: i64) {
        let dur = speech_ms(text).min(max_ms.max(1));
        let mut msg = json!({
            "role": role, "message": text, "time": t, "endTime": t + dur,
            "secondsFromStart": round((t - self.start) as f64 / 1000.0, 3), "duration": dur
        });
        if role == "bot" {
            msg["source"] = json!("");
        }
        let turn = Turn {
            role,
            text: text.to_string(),
        };
        self.commit(msg, turn, t + dur).await;
    }

    pub(super) fn openai_messages(&self) -> Value {
        let out: Vec<Value> = self
            .call
            .messages
            .iter()
            .filter_map(|m| match m["role"].as_str()? {
                "system" => Some(json!({"role": "system", "content": m["message"]})),
                "bot" => Some(json!({"role": "assistant", "content": m["message"]})),
                "user" => Some(json!({"role": "user", "content": m["message"]})),
                "tool_calls" => Some(json!({"role": "assistant", "tool_calls": m["toolCalls"]})),
                "tool_call_result" => Some(json!({"role": "tool",
                    "tool_call_id": m["toolCallId"], "content": m["result"]})),
                _ => None,
            })
            .collect();
        Value::Array(out)
    }

    pub(super) async fn forward(&mut self, dest: Value) {
        self.pick_up().await;
        let text = dest["message"].as_str().map(str::trim).unwrap_or_default();
        if !text.is_empty() {
            self.speak("bot", text, self.start + 300, 10_000).await;
        }
        let to = dest["number"]
            .as_str()
            .or(dest["sipUri"].as_str())
            .unwrap_or_default()
            .to_string();
        self.vapi_status = "forwarding";
        let mut m = self.status_update("forwarding", self.start + 1000);
        m.insert("destination".into(), dest.clone());
        m.insert("messages".into(), json!(self.call.messages));
        m.insert("messagesOpenAIFormatted".into(), self.openai_messages());
        m.insert("transcript".into(), json!(self.transcript()));
        m.insert(
            "summary".into(),
            json!(format!("The call was forwarded to {to}.")),
        );
        self.notify("status-update", m).await;
        self.summary = Some(format!(
            "The call was forwarded to {to} without an AI conversation."
        ));
        let d = i64::from(self.knobs.duration_seconds.unwrap_or(20)) * 1000;
        self.finish("assistant-forwarded-call", Some(self.start + d))
            .await;
    }
}

/// How long a line takes to say: ~15 characters a second, at least 800 ms.
pub(super) fn speech_ms(text: &str) -> i64 {
    (text.chars().count() as i64 * 1000 / 15).max(800)
}
