//! The server: Stripe's API under `/v1`, the hosted checkout page under
//! `/checkout`, test controls under `/_sandbox`, and webhook delivery.

use crate::form::{self, Node};
use crate::objects::{
    format_amount, zero_decimal, Charge, ChargeClaim, Dispute, Item, Metadata, Refund, Session,
    SessionStatus, API_VERSION,
};
use crate::{html, signature};
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request};
use kmx_sandbox_kit::http::{html_resp, redirect, respond, Resp};
use kmx_sandbox_kit::{now_ms, random_alnum};
use rand::seq::SliceRandom;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

mod api;
mod controls;
mod delivery;
mod flows;

use delivery::{delivery_worker, expiry_sweeper};

pub const DEFAULT_PORT: u16 = 12111;
pub const DEFAULT_API_KEY: &str = "sk_test_kametrix_sandbox";
pub const DEFAULT_WEBHOOK_SECRET: &str = "whsec_kametrix_sandbox";
/// What Stripe's webhook deliveries send.
pub const WEBHOOK_USER_AGENT: &str = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";
const MAX_BODY: usize = 1 << 20;

/// How the sandbox runs.
#[derive(Clone)]
pub struct Config {
    /// Where browsers reach the sandbox (no trailing slash); session `url`s
    /// point here.
    pub public_url: String,
    pub api_key: String,
    pub webhook_secret: String,
    /// Where signed events are POSTed; `None`: events are only recorded.
    pub webhook_url: Option<String>,
    /// Pauses before the retries of a failed automatic delivery.
    pub retry_delays: Vec<Duration>,
    /// Per delivery attempt.
    pub delivery_timeout: Duration,
}

impl Config {
    pub fn new(public_url: impl Into<String>) -> Config {
        Config {
            public_url: public_url.into().trim_end_matches('/').to_string(),
            api_key: DEFAULT_API_KEY.into(),
            webhook_secret: DEFAULT_WEBHOOK_SECRET.into(),
            webhook_url: None,
            retry_delays: vec![
                Duration::from_millis(500),
                Duration::from_secs(1),
                Duration::from_secs(2),
            ],
            delivery_timeout: Duration::from_secs(10),
        }
    }
}

impl fmt::Debug for Config {
    /// Never prints the key or the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("public_url", &self.public_url)
            .field("webhook_url", &self.webhook_url)
            .field("retry_delays", &self.retry_delays)
            .field("delivery_timeout", &self.delivery_timeout)
            .finish_non_exhaustive()
    }
}

/// Serves on `listener` until the process ends.
pub async fn serve(listener: TcpListener, cfg: Config) -> anyhow::Result<()> {
    let (tx, rx) = mpsc::unbounded_channel();
    let http = kmx_sandbox_kit::http_client()?;
    let app = Arc::new(App {
        cfg,
        state: Mutex::new(State::default()),
        queue: tx,
        http,
        pending: AtomicUsize::new(0),
    });
    tokio::spawn(delivery_worker(app.clone(), rx));
    tokio::spawn(expiry_sweeper(app.clone()));
    kmx_sandbox_kit::serve(listener, move |req| {
        let app = app.clone();
        async move { app.handle(req).await }
    })
    .await
}

// ------------------------------------------------------------------ state

struct Attempt {
    kind: &'static str,
    at_ms: i64,
    status: Option<u16>,
    error: Option<String>,
    ms: u64,
}

struct Event {
    id: String,
    type_: String,
    created: i64,
    object_id: String,
    body: Bytes,
    deliveries: Vec<Attempt>,
}

impl Event {
    /// Whether an attempt got a 2xx.
    fn delivered(&self) -> bool {
        self.deliveries
            .iter()
            .any(|a| a.status.is_some_and(|s| (200..300).contains(&s)))
    }

    fn summary(&self) -> Value {
        let deliveries: Vec<Value> = self
            .deliveries
            .iter()
            .map(|a| {
                json!({"kind": a.kind, "at_ms": a.at_ms, "status": a.status,
                       "error": a.error, "ms": a.ms})
            })
            .collect();
        json!({
            "id": self.id,
            "type": self.type_,
            "created": self.created,
            "object_id": self.object_id,
            "delivered": self.delivered(),
            "deliveries": deliveries,
            "event": serde_json::from_slice::<Value>(&self.body).unwrap_or(Value::Null),
        })
    }
}

struct Idem {
    fingerprint: String,
    status: u16,
    body: Bytes,
}

#[derive(Default)]
struct State {
    seq: u64,
    sessions: HashMap<String, Session>,
    charges: HashMap<String, Charge>,
    refunds: Vec<Refund>,
    disputes: HashMap<String, Dispute>,
    events: Vec<Event>,
    event_index: HashMap<String, usize>,
    idempotency: HashMap<String, Idem>,
}

impl State {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A Checkout Session, or Stripe's 404 for it.
    fn session(&self, id: &str) -> Result<&Session, ApiError> {
        self.sessions.get(id).ok_or_else(|| no_such_session(id))
    }

    fn session_mut(&mut self, id: &str) -> Result<&mut Session, ApiError> {
        self.sessions.get_mut(id).ok_or_else(|| no_such_session(id))
    }

    fn event(&self, id: &str) -> Option<&Event> {
        self.event_index.get(id).map(|&i| &self.events[i])
    }

