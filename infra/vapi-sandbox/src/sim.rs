//! The call simulator: a simulated inbound call plays a scenario by sending
//! Vapi's real server messages (reference §1) in Vapi's order, acting as a
//! deterministic LLM that follows the assistant it is given.
//!
//! Time is virtual: `startedAt` is when `in-progress` is sent, `endedAt` is
//! `startedAt` + the scenario's duration, turn times are spread over that
//! span, and deliveries happen as fast as the server answers.

use crate::app::{iso, now_ms, random_alnum, App, AuthMode};
use crate::sign;
use crate::validate;
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

// ------------------------------------------------------------------ scenarios

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    OpeningHours,
    Faq,
    Message,
    Hangup5s,
    Silence,
}

impl Scenario {
    pub const ALL: [Scenario; 5] = [
        Scenario::OpeningHours,
        Scenario::Faq,
        Scenario::Message,
        Scenario::Hangup5s,
        Scenario::Silence,
    ];

    pub fn parse(s: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::OpeningHours => "opening_hours",
            Scenario::Faq => "faq",
            Scenario::Message => "message",
            Scenario::Hangup5s => "hangup_5s",
            Scenario::Silence => "silence",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scenario::OpeningHours => "Ask for the opening hours",
            Scenario::Faq => "Ask a question (FAQ)",
            Scenario::Message => "Leave a message",
            Scenario::Hangup5s => "Hang up after 5 s",
            Scenario::Silence => "Stay silent",
        }
    }

    pub fn default_seconds(self) -> u32 {
        match self {
            Scenario::OpeningHours => 45,
            Scenario::Faq => 50,
            Scenario::Message => 70,
            Scenario::Hangup5s => 5,
            Scenario::Silence => 30,
        }
    }

    /// The `outcome` filled into `analysis.structuredData`.
    pub fn outcome(self) -> &'static str {
        match self {
            Scenario::OpeningHours | Scenario::Faq => "answered",
            Scenario::Message => "message_taken",
            Scenario::Hangup5s | Scenario::Silence => "no_conversation",
        }
    }

    fn ended_reason(self) -> &'static str {
        match self {
            Scenario::Silence => "silence-timed-out",
            _ => "customer-ended-call",
        }
    }
}

/// The optional knobs of a simulated call.
#[derive(Clone, Debug)]
pub struct Knobs {
    pub caller: String,
    pub duration_seconds: Option<u32>,
    pub duplicates: u32,
    pub concurrent_duplicates: bool,
    pub reorder: bool,
    pub legacy: bool,
    pub arguments_as_string: bool,
    pub question: String,
    pub caller_name: String,
    pub reason: String,
    pub urgency: String,
}

impl Default for Knobs {
    fn default() -> Knobs {
        Knobs {
            caller: "+14155550123".into(),
            duration_seconds: None,
            duplicates: 1,
            concurrent_duplicates: false,
            reorder: false,
            legacy: false,
            arguments_as_string: false,
            question: "Do you have parking?".into(),
            caller_name: "Jamie Rivera".into(),
            reason: "Please call me back about a quote for a new boiler.".into(),
            urgency: "normal".into(),
        }
    }
}

/// Keys `POST /_sandbox/calls` accepts.
const CALL_KEYS: &[&str] = &[
    "number",
    "phone_number_id",
    "wait",
    "scenario",
    "caller",
    "duration_seconds",
    "duplicates",
    "concurrent_duplicates",
    "reorder",
    "legacy",
    "arguments_as_string",
    "question",
    "caller_name",
    "reason",
    "urgency",
];

