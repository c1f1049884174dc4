//! Delivery of server messages: where each goes (`server.url` of the tool,
//! the assistant or the phone number, else `--server-url`), the
//! authenticated POST, and the record of every attempt on the call.

use super::Sim;
use crate::app::{App, AuthMode};
use crate::call::Delivery;
use crate::sign;
use crate::util::now_ms;
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

/// Where a message goes.
#[derive(Clone, Debug)]
pub(super) struct Target {
    pub(super) url: String,
    headers: Vec<(String, String)>,
    pub(super) timeout: Duration,
}

/// The first `server` object with a URL, else the org URL.
pub(super) fn target(servers: &[&Value], org_url: Option<&str>) -> Option<Target> {
    for s in servers {
        if let Some(url) = s["url"].as_str().filter(|u| !u.trim().is_empty()) {
            let timeout = s["timeoutSeconds"]
                .as_f64()
                .filter(|t| *t > 0.0 && *t <= 300.0)
                .unwrap_or(20.0);
            let headers = s["headers"]
                .as_object()
                .map(|h| {
                    h.iter()
                        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            return Some(Target {
                url: url.to_string(),
                headers,
                timeout: Duration::from_secs_f64(timeout),
            });
        }
    }
    org_url.filter(|u| !u.trim().is_empty()).map(|u| Target {
        url: u.to_string(),
        headers: Vec::new(),
        timeout: Duration::from_secs(20),
    })
}

pub(super) struct Attempt {
    pub(super) status: Option<u16>,
    pub(super) body: Bytes,
    pub(super) ms: u64,
    pub(super) error: Option<String>,
}

/// One authenticated POST of `body`.
pub(super) async fn post(app: &App, t: &Target, body: Vec<u8>, timeout: Duration) -> Attempt {
    let started = Instant::now();
    let mut req = app
        .http
        .post(&t.url)
        .header("content-type", "application/json; charset=utf-8")
        .timeout(timeout);
    let secret = &app.cfg.webhook_secret;
    match app.cfg.auth {
        AuthMode::Secret => req = req.header("X-Vapi-Secret", secret.as_str()),
        AuthMode::Bearer => req = req.header("Authorization", format!("Bearer {secret}")),
        AuthMode::Hmac => {
            let ts = now_ms();
            req = req
                .header(sign::TIMESTAMP_HEADER, ts.to_string())
                .header(sign::SIGNATURE_HEADER, sign::sign(secret, ts, &body));
        }
        AuthMode::None => {}
    }
    for (k, v) in &t.headers {
        if let (Ok(k), Ok(v)) = (
            reqwest::header::HeaderName::from_bytes(k.as_bytes()),
            reqwest::header::HeaderValue::from_str(v),
        ) {
            req = req.header(k, v);
        }
    }
    let result = req.body(body).send().await;
    let (status, body, error) = match result {
        Ok(r) => {
            let status = r.status().as_u16();
            match r.bytes().await {
                Ok(b) => (Some(status), b, None),
                Err(e) => (Some(status), Bytes::new(), Some(describe(&e, timeout))),
            }
        }
        Err(e) => (None, Bytes::new(), Some(describe(&e, timeout))),
    };
    Attempt {
        status,
        body,
        ms: started.elapsed().as_millis() as u64,
        error,
    }
}

fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("timed out after {} s", timeout.as_secs_f64());
    }
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    if e.is_connect() {
        format!("connection failed: {cause}")
    } else {
        format!("request failed: {cause}")
    }
}

/// The response as recorded: parsed JSON, or text, at most 2 KB.
fn response_repr(body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    if body.len() <= 2048 {
        if let Ok(v) = serde_json::from_slice::<Value>(body) {
            return v;
        }
    }
    let text = String::from_utf8_lossy(body);
    if text.len() <= 2048 {
        return json!(text);
    }
    let mut end = 2048;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    json!(format!("{}…", &text[..end]))
}

impl Sim {
    /// Destination of everything but tool-calls and assistant-request.
    fn target(&self) -> Option<Target> {
        target(
            &[&self.assistant["server"], &self.number["server"]],
            self.app.cfg.server_url.as_deref(),
        )
    }

