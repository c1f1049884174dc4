//! The test controls and pages under `/_sandbox` (no auth; the sandbox only
//! listens on 127.0.0.1).

use crate::app::{html_resp, json_object, json_resp, redirect, respond, App, Resp};
use crate::call::Call;
use crate::html;
use crate::sim::{self, parse_call_request, Knobs, Scenario};
use crate::util::{normalize_number, query_get, query_pairs};
use hyper::header::{self, HeaderMap};
use hyper::Method;
use serde_json::{json, Map, Value};
use std::sync::Arc;

fn err(status: u16, message: impl Into<String>) -> Resp {
    json_resp(status, &json!({ "error": message.into() }))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

impl App {
    pub(crate) async fn controls(
        self: &Arc<Self>,
        method: &Method,
        segs: &[&str],
        query: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Resp {
        let get = method == Method::GET;
        let post = method == Method::POST;
        match segs {
            [] if get => self.overview(query),
            ["health"] if get => json_resp(200, &json!({"ok": true})),
            ["calls"] if get => {
                let st = self.lock();
                let records: Vec<Value> = st.calls.iter().rev().map(Call::record).collect();
                json_resp(200, &Value::Array(records))
            }
            ["calls"] if post => {
                let args = match json_object(body) {
                    Ok(a) => a,
                    Err(m) => return err(400, m),
                };
                self.place_call(&args).await
            }
            ["calls", id] if get => match self.lock().call(id) {
                Some(c) => json_resp(200, &c.record()),
                None => err(404, format!("no call {id}")),
            },
            ["calls", id, "view"] if get => match self.lock().call(id) {
                Some(c) => html_resp(200, html::call_view(&c.record())),
                None => html_resp(
                    404,
                    html::error("Call not found", &format!("There is no call {id}.")),
                ),
            },
            ["dial"] if post => self.dial(body),
            ["numbers", id, "activate"] if post => {
                let mut st = self.lock();
                let Some(n) = st.numbers.iter_mut().find(|n| n.id() == *id) else {
                    return err(404, format!("no phone number {id}"));
                };
                n.activated = true;
                let v = n.view(self.cfg.activation);
                drop(st);
                if is_form(headers) {
                    redirect("/_sandbox")
                } else {
                    json_resp(200, &v)
                }
            }
            ["web", id] if get => match self.lock().call(id) {
                Some(c) if c.web => {
                    html_resp(200, html::web_call(&c.vapi_object(&self.cfg.org_id)))
                }
                _ => html_resp(
                    404,
                    html::error("Web call not found", &format!("There is no web call {id}.")),
                ),
            },
            ["recordings", file] if get => {
                let call_id = file
                    .strip_suffix(".wav")
                    .and_then(|f| f.rsplit_once('-'))
                    .map(|(id, _)| id)
                    .unwrap_or_default();
                if self.lock().call(call_id).is_some() {
                    respond(200, "audio/wav", silent_wav())
                } else {
                    err(404, format!("no recording {file}"))
                }
            }
            _ => err(
                404,
                format!(
                    "unknown sandbox control {method} /_sandbox/{}",
                    segs.join("/")
                ),
            ),
        }
    }

    fn overview(&self, query: &str) -> Resp {
        let pairs = query_pairs(query);
        let selected = query_get(&pairs, "number")
            .map(normalize_number)
            .filter(|s| !s.is_empty());
        let st = self.lock();
        let numbers: Vec<Value> = st
            .numbers
            .iter()
            .rev()
            .map(|n| n.view(self.cfg.activation))
            .collect();
        let calls: Vec<Value> = st.calls.iter().rev().take(50).map(Call::record).collect();
        drop(st);
        html_resp(
            200,
            html::overview(&numbers, &calls, selected.as_deref(), &self.cfg),
        )
    }

    /// Starts a simulated call; the id and the task running it.
    fn start_call(
        self: &Arc<Self>,
        number: Option<&str>,
        number_id: Option<&str>,
        scenario: Scenario,
        knobs: Knobs,
    ) -> Result<(String, tokio::task::JoinHandle<()>), (u16, String)> {
        let mut st = self.lock();
        let n = match (number_id, number) {
            (Some(id), _) => st
                .number(id)
                .ok_or((404, format!("no phone number with id {id}")))?,
            (None, Some(num)) => st
                .numbers
                .iter()
                .find(|n| n.number() == num)
                .ok_or((404, format!("no phone number {num} in this sandbox")))?,
            (None, None) => return Err((400, "give number or phone_number_id".into())),
        };
        let view = n.view(self.cfg.activation);
        if view["status"] != "active" {
            return Err((
                409,
                format!(
                    "phone number {} is still activating; try again shortly or POST /_sandbox/numbers/{}/activate",
                    n.number(),
                    n.id()
                ),
            ));
        }
        let call = Call::inbound(&view, scenario.as_str(), &knobs.caller);
        let id = call.id.clone();
        st.put_call(call.clone());
        drop(st);
        let handle = tokio::spawn(sim::run(self.clone(), call, view, scenario, knobs));
        Ok((id, handle))
    }

    async fn place_call(self: &Arc<Self>, args: &Map<String, Value>) -> Resp {
        let (scenario, knobs) = match parse_call_request(args) {
            Ok(x) => x,
            Err(m) => return err(400, m),
        };
        let wait = args.get("wait").and_then(Value::as_bool).unwrap_or(true);
        let number = args
            .get("number")
            .and_then(Value::as_str)
            .map(normalize_number);
        let number_id = args.get("phone_number_id").and_then(Value::as_str);
        let (id, handle) = match self.start_call(number.as_deref(), number_id, scenario, knobs) {
            Ok(x) => x,
            Err((s, m)) => return err(s, m),
        };
        if wait {
            let _ = handle.await;
        }
        let record = self
            .lock()
            .call(&id)
            .map(Call::record)
            .unwrap_or(Value::Null);
        json_resp(if wait { 200 } else { 202 }, &record)
    }

    /// The overview page's form: `number`, `scenario`, `question`.
    fn dial(self: &Arc<Self>, body: &[u8]) -> Resp {
        let mut args = Map::new();
        let mut number = None;
        for (k, v) in form_urlencoded::parse(body) {
            let v = v.trim().to_string();
            if v.is_empty() {
                continue;
            }
            match k.as_ref() {
                "number" => number = Some(normalize_number(&v)),
                "scenario" | "question" | "caller_name" | "reason" | "urgency" | "caller" => {
                    args.insert(k.into_owned(), json!(v));
                }
                _ => {}
            }
        }
        let (scenario, knobs) = match parse_call_request(&args) {
            Ok(x) => x,
            Err(m) => return html_resp(400, html::error("Cannot place the call", &m)),
        };
        match self.start_call(number.as_deref(), None, scenario, knobs) {
            Ok((id, _)) => redirect(&format!("/_sandbox/calls/{id}/view")),
            Err((s, m)) => html_resp(s, html::error("Cannot place the call", &m)),
        }
    }
}

/// One second of 8 kHz 16-bit mono silence.
fn silent_wav() -> Vec<u8> {
    let samples: u32 = 8000;
    let data_len = samples * 2;
    let mut w = Vec::with_capacity(44 + data_len as usize);
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(36 + data_len).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&16u32.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes()); // PCM
    w.extend_from_slice(&1u16.to_le_bytes()); // mono
    w.extend_from_slice(&8000u32.to_le_bytes());
    w.extend_from_slice(&16000u32.to_le_bytes());
    w.extend_from_slice(&2u16.to_le_bytes());
    w.extend_from_slice(&16u16.to_le_bytes());
    w.extend_from_slice(b"data");
    w.extend_from_slice(&data_len.to_le_bytes());
    w.resize(44 + data_len as usize, 0);
    w
}