/// The scenario and knobs of a `POST /_sandbox/calls` body.
pub fn parse_call_request(args: &Map<String, Value>) -> Result<(Scenario, Knobs), String> {
    if let Some(k) = args.keys().find(|k| !CALL_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown field {k:?}; known fields: {}",
            CALL_KEYS.join(", ")
        ));
    }
    let scenario = match args.get("scenario") {
        None | Some(Value::Null) => Scenario::OpeningHours,
        Some(Value::String(s)) => Scenario::parse(s).ok_or_else(|| bad_scenario(s))?,
        Some(_) => return Err("scenario must be a string".into()),
    };
    let mut k = Knobs::default();
    let string = |key: &str, target: &mut String| -> Result<(), String> {
        match args.get(key) {
            None | Some(Value::Null) => Ok(()),
            Some(Value::String(s)) if !s.trim().is_empty() => {
                *target = s.trim().to_string();
                Ok(())
            }
            Some(_) => Err(format!("{key} must be a non-empty string")),
        }
    };
    string("caller", &mut k.caller)?;
    if !validate::e164(&k.caller) {
        return Err("caller must be an E.164 number such as +14155550123".into());
    }
    string("question", &mut k.question)?;
    string("caller_name", &mut k.caller_name)?;
    string("reason", &mut k.reason)?;
    string("urgency", &mut k.urgency)?;
    let boolean = |key: &str| -> Result<bool, String> {
        match args.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(format!("{key} must be true or false")),
        }
    };
    k.concurrent_duplicates = boolean("concurrent_duplicates")?;
    k.reorder = boolean("reorder")?;
    k.legacy = boolean("legacy")?;
    k.arguments_as_string = boolean("arguments_as_string")?;
    match args.get("duration_seconds") {
        None | Some(Value::Null) => {}
        Some(v) => match v.as_u64() {
            Some(n @ 1..=43200) => k.duration_seconds = Some(n as u32),
            _ => return Err("duration_seconds must be an integer from 1 to 43200".into()),
        },
    }
    match args.get("duplicates") {
        None | Some(Value::Null) => {}
        Some(v) => match v.as_u64() {
            Some(n @ 1..=20) => k.duplicates = n as u32,
            _ => return Err("duplicates must be an integer from 1 to 20".into()),
        },
    }
    if let Some(w) = args.get("wait") {
        if !w.is_boolean() && !w.is_null() {
            return Err("wait must be true or false".into());
        }
    }
    Ok((scenario, k))
}

pub fn bad_scenario(s: &str) -> String {
    format!(
        "unknown scenario {s:?}; use one of: {}",
        Scenario::ALL.map(Scenario::as_str).join(", ")
    )
}