    /// Records an attempt; returns the index of the delivery.
    pub(super) fn record(
        &mut self,
        kind: &str,
        detail: Option<String>,
        url: &str,
        a: &Attempt,
    ) -> usize {
        let problem = match (&a.error, a.status) {
            (Some(e), _) => Some(e.clone()),
            (None, Some(s)) if !(200..300).contains(&s) => Some(format!("HTTP {s}")),
            _ => None,
        };
        if let Some(p) = &problem {
            self.problem(format!("{kind}: {p} ({url})"));
        }
        self.call.deliveries.push(Delivery {
            type_: kind.to_string(),
            url: url.to_string(),
            status: a.status,
            ms: a.ms,
            response: response_repr(&a.body),
            problem,
            detail,
        });
        self.publish();
        self.call.deliveries.len() - 1
    }

    pub(super) fn record_no_target(&mut self, kind: &str, detail: Option<String>) {
        let p = "no server URL: set server.url on the assistant or the phone number, or start the sandbox with --server-url".to_string();
        self.problem(format!("{kind}: {p}"));
        self.call.deliveries.push(Delivery {
            type_: kind.to_string(),
            url: String::new(),
            status: None,
            ms: 0,
            response: Value::Null,
            problem: Some(p),
            detail,
        });
        self.publish();
    }

    /// Sets the delivery's problem (if it has none yet) and the call's.
    pub(super) fn delivery_problem(&mut self, idx: usize, kind: &str, p: String) {
        if let Some(d) = self.call.deliveries.get_mut(idx) {
            if d.problem.is_none() {
                d.problem = Some(p.clone());
            }
        }
        self.problem(format!("{kind}: {p}"));
        self.publish();
    }

    pub(super) fn envelope(message: Map<String, Value>) -> Vec<u8> {
        serde_json::to_vec(&json!({ "message": Value::Object(message) })).unwrap_or_default()
    }

    /// Sends one message to `t` (or records that there is nowhere to send
    /// it); returns the delivery index and the attempt.
    pub(super) async fn send_to(
        &mut self,
        t: Option<Target>,
        kind: &str,
        message: Map<String, Value>,
        timeout: Option<Duration>,
    ) -> Option<(usize, Attempt)> {
        let detail = detail_of(&message);
        let Some(t) = t else {
            self.record_no_target(kind, detail);
            return None;
        };
        let timeout = timeout.unwrap_or(t.timeout);
        let a = post(&self.app, &t, Self::envelope(message), timeout).await;
        let idx = self.record(kind, detail, &t.url, &a);
        Some((idx, a))
    }

    /// Sends an optional message type if the assistant wants it.
    pub(super) async fn notify(&mut self, kind: &str, message: Map<String, Value>) {
        if self.wants(kind) {
            let t = self.target();
            self.send_to(t, kind, message, None).await;
        }
    }

    /// Sends several copies, one after another or all at once.
    pub(super) async fn send_copies(&mut self, kind: &str, copies: Vec<Map<String, Value>>) {
        if !self.wants(kind) || copies.is_empty() {
            return;
        }
        let detail = detail_of(&copies[0]);
        let Some(t) = self.target() else {
            self.record_no_target(kind, detail);
            return;
        };
        if !self.knobs.concurrent_duplicates || copies.len() == 1 {
            for m in copies {
                self.send_to(Some(t.clone()), kind, m, None).await;
            }
            return;
        }
        let mut set = tokio::task::JoinSet::new();
        for m in copies {
            let app = self.app.clone();
            let t = t.clone();
            set.spawn(async move {
                let timeout = t.timeout;
                post(&app, &t, Self::envelope(m), timeout).await
            });
        }
        while let Some(r) = set.join_next().await {
            let a = r.unwrap_or_else(|e| Attempt {
                status: None,
                body: Bytes::new(),
                ms: 0,
                error: Some(format!("delivery task failed: {e}")),
            });
            self.record(kind, detail.clone(), &t.url, &a);
        }
    }
}

/// The `status` of a status-update message.
fn detail_of(message: &Map<String, Value>) -> Option<String> {
    (message.get("type")? == "status-update")
        .then(|| message.get("status")?.as_str().map(str::to_string))
        .flatten()
}
