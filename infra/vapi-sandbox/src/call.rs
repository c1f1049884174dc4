//! The record of a call: what `GET /call/{id}` and the `/_sandbox/calls`
//! records show. The simulator (`sim`) fills it in; the state (`app`)
//! keeps it. It imports only `util`.

use crate::util::{iso, new_uuid, now_ms};
use serde_json::{json, Value};

#[derive(Clone, Debug)]
pub(crate) struct Delivery {
    pub type_: String,
    pub url: String,
    pub status: Option<u16>,
    pub ms: u64,
    pub response: Value,
    pub problem: Option<String>,
    /// The `status` of a status-update.
    pub detail: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Turn {
    pub role: &'static str,
    pub text: String,
}

/// A call: what `GET /call/{id}` and the `/_sandbox/calls` records show.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub id: String,
    pub web: bool,
    pub phone_number_id: Option<String>,
    pub number: Option<String>,
    pub provider: String,
    pub scenario: Option<String>,
    /// queued | ringing | in-progress | ended (`ended` once every delivery is done).
    pub status: &'static str,
    pub ended_reason: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub started_ms: Option<i64>,
    pub ended_ms: Option<i64>,
    pub assistant: Option<Value>,
    pub assistant_id: Option<String>,
    pub customer: Option<String>,
    pub turns: Vec<Turn>,
    pub messages: Vec<Value>,
    pub deliveries: Vec<Delivery>,
    pub problems: Vec<String>,
    /// `{cost, costs, costBreakdown, analysis, artifact}` once ended.
    pub report: Option<Value>,
    pub web_call_url: Option<String>,
}

impl Call {
    pub fn inbound(number: &Value, scenario: &str, caller: &str) -> Call {
        let now = now_ms();
        Call {
            id: new_uuid(),
            web: false,
            phone_number_id: number["id"].as_str().map(str::to_string),
            number: number["number"].as_str().map(str::to_string),
            provider: number["provider"].as_str().unwrap_or("vapi").to_string(),
            scenario: Some(scenario.to_string()),
            status: "ringing",
            ended_reason: None,
            created_ms: now,
            updated_ms: now,
            started_ms: None,
            ended_ms: None,
            assistant: None,
            assistant_id: None,
            customer: Some(caller.to_string()),
            turns: Vec::new(),
            messages: Vec::new(),
            deliveries: Vec::new(),
            problems: Vec::new(),
            report: None,
            web_call_url: None,
        }
    }

    pub fn web(public_url: &str, assistant_id: Option<String>, assistant: Option<Value>) -> Call {
        let now = now_ms();
        let id = new_uuid();
        Call {
            web_call_url: Some(format!("{public_url}/_sandbox/web/{id}")),
            id,
            web: true,
            phone_number_id: None,
            number: None,
            provider: "daily".into(),
            scenario: None,
            status: "queued",
            ended_reason: None,
            created_ms: now,
            updated_ms: now,
            started_ms: None,
            ended_ms: None,
            assistant,
            assistant_id,
            customer: None,
            turns: Vec::new(),
            messages: Vec::new(),
            deliveries: Vec::new(),
            problems: Vec::new(),
            report: None,
        }
    }

    /// The `/_sandbox/calls` record.
    pub fn record(&self) -> Value {
        let turns: Vec<Value> = self
            .turns
            .iter()
            .map(|t| json!({"role": t.role, "text": t.text}))
            .collect();
        let deliveries: Vec<Value> = self
            .deliveries
            .iter()
            .map(|d| {
                json!({"type": d.type_, "detail": d.detail, "url": d.url, "status": d.status,
                       "ms": d.ms, "response": d.response, "problem": d.problem})
            })
            .collect();
        json!({
            "id": self.id,
            "phone_number_id": self.phone_number_id,
            "number": self.number,
            "caller": self.customer,
            "scenario": self.scenario,
            "status": self.status,
            "ended_reason": self.ended_reason,
            "created_at": iso(self.created_ms),
            "started_at": self.started_ms.map(iso),
            "ended_at": self.ended_ms.map(iso),
            "assistant": self.assistant,
            "turns": turns,
            "deliveries": deliveries,
            "problems": self.problems,
        })
    }

    /// Vapi's `Call` object (`GET /call/{id}`).
    pub fn vapi_object(&self, org_id: &str) -> Value {
        let mut v = json!({
            "id": self.id,
            "orgId": org_id,
            "type": if self.web { "webCall" } else { "inboundPhoneCall" },
            "status": self.status,
            "createdAt": iso(self.created_ms),
            "updatedAt": iso(self.updated_ms),
            "messages": self.messages,
        });
        if self.web {
            if let Some(u) = &self.web_call_url {
                v["webCallUrl"] = json!(u);
                v["transport"] = json!({"provider": "daily", "callUrl": u});
            }
        } else {
            v["phoneCallProvider"] = json!(self.provider);
            v["phoneCallTransport"] = json!("pstn");
            v["phoneNumberId"] = json!(self.phone_number_id);
        }
        if let Some(c) = &self.customer {
            v["customer"] = json!({ "number": c });
        }
        match (&self.assistant_id, &self.assistant) {
            (Some(id), _) => v["assistantId"] = json!(id),
            (None, Some(a)) => v["assistant"] = a.clone(),
            _ => {}
        }
        if let Some(s) = self.started_ms {
            v["startedAt"] = json!(iso(s));
        }
        if let Some(e) = self.ended_ms {
            v["endedAt"] = json!(iso(e));
        }
        if let Some(r) = &self.ended_reason {
            v["endedReason"] = json!(r);
        }
        match &self.report {
            Some(r) => {
                for k in ["cost", "costs", "costBreakdown", "analysis", "artifact"] {
                    v[k] = r[k].clone();
                }
            }
            None => {
                v["cost"] = json!(0);
                v["costs"] = json!([]);
                v["analysis"] = json!({});
                v["artifact"] = json!({"messages": self.messages});
            }
        }
        v
    }
}
