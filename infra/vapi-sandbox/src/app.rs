//! The server: configuration, shared state, routing and response helpers.
//! Vapi's REST API is in `api`, the call simulator in `sim` (the call
//! record it fills in `call`), the `/_sandbox` controls and pages in
//! `controls` and `html`, small helpers in `util`.

use crate::call::Call;
use crate::util::now_ms;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request};
use serde_json::{json, Map, Value};
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

pub const DEFAULT_PORT: u16 = 12112;
pub const DEFAULT_API_KEY: &str = "vapi_sandbox_private_key";
pub const DEFAULT_PUBLIC_KEY: &str = "vapi_sandbox_public_key";
pub const DEFAULT_WEBHOOK_SECRET: &str = "vapi_sandbox_webhook_secret";
pub const DEFAULT_ACTIVATION_MS: u64 = 1500;
/// Phone numbers one sandbox holds at most.
pub const MAX_NUMBERS: usize = 100;
const MAX_BODY: usize = 5 << 20;
/// Calls kept in memory (oldest dropped first).
const MAX_CALLS: usize = 1000;

/// How deliveries to the server URL are authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// `X-Vapi-Secret: <secret>`.
    Secret,
    /// `Authorization: Bearer <secret>`.
    Bearer,
    /// `x-vapi-timestamp` + `x-vapi-signature` (see [`crate::sign`]).
    Hmac,
    /// No credential.
    None,
}

impl AuthMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Secret => "secret",
            AuthMode::Bearer => "bearer",
            AuthMode::Hmac => "hmac",
            AuthMode::None => "none",
        }
    }
}

impl FromStr for AuthMode {
    type Err = String;
    fn from_str(s: &str) -> Result<AuthMode, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "secret" => Ok(AuthMode::Secret),
            "bearer" => Ok(AuthMode::Bearer),
            "hmac" => Ok(AuthMode::Hmac),
            "none" => Ok(AuthMode::None),
            other => Err(format!(
                "unknown auth mode {other:?} (use secret, bearer, hmac or none)"
            )),
        }
    }
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the sandbox runs.
#[derive(Clone)]
pub struct Config {
    /// Where browsers and clients reach the sandbox (no trailing slash).
    pub public_url: String,
    /// The private API key (`Authorization: Bearer …`).
    pub api_key: String,
    /// The public key; only valid for `POST /call/web`.
    pub public_key: String,
    /// The org-level server URL: where messages go when neither the tool,
    /// the assistant nor the phone number has a `server.url`.
    pub server_url: Option<String>,
    pub auth: AuthMode,
    /// The secret / bearer token / HMAC key of deliveries.
    pub webhook_secret: String,
    /// How long a new `provider: vapi` number stays `activating`.
    pub activation: Duration,
    /// Vapi's fixed assistant-request limit (7.5 s).
    pub assistant_request_timeout: Duration,
    /// A tool answer slower than this triggers one `hang` message (2 s).
    pub hang_after: Duration,
    /// The `orgId` on every object (a random uuid per sandbox).
    pub org_id: String,
    /// Where assistants, tools and numbers are kept across restarts (a
    /// snapshot written within a second of a change); `None`: memory only.
    pub state_file: Option<std::path::PathBuf>,
}

impl Config {
    pub fn new(public_url: impl Into<String>) -> Config {
        Config {
            public_url: public_url.into().trim_end_matches('/').to_string(),
            api_key: DEFAULT_API_KEY.into(),
            public_key: DEFAULT_PUBLIC_KEY.into(),
            server_url: None,
            auth: AuthMode::Secret,
            webhook_secret: DEFAULT_WEBHOOK_SECRET.into(),
            activation: Duration::from_millis(DEFAULT_ACTIVATION_MS),
            assistant_request_timeout: Duration::from_millis(7500),
            hang_after: Duration::from_secs(2),
            org_id: uuid::Uuid::new_v4().to_string(),
            state_file: None,
        }
    }
}

impl fmt::Debug for Config {
    /// Never prints the keys or the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("public_url", &self.public_url)
            .field("server_url", &self.server_url)
            .field("auth", &self.auth)
            .field("activation", &self.activation)
            .field("org_id", &self.org_id)
            .finish_non_exhaustive()
    }
}

/// Serves on `listener` until the process ends.
pub async fn serve(listener: TcpListener, cfg: Config) -> anyhow::Result<()> {
    let http = kmx_sandbox_kit::http_client()?;
    let state = match &cfg.state_file {
        Some(path) => load_state(path)?,
        None => State::default(),
    };
    let app = Arc::new(App {
        cfg,
        state: Mutex::new(state),
        http,
    });
    if let Some(path) = app.cfg.state_file.clone() {
        tokio::spawn(keep_state(app.clone(), path));
    }
    kmx_sandbox_kit::serve(listener, move |req| {
        let app = app.clone();
        async move { app.handle(req).await }
    })
    .await
}

// ------------------------------------------------------------------ state

/// A phone number: its JSON (without `status`) and what decides the status.
pub(crate) struct Number {
    pub obj: Value,
    pub created_ms: i64,
    /// Active at once (Twilio import) or activated by the control.
    pub activated: bool,
}

impl Number {
    pub fn id(&self) -> &str {
        self.obj["id"].as_str().unwrap_or_default()
    }

    pub fn number(&self) -> &str {
        self.obj["number"].as_str().unwrap_or_default()
    }

