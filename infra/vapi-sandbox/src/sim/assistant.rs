//! Which assistant answers: the phone number's `assistantId`, or the
//! server's answer to `assistant-request` (an assistant, an assistant id
//! with overrides, an error to speak, or a destination to forward to).

use super::delivery::target;
use super::Sim;
use crate::util::now_ms;
use crate::validate;
use serde_json::{json, Map, Value};

pub(super) enum Resolved {
    Assistant(Value, Option<String>),
    Error(String),
    Forward(Value),
    Fail(&'static str),
}

impl Sim {
    pub(super) async fn assistant_request(&mut self) -> Resolved {
        let kind = "assistant-request";
        let t = target(
            &[&self.number["server"]],
            self.app.cfg.server_url.as_deref(),
        );
        if t.is_none() {
            self.record_no_target(kind, None);
            return Resolved::Fail("call-start-error-neither-assistant-nor-server-set");
        }
        let msg = self.base(kind, now_ms());
        let timeout = self.app.cfg.assistant_request_timeout;
        let Some((idx, a)) = self.send_to(t, kind, msg, Some(timeout)).await else {
            return Resolved::Fail("assistant-request-failed");
        };
        if a.error.is_some() || !a.status.is_some_and(|s| (200..300).contains(&s)) {
            return Resolved::Fail("assistant-request-failed");
        }
        let body: Value = match serde_json::from_slice(&a.body) {
            Ok(v) => v,
            Err(_) => {
                self.delivery_problem(idx, kind, "the answer is not JSON".into());
                return Resolved::Fail("assistant-request-failed");
            }
        };
        let Some(obj) = body.as_object() else {
            self.delivery_problem(idx, kind, "the answer is not a JSON object".into());
            return Resolved::Fail("assistant-request-failed");
        };
        if let Some(e) = obj.get("error") {
            return match e.as_str().map(str::trim).filter(|s| !s.is_empty()) {
                Some(text) => Resolved::Error(text.to_string()),
                None => {
                    self.delivery_problem(idx, kind, "error is not a speakable string".into());
                    Resolved::Fail("assistant-request-returned-unspeakable-error")
                }
            };
        }
        if let Some(d) = obj.get("destination") {
            let ok = d["type"] == "number" && d["number"].as_str().is_some_and(validate::e164)
                || d["type"] == "sip" && d["sipUri"].is_string();
            if ok {
                return Resolved::Forward(d.clone());
            }
            self.delivery_problem(
                idx,
                kind,
                "destination must be {type:\"number\", number:\"+E.164\"} or {type:\"sip\", sipUri}"
                    .into(),
            );
            return Resolved::Fail("assistant-request-returned-forwarding-phone-number");
        }
        let overrides = match obj.get("assistantOverrides") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(o)) => {
                let mut errs = Vec::new();
                let mut rest = o.clone();
                if let Some(v) = rest.remove("variableValues") {
                    if !v.is_object() {
                        errs.push("variableValues must be an object".to_string());
                    }
                }
                errs.extend(validate::assistant(&rest, true));
                if !errs.is_empty() {
                    let p = format!("invalid assistantOverrides: {}", errs.join("; "));
                    self.delivery_problem(idx, kind, p);
                    return Resolved::Fail("assistant-request-returned-invalid-assistant");
                }
                o.clone()
            }
            Some(_) => {
                self.delivery_problem(idx, kind, "assistantOverrides must be an object".into());
                return Resolved::Fail("assistant-request-returned-invalid-assistant");
            }
        };
        let (base, id) = if let Some(a) = obj.get("assistant") {
            let Some(am) = a.as_object() else {
                self.delivery_problem(idx, kind, "assistant must be an object".into());
                return Resolved::Fail("assistant-request-returned-invalid-assistant");
            };
            let errs = validate::assistant(am, false);
            if !errs.is_empty() {
                let p = format!("invalid assistant: {}", errs.join("; "));
                self.delivery_problem(idx, kind, p);
                return Resolved::Fail("assistant-request-returned-invalid-assistant");
            }
            (a.clone(), None)
        } else if let Some(id) = obj.get("assistantId") {
            let id = id.as_str().unwrap_or_default().to_string();
            let found = self.app.lock().assistant(&id).cloned();
            match found {
                Some(a) => (a, Some(id)),
                None => {
                    self.delivery_problem(
                        idx,
                        kind,
                        format!("assistantId {id:?} is not an assistant of this sandbox"),
                    );
                    return Resolved::Fail("assistant-not-found");
                }
            }
        } else {
            let p = if ["squadId", "squad", "workflowId", "workflow"]
                .iter()
                .any(|k| obj.contains_key(*k))
            {
                "squads and workflows are not simulated; answer with assistant or assistantId"
            } else {
                "the answer has none of assistant, assistantId, destination or error"
            };
            self.delivery_problem(idx, kind, p.into());
            return Resolved::Fail("assistant-request-returned-no-assistant");
        };
        let mut merged = base;
        for (k, v) in overrides {
            if k == "variableValues" {
                if let Some(vars) = v.as_object() {
                    self.vars.extend(vars.clone());
                }
                continue;
            }
            merged[k] = v;
        }
        Resolved::Assistant(merged, id)
    }

    pub(super) fn use_assistant(&mut self, a: Value, id: Option<String>) {
        if let Some(list) = a["serverMessages"].as_array() {
            self.server_messages = list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
        }
        self.vars
            .entry("customer.number".to_string())
            .or_insert_with(|| json!(self.call.customer));
        self.call.assistant = Some(a.clone());
        self.call.assistant_id = id;
        self.assistant = a;
        self.publish();
    }
}