    /// A charge by `ch_…` id or by its `pi_…` id.
    fn charge_id(&self, id: &str) -> Option<String> {
        if self.charges.contains_key(id) {
            return Some(id.to_string());
        }
        self.charges
            .values()
            .find(|c| c.payment_intent == id)
            .map(|c| c.id.clone())
    }

    fn sorted_sessions(&self) -> Vec<&Session> {
        let mut v: Vec<&Session> = self.sessions.values().collect();
        v.sort_by_key(|s| s.seq);
        v
    }
}

pub(crate) struct App {
    cfg: Config,
    state: Mutex<State>,
    queue: mpsc::UnboundedSender<String>,
    http: reqwest::Client,
    /// Automatic deliveries queued, in flight or waiting for a retry.
    pending: AtomicUsize,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", random_alnum(24))
}

fn no_such_session(id: &str) -> ApiError {
    ApiError::no_such(404, "checkout.session", id, "session")
}

/// The event `request` field for events no API request caused.
fn no_request() -> Value {
    json!({"id": null, "idempotency_key": null})
}

fn type_matches(pattern: &str, type_: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => type_.starts_with(prefix),
        None => pattern == type_,
    }
}

// ------------------------------------------------------------------ errors

/// A Stripe error (reference §1.7), also used by the test controls.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: u16,
    kind: &'static str,
    code: Option<&'static str>,
    param: Option<String>,
    message: String,
}

impl ApiError {
    fn new(status: u16, code: Option<&'static str>, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind: "invalid_request_error",
            code,
            param: None,
            message: message.into(),
        }
    }

    fn param(mut self, p: impl Into<String>) -> ApiError {
        self.param = Some(p.into());
        self
    }

    fn invalid(code: &'static str, param: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(400, Some(code), message).param(param)
    }

    fn missing(param: &str) -> ApiError {
        ApiError::invalid(
            "parameter_missing",
            param,
            format!("Missing required param: {param}."),
        )
    }

    fn empty(param: &str) -> ApiError {
        ApiError::invalid(
            "parameter_invalid_empty",
            param,
            format!("You passed an empty string for '{param}'. We assume empty values are an attempt to unset a parameter; however '{param}' cannot be unset. You should remove '{param}' from your request or supply a non-empty value."),
        )
    }

    fn unknown(param: &str) -> ApiError {
        ApiError::invalid(
            "parameter_unknown",
            param,
            format!("Received unknown parameter: {param}"),
        )
    }

    fn no_such(status: u16, what: &str, id: &str, param: &str) -> ApiError {
        ApiError::new(
            status,
            Some("resource_missing"),
            format!("No such {what}: '{id}'"),
        )
        .param(param)
    }

    fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(409, None, message)
    }

    fn json(&self) -> Value {
        let mut e = json!({"type": self.kind, "message": self.message});
        if let Some(c) = self.code {
            e["code"] = json!(c);
            e["doc_url"] = json!(format!(
                "https://stripe.com/docs/error-codes/{}",
                c.replace('_', "-")
            ));
        }
        if let Some(p) = &self.param {
            e["param"] = json!(p);
        }
        json!({ "error": e })
    }
}

fn json_resp(status: u16, v: &Value) -> Resp {
    let mut body = serde_json::to_vec_pretty(v).unwrap_or_default();
    body.push(b'\n');
    respond(status, "application/json", body)
}

fn error_resp(e: &ApiError) -> Resp {
    let mut r = json_resp(e.status, &e.json());
    if e.status < 500 {
        r.headers_mut().insert(
            HeaderName::from_static("stripe-should-retry"),
            HeaderValue::from_static("false"),
        );
    }
    r
}

// ------------------------------------------------------------------ the app

impl App {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn handle(self: &Arc<Self>, req: Request<Incoming>) -> Resp {
        let t = Instant::now();
        let method = req.method().clone();
        let uri = req.uri().clone();
        let req_id = format!("req_{}", random_alnum(14));
        let path = uri.path().to_string();
        let mut resp = self.route(req, &req_id).await;
        if path.starts_with("/v1/") {
            if let Ok(v) = HeaderValue::from_str(&req_id) {
                resp.headers_mut()
                    .insert(HeaderName::from_static("request-id"), v);
            }
        }
        eprintln!(
            "{method} {} {} ({} ms)",
            uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"),
            resp.status().as_u16(),
            t.elapsed().as_millis()
        );
        resp
    }

    async fn route(self: &Arc<Self>, req: Request<Incoming>, req_id: &str) -> Resp {
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let query = req.uri().query().unwrap_or("").to_string();
        let headers = req.headers().clone();
        let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => {
                return error_resp(&ApiError::new(413, None, "Request body too large"));
            }
        };
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match segs.as_slice() {
            ["v1", rest @ ..] => {
                self.api(&method, rest, &headers, &query, &body, req_id)
                    .await
            }
            ["checkout", id] if method == Method::GET => self.checkout_page(id),
            ["checkout", id, "pay"] if method == Method::POST => self.checkout_pay(id, &body),
            ["checkout", id, "cancel"] if method == Method::GET || method == Method::POST => {
                self.checkout_cancel(id)
            }
            ["_sandbox", rest @ ..] => self.controls(&method, rest, &query, &headers, &body).await,
            [""] if method == Method::GET => redirect("/_sandbox"),
            _ => json_resp(
                404,
                &json!({"error": {"type": "invalid_request_error", "code": "not_found",
                                   "message": format!("Unrecognized request URL ({method}: {path}).")}}),
            ),
        }
    }
}