    pub fn status(&self, activation: Duration) -> &'static str {
        if self.activated || now_ms() - self.created_ms >= activation.as_millis() as i64 {
            "active"
        } else {
            "activating"
        }
    }

    /// The API view, with the status computed now.
    pub fn view(&self, activation: Duration) -> Value {
        let mut v = self.obj.clone();
        v["status"] = json!(self.status(activation));
        v
    }
}

#[derive(Default)]
pub(crate) struct State {
    pub assistants: Vec<Value>,
    pub tools: Vec<Value>,
    pub numbers: Vec<Number>,
    pub calls: Vec<Call>,
}

impl State {
    pub fn assistant(&self, id: &str) -> Option<&Value> {
        self.assistants.iter().find(|a| a["id"] == id)
    }

    pub fn tool(&self, id: &str) -> Option<&Value> {
        self.tools.iter().find(|t| t["id"] == id)
    }

    pub fn number(&self, id: &str) -> Option<&Number> {
        self.numbers.iter().find(|n| n.id() == id)
    }

    pub fn call(&self, id: &str) -> Option<&Call> {
        self.calls.iter().find(|c| c.id == id)
    }

    pub fn put_call(&mut self, call: Call) {
        match self.calls.iter_mut().find(|c| c.id == call.id) {
            Some(c) => *c = call,
            None => {
                self.calls.push(call);
                if self.calls.len() > MAX_CALLS {
                    self.calls.remove(0);
                }
            }
        }
    }
}

/// The persistent part of the state: assistants, tools and numbers (calls
/// live in the product's own history).
fn snapshot(state: &State) -> Value {
    json!({
        "assistants": state.assistants,
        "tools": state.tools,
        "numbers": state.numbers.iter().map(|n| json!({
            "obj": n.obj, "created_ms": n.created_ms, "activated": n.activated,
        })).collect::<Vec<_>>(),
    })
}

fn load_state(path: &std::path::Path) -> anyhow::Result<State> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
        Err(e) => anyhow::bail!("read {}: {e}", path.display()),
    };
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a sandbox state: {e}", path.display()))?;
    let list = |k: &str| v[k].as_array().cloned().unwrap_or_default();
    Ok(State {
        assistants: list("assistants"),
        tools: list("tools"),
        numbers: list("numbers")
            .into_iter()
            .map(|n| Number {
                obj: n["obj"].clone(),
                created_ms: n["created_ms"].as_i64().unwrap_or_default(),
                activated: n["activated"].as_bool().unwrap_or(false),
            })
            .collect(),
        calls: Vec::new(),
    })
}

/// Writes the snapshot (atomically) whenever it changed, checking each second.
async fn keep_state(app: Arc<App>, path: std::path::PathBuf) {
    let mut written = String::new();
    loop {
        let text = snapshot(&app.lock()).to_string();
        if text != written {
            let tmp = path.with_extension("tmp");
            match std::fs::write(&tmp, &text).and_then(|()| std::fs::rename(&tmp, &path)) {
                Ok(()) => written = text,
                Err(e) => eprintln!("vapi-sandbox: saving {}: {e}", path.display()),
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

pub(crate) struct App {
    pub cfg: Config,
    pub state: Mutex<State>,
    pub http: reqwest::Client,
}

// ------------------------------------------------------------------ responses

pub(crate) use kmx_sandbox_kit::http::{html_resp, redirect, respond, Resp};

pub(crate) fn json_resp(status: u16, v: &Value) -> Resp {
    let body = serde_json::to_vec(v).unwrap_or_default();
    respond(status, "application/json; charset=utf-8", body)
}

/// A NestJS error body: `{"message", "error", "statusCode"}`.
pub(crate) fn nest_error(status: u16, message: impl Into<Value>) -> Resp {
    let error = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        _ => "Internal Server Error",
    };
    json_resp(
        status,
        &json!({"message": message.into(), "error": error, "statusCode": status}),
    )
}

/// 400 with a list of validation messages.
pub(crate) fn bad_request(messages: Vec<String>) -> Resp {
    nest_error(400, Value::from(messages))
}

/// Parses a JSON object body.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("The request body must be a JSON object".into()),
        Err(e) => Err(format!("Unexpected token in JSON: {e}")),
    }
}

// ------------------------------------------------------------------ routing

impl App {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn handle(self: &Arc<Self>, req: Request<Incoming>) -> Resp {
        let t = Instant::now();
        let method = req.method().clone();
        let uri = req.uri().clone();
        let resp = self.route(req).await;
        eprintln!(
            "vapi-sandbox: {method} {} {} ({} ms)",
            uri.path(),
            resp.status().as_u16(),
            t.elapsed().as_millis()
        );
        resp
    }

    async fn route(self: &Arc<Self>, req: Request<Incoming>) -> Resp {
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let query = req.uri().query().unwrap_or("").to_string();
        let headers = req.headers().clone();
        let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => return nest_error(413, "request entity too large"),
        };
        let trimmed = path.trim_matches('/');
        let segs: Vec<&str> = if trimmed.is_empty() {
            Vec::new()
        } else {
            trimmed.split('/').collect()
        };
        match segs.as_slice() {
            ["_sandbox", rest @ ..] => self.controls(&method, rest, &query, &headers, &body).await,
            [] if method == Method::GET => redirect("/_sandbox"),
            _ => self.api(&method, &path, &segs, &query, &headers, &body),
        }
    }
}