// ------------------------------------------------------------------ the call record

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
    pub fn inbound(number: &Value, scenario: Scenario, caller: &str) -> Call {
        let now = now_ms();
        Call {
            id: crate::app::new_uuid(),
            web: false,
            phone_number_id: number["id"].as_str().map(str::to_string),
            number: number["number"].as_str().map(str::to_string),
            provider: number["provider"].as_str().unwrap_or("vapi").to_string(),
            scenario: Some(scenario.as_str().to_string()),
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
        let id = crate::app::new_uuid();
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

// ------------------------------------------------------------------ delivery

/// Where a message goes.
#[derive(Clone, Debug)]
struct Target {
    url: String,
    headers: Vec<(String, String)>,
    timeout: Duration,
}

/// The first `server` object with a URL, else the org URL.
fn target(servers: &[&Value], org_url: Option<&str>) -> Option<Target> {
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

struct Attempt {
    status: Option<u16>,
    body: Bytes,
    ms: u64,
    error: Option<String>,
}

/// One authenticated POST of `body`.
async fn post(app: &App, t: &Target, body: Vec<u8>, timeout: Duration) -> Attempt {
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

// ------------------------------------------------------------------ the simulation

enum Resolved {
    Assistant(Value, Option<String>),
    Error(String),
    Forward(Value),
    Fail(&'static str),
}

enum Step {
    Bot(String),
    User(String),
    Tool(&'static str, Value),
}

enum ToolOutcome {
    Result(String),
    Error(String),
    Failed,
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

    /// Destination of everything but tool-calls and assistant-request.
    fn target(&self) -> Option<Target> {
        target(
            &[&self.assistant["server"], &self.number["server"]],
            self.app.cfg.server_url.as_deref(),
        )
    }

    /// Records an attempt; returns the index of the delivery.
    fn record(&mut self, kind: &str, detail: Option<String>, url: &str, a: &Attempt) -> usize {
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

    fn record_no_target(&mut self, kind: &str, detail: Option<String>) {
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
    fn delivery_problem(&mut self, idx: usize, kind: &str, p: String) {
        if let Some(d) = self.call.deliveries.get_mut(idx) {
            if d.problem.is_none() {
                d.problem = Some(p.clone());
            }
        }
        self.problem(format!("{kind}: {p}"));
        self.publish();
    }

    fn envelope(message: Map<String, Value>) -> Vec<u8> {
        serde_json::to_vec(&json!({ "message": Value::Object(message) })).unwrap_or_default()
    }

    /// Sends one message to `t` (or records that there is nowhere to send
    /// it); returns the delivery index and the attempt.
    async fn send_to(
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
    async fn notify(&mut self, kind: &str, message: Map<String, Value>) {
        if self.wants(kind) {
            let t = self.target();
            self.send_to(t, kind, message, None).await;
        }
    }

    /// Sends several copies, one after another or all at once.
    async fn send_copies(&mut self, kind: &str, copies: Vec<Map<String, Value>>) {
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

    async fn assistant_request(&mut self) -> Resolved {
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

    fn use_assistant(&mut self, a: Value, id: Option<String>) {
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

    /// The function tool named `name`: inline in `model.tools` or stored and
    /// listed in `model.toolIds`.
    fn find_tool(&self, name: &str) -> Option<Value> {
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

    async fn converse(&mut self) {
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
    async fn commit(&mut self, message: Value, turn: Turn, ts: i64) {
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

    async fn speak(&mut self, role: &'static str, text: &str, t: i64, max_ms: i64) {
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

    fn openai_messages(&self) -> Value {
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

    /// Runs a tool: tool_calls turn, the `tool-calls` delivery (with one
    /// `hang` if slow), the tool_call_result turn and the bot's reply.
    /// Returns what the bot said and whether the tool gave a result.
    async fn tool_step(
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

    async fn forward(&mut self, dest: Value) {
        let m = self.status_update("ringing", now_ms());
        self.notify("status-update", m).await;
        self.start = now_ms();
        self.call.started_ms = Some(self.start);
        self.call.status = "in-progress";
        self.vapi_status = "in-progress";
        self.publish();
        let m = self.status_update("in-progress", self.start);
        self.notify("status-update", m).await;
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

    fn transcript(&self) -> String {
        self.call
            .messages
            .iter()
            .filter_map(|m| {
                let who = match m["role"].as_str()? {
                    "bot" => "AI",
                    "user" => "User",
                    _ => return None,
                };
                Some(format!(
                    "{who}: {}",
                    m["message"].as_str().unwrap_or_default()
                ))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn recording_enabled(&self) -> bool {
        self.call.started_ms.is_some()
            && self.assistant["artifactPlan"]["recordingEnabled"] != false
    }

    fn recording(&self) -> Value {
        let base = format!(
            "{}/_sandbox/recordings/{}",
            self.app.cfg.public_url, self.call.id
        );
        // Presigned URLs differ across deliveries, like Vapi's.
        let sig = random_alnum(16).to_lowercase();
        let url = |kind: &str| format!("{base}-{kind}.wav?X-Amz-Signature={sig}");
        json!({
            "stereoUrl": url("stereo"),
            "mono": {"combinedUrl": url("mono"), "assistantUrl": url("assistant"),
                     "customerUrl": url("customer")}
        })
    }

    fn analysis(&self) -> Value {
        let plan = &self.assistant["analysisPlan"];
        let mut a = Map::new();
        if plan["summaryPlan"]["enabled"] != false {
            if let Some(s) = &self.summary {
                a.insert("summary".into(), json!(s));
            }
        }
        if self.call.started_ms.is_some() {
            if plan["successEvaluationPlan"]["enabled"] != false {
                a.insert(
                    "successEvaluation".into(),
                    json!(if self.success { "true" } else { "false" }),
                );
            }
            let sd = &plan["structuredDataPlan"];
            if sd.is_object() && sd["enabled"] != false {
                let mut data = Map::new();
                let outcome = &sd["schema"]["properties"]["outcome"];
                let want = self.scenario.outcome();
                match outcome["enum"].as_array() {
                    Some(vals) if vals.iter().any(|v| v == want) => {
                        data.insert("outcome".into(), json!(want));
                    }
                    Some(_) => {}
                    None if outcome["type"] == "string" => {
                        data.insert("outcome".into(), json!(want));
                    }
                    None => {}
                }
                a.insert("structuredData".into(), Value::Object(data));
            }
        }
        Value::Object(a)
    }

    /// `(cost, costs, costBreakdown)`: 0.05 + 0.07 per minute.
    fn costs(&self, minutes: f64) -> (f64, Value, Value) {
        let started = self.call.started_ms.is_some();
        let m = round(minutes, 4);
        let bot_chars: usize = self
            .call
            .messages
            .iter()
            .filter(|x| x["role"] == "bot")
            .filter_map(|x| x["message"].as_str())
            .map(str::len)
            .sum();
        let bot_turns = self
            .call
            .messages
            .iter()
            .filter(|x| x["role"] == "bot")
            .count() as u64;
        let prompt_tokens = if started { 600 * bot_turns } else { 0 };
        let completion_tokens = (bot_chars / 4) as u64;
        let vapi = round(0.05 * minutes, 4);
        let stt = round(0.01 * minutes, 4);
        let tts = round(0.01 * minutes, 4);
        let llm = if started { 0.05 } else { 0.0 };
        let total = if started {
            round(0.05 + 0.07 * minutes, 4)
        } else {
            0.0
        };
        let a = &self.assistant;
        let str_or = |v: &Value, d: &str| v.as_str().unwrap_or(d).to_string();
        let costs = json!([
            {"type": "transport", "provider": "vapi.sip", "minutes": m, "cost": 0},
            {"type": "transcriber", "transcriber": {
                "provider": str_or(&a["transcriber"]["provider"], "deepgram"),
                "model": str_or(&a["transcriber"]["model"], "nova-3")},
             "minutes": m, "cost": stt},
            {"type": "model", "model": {
                "provider": str_or(&a["model"]["provider"], "openai"),
                "model": str_or(&a["model"]["model"], "gpt-4o-mini")},
             "promptTokens": prompt_tokens, "completionTokens": completion_tokens, "cost": llm},
            {"type": "voice", "voice": {
                "provider": str_or(&a["voice"]["provider"], "vapi"),
                "voiceId": str_or(&a["voice"]["voiceId"], "Elliot")},
             "characters": bot_chars, "cost": tts},
            {"type": "vapi", "subType": "normal", "minutes": m, "cost": vapi},
        ]);
        let breakdown = json!({
            "transport": 0, "stt": stt, "llm": llm, "tts": tts, "vapi": vapi,
            "total": total, "llmPromptTokens": prompt_tokens,
            "llmCompletionTokens": completion_tokens, "ttsCharacters": bot_chars,
        });
        (total, costs, breakdown)
    }

    /// Ends the call: status-update ended and end-of-call-report (with the
    /// duplicate / reorder knobs). `ended` is `None` for calls that never
    /// started.
    async fn finish(&mut self, reason: &str, ended: Option<i64>) {
        let started = self.call.started_ms;
        self.call.ended_reason = Some(reason.to_string());
        self.call.ended_ms = ended;
        let was_in_progress = self.vapi_status == "in-progress" || self.vapi_status == "forwarding";
        self.vapi_status = "ended";
        let ts = ended.unwrap_or_else(now_ms);
        let minutes = match (started, ended) {
            (Some(s), Some(e)) => (e - s).max(0) as f64 / 60000.0,
            _ => 0.0,
        };
        let (cost, costs, breakdown) = self.costs(minutes);
        let analysis = self.analysis();
        let transcript = self.transcript();
        let mut artifact = json!({
            "messages": self.call.messages,
            "messagesOpenAIFormatted": self.openai_messages(),
            "transcript": transcript,
        });
        if self.recording_enabled() {
            let rec = self.recording();
            artifact["recordingUrl"] = rec["mono"]["combinedUrl"].clone();
            artifact["stereoRecordingUrl"] = rec["stereoUrl"].clone();
            artifact["recording"] = rec;
        }
        self.call.report = Some(json!({
            "cost": cost, "costs": costs, "costBreakdown": breakdown,
            "analysis": analysis, "artifact": artifact,
        }));
        self.publish();

        let n = self.knobs.duplicates.max(1) as usize;
        let ended_msgs: Vec<Map<String, Value>> = (0..n)
            .map(|_| {
                let mut m = self.status_update("ended", ts);
                m.insert("endedReason".into(), json!(reason));
                m
            })
            .collect();
        let reports: Vec<Map<String, Value>> = (0..n)
            .map(|_| self.report_message(reason, ts + 2000, &costs, cost, &analysis))
            .collect();
        if self.knobs.reorder {
            self.send_copies("end-of-call-report", reports).await;
            self.send_copies("status-update", ended_msgs).await;
            if was_in_progress {
                self.vapi_status = "in-progress";
                let m = self.status_update("in-progress", started.unwrap_or(ts));
                self.notify("status-update", m).await;
                self.vapi_status = "ended";
            }
        } else {
            self.send_copies("status-update", ended_msgs).await;
            self.send_copies("end-of-call-report", reports).await;
        }
        self.call.status = "ended";
        self.publish();
    }

    fn report_message(
        &self,
        reason: &str,
        ts: i64,
        costs: &Value,
        cost: f64,
        analysis: &Value,
    ) -> Map<String, Value> {
        let mut m = self.base("end-of-call-report", ts);
        m.insert("endedReason".into(), json!(reason));
        let started = self.call.started_ms;
        let ended = self.call.ended_ms;
        if !self.knobs.legacy {
            if let (Some(s), Some(e)) = (started, ended) {
                m.insert("startedAt".into(), json!(iso(s)));
                m.insert("endedAt".into(), json!(iso(e)));
            }
        }
        m.insert("cost".into(), json!(cost));
        m.insert("costs".into(), costs.clone());
        let transcript = self.transcript();
        let mut artifact = Map::new();
        artifact.insert("messages".into(), json!(self.call.messages));
        artifact.insert("messagesOpenAIFormatted".into(), self.openai_messages());
        if !self.knobs.legacy {
            artifact.insert("transcript".into(), json!(transcript));
        }
        let rec = self.recording_enabled().then(|| self.recording());
        if let Some(rec) = &rec {
            artifact.insert("recordingUrl".into(), rec["mono"]["combinedUrl"].clone());
            artifact.insert("stereoRecordingUrl".into(), rec["stereoUrl"].clone());
            artifact.insert("recording".into(), rec.clone());
            artifact.insert(
                "presignedUrlsExpiresAt".into(),
                json!(iso(now_ms() + 3_600_000)),
            );
        }
        m.insert("artifact".into(), Value::Object(artifact));
        if self.knobs.legacy {
            m.insert(
                "summary".into(),
                json!(self.summary.clone().unwrap_or_default()),
            );
            m.insert("transcript".into(), json!(transcript));
            m.insert("messages".into(), json!(self.call.messages));
            if let Some(rec) = &rec {
                m.insert("recordingUrl".into(), rec["mono"]["combinedUrl"].clone());
                m.insert("stereoRecordingUrl".into(), rec["stereoUrl"].clone());
            }
            let secs = match (started, ended) {
                (Some(s), Some(e)) => (e - s).max(0) as f64 / 1000.0,
                _ => 0.0,
            };
            m.insert("durationSeconds".into(), json!(secs));
        } else {
            m.insert("analysis".into(), analysis.clone());
        }
        if self.assistant.is_object() {
            m.insert("assistant".into(), self.assistant.clone());
        }
        m
    }
}

/// The `status` of a status-update message.
fn detail_of(message: &Map<String, Value>) -> Option<String> {
    (message.get("type")? == "status-update")
        .then(|| message.get("status")?.as_str().map(str::to_string))
        .flatten()
}

/// How long a line takes to say: ~15 characters a second, at least 800 ms.
fn speech_ms(text: &str) -> i64 {
    (text.chars().count() as i64 * 1000 / 15).max(800)
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
    fn scenarios_round_trip() {
        for s in Scenario::ALL {
            assert_eq!(Scenario::parse(s.as_str()), Some(s));
        }
        assert_eq!(Scenario::parse("nope"), None);
    }

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
