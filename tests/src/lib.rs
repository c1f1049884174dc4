//! The end-to-end harness: one whole Kametrix stack per test process
//! (PostgreSQL, moto, mailtutan, every function, the gateway), started on
//! free ports with a fresh data directory, driven over HTTP like a browser.
//!
//! Set `KMX_E2E_BASE_URL` (with `KMX_E2E_MAIL_API`, `KMX_E2E_DATABASE_URL`,
//! `KMX_E2E_SQS_ENDPOINT`, `KMX_E2E_SMTP_URL`, `KMX_E2E_STRIPE_SANDBOX` and `KMX_E2E_VAPI_SANDBOX`) to run against a stack that is already up.

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, SET_COOKIE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::api;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use serde_json::json;

/// Where the stack under test answers.
#[derive(Debug, Clone)]
pub struct Env {
    pub base_url: String,
    /// mailtutan's REST API, e.g. `http://127.0.0.1:1080/api`.
    pub mail_api: String,
    pub database_url: String,
    pub sqs_endpoint: String,
    pub smtp_url: String,
    /// The Stripe sandbox, e.g. `http://127.0.0.1:12111` (test controls under `/_sandbox`).
    pub stripe_sandbox: String,
    /// The Vapi sandbox, e.g. `http://127.0.0.1:12112` (call simulator under `/_sandbox`).
    pub vapi_sandbox: String,
}

/// The stack of this test process, started on first use.
pub fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        if let Ok(base_url) = std::env::var("KMX_E2E_BASE_URL") {
            let var = |k: &str| {
                std::env::var(k).unwrap_or_else(|_| panic!("{k} must be set with KMX_E2E_BASE_URL"))
            };
            return Env {
                base_url,
                mail_api: var("KMX_E2E_MAIL_API"),
                database_url: var("KMX_E2E_DATABASE_URL"),
                sqs_endpoint: var("KMX_E2E_SQS_ENDPOINT"),
                smtp_url: var("KMX_E2E_SMTP_URL"),
                stripe_sandbox: var("KMX_E2E_STRIPE_SANDBOX"),
                vapi_sandbox: var("KMX_E2E_VAPI_SANDBOX"),
            };
        }
        start_stack()
    })
}

/// Starts the stack on a thread that lives as long as the process: the
/// children's parent-death signal is tied to the thread that spawned them,
/// so the test threads (which end) must not be the ones spawning.
fn start_stack() -> Env {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("kmx-stack".into())
        .spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            let started = runtime.block_on(async {
                let mut options = kmx::stack::StackOptions::ephemeral()?;
                options.build = false;
                options.frontend = std::env::var("KMX_E2E_FRONTEND").is_ok_and(|v| v == "1");
                kmx::stack::Stack::start(options).await
            });
            match started {
                Ok(stack) => {
                    let env = Env {
                        base_url: stack.base_url(),
                        mail_api: stack.mail_api_url(),
                        database_url: stack.database_url().to_string(),
                        sqs_endpoint: stack.sqs_endpoint(),
                        smtp_url: stack.smtp_url(),
                        stripe_sandbox: stack.stripe_sandbox_url(),
                        vapi_sandbox: stack.vapi_sandbox_url(),
                    };
                    tx.send(Ok(env)).unwrap();
                    // Keep the stack (and this thread) alive until the process exits.
                    loop {
                        std::thread::park();
                    }
                }
                Err(e) => tx.send(Err(format!("{e:#}"))).unwrap(),
            }
        })
        .expect("stack thread");
    rx.recv()
        .expect("stack thread answers")
        .unwrap_or_else(|e| panic!("the stack did not start: {e}"))
}

/// A unique address for one test.
pub fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@e2e.example.com", uuid::Uuid::new_v4().simple())
}

/// An HTTP answer, with its body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    /// The body as one of the API's types (`shared::api`); the error says
    /// what came instead.
    pub fn json_as<T: DeserializeOwned>(&self) -> anyhow::Result<T> {
        serde_json::from_str(&self.text).map_err(|e| {
            anyhow::anyhow!(
                "not a {}: {e}; the answer was {} {}",
                std::any::type_name::<T>(),
                self.status,
                self.text
            )
        })
    }

    /// The error body's detail (panics, with the answer, on any other body).
    pub fn error(&self) -> api::ErrorDetail {
        self.json_as::<api::ErrorBody>()
            .unwrap_or_else(|e| panic!("expected an error body: {e}"))
            .error
    }

    /// A header of the answer, when it is there and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn error_code(&self) -> api::ErrorCode {
        self.error().code
    }

    pub fn field_error(&self, field: &str) -> Option<String> {
        self.error().fields.get(field).cloned()
    }
}

/// Headers with just this `Content-Type`.
pub fn content_type(value: &'static str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
    headers
}

/// `Content-Type: application/json`, as every JSON request of the dashboard.
pub fn json_headers() -> HeaderMap {
    content_type("application/json")
}

/// A browser-like client: keeps the session cookie and sends the CSRF token
/// on state-changing requests, as the dashboard does.
pub struct Client {
    http: reqwest::Client,
    base: String,
    cookie: Mutex<Option<String>>,
    csrf: Mutex<Option<String>>,
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Client {
    /// Each client connects from its own loopback address (127.x.y.z), so
    /// that the per-IP login throttle sees different tests as different
    /// people, as it would real users.
    pub fn new() -> Client {
        let id = uuid::Uuid::new_v4();
        let b = id.as_bytes();
        let source = std::net::Ipv4Addr::new(127, b[0].max(1), b[1], b[2].clamp(1, 254));
        Client {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .local_address(std::net::IpAddr::V4(source))
                .build()
                .unwrap(),
            base: env().base_url.clone(),
            cookie: Mutex::new(None),
            csrf: Mutex::new(None),
        }
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.cookie.lock().unwrap().clone()
    }

    pub fn set_session_cookie(&self, cookie: Option<String>) {
        *self.cookie.lock().unwrap() = cookie;
    }

    pub fn set_csrf(&self, csrf: Option<String>) {
        *self.csrf.lock().unwrap() = csrf;
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, HeaderMap::new(), None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send_json(Method::POST, path, &body).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send_json(Method::PATCH, path, &body).await
    }

    /// A POST of exactly these bytes with these headers (malformed bodies,
    /// other content types, signed webhooks).
    pub async fn post_raw(
        &self,
        path: &str,
        headers: HeaderMap,
        body: impl Into<Vec<u8>>,
    ) -> Answer {
        self.send(Method::POST, path, headers, Some(body.into()))
            .await
    }

    /// `body` as JSON with `method`, as the dashboard sends it.
    pub async fn send_json(&self, method: Method, path: &str, body: &Value) -> Answer {
        self.send(
            method,
            path,
            json_headers(),
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    pub async fn post_empty(&self, path: &str) -> Answer {
        self.send(Method::POST, path, HeaderMap::new(), None).await
    }

    /// Sends exactly what it is given, plus the session cookie and CSRF token.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        mut headers: HeaderMap,
        body: Option<Vec<u8>>,
    ) -> Answer {
        if let Some(cookie) = self.session_cookie() {
            headers.insert(
                "cookie",
                HeaderValue::from_str(&format!("kmx_session={cookie}")).unwrap(),
            );
        }
        if method != Method::GET && !headers.contains_key("x-csrf-token") {
            if let Some(csrf) = self.csrf.lock().unwrap().clone() {
                headers.insert("x-csrf-token", HeaderValue::from_str(&csrf).unwrap());
            }
        }
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .headers(headers);
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.expect("the gateway answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        for value in headers.get_all(SET_COOKIE) {
            let value = value.to_str().unwrap();
            if let Some(rest) = value.strip_prefix("kmx_session=") {
                let token = rest.split(';').next().unwrap().to_string();
                self.set_session_cookie(
                    (!token.is_empty() && !value.contains("Max-Age=0")).then_some(token),
                );
            }
        }
        let text = response.text().await.unwrap_or_default();
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if let Some(csrf) = json["csrf_token"].as_str() {
            self.set_csrf(Some(csrf.to_string()));
        }
        Answer {
            status,
            headers,
            text,
            json,
        }
    }
}

/// The plain-text body of the newest email to `to` whose subject contains
/// `subject`, waiting up to 30 s for it to arrive at the SMTP receiver.
pub async fn wait_for_email(to: &str, subject: &str) -> String {
    let http = reqwest::Client::new();
    let api = &env().mail_api;
    let started = Instant::now();
    loop {
        let messages: Value = http
            .get(format!("{api}/messages"))
            .send()
            .await
            .expect("the mail receiver answers")
            .json()
            .await
            .expect("mail list is JSON");
        let found = messages.as_array().into_iter().flatten().rev().find(|m| {
            m["recipients"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r.as_str().is_some_and(|r| r.contains(to)))
                && m["subject"].as_str().is_some_and(|s| s.contains(subject))
        });
        if let Some(message) = found {
            let id = &message["id"];
            return http
                .get(format!("{api}/messages/{id}/plain"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no email to {to} about {subject:?} within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// How many emails to `to` the receiver holds.
pub async fn emails_to(to: &str) -> usize {
    let messages: Value = reqwest::get(format!("{}/messages", env().mail_api))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    messages
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| {
            m["recipients"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r.as_str() == Some(to))
        })
        .count()
}

/// The first link in `text` that contains `path`.
pub fn link_in(text: &str, path: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("http") && w.contains(path))
        .unwrap_or_else(|| panic!("no {path} link in: {text}"))
        .to_string()
}

/// The `token` query parameter of a link.
pub fn token_of(link: &str) -> String {
    link.split("token=")
        .nth(1)
        .expect("a token")
        .split('&')
        .next()
        .unwrap()
        .to_string()
}

/// The password of every owner signed up here.
pub const PASSWORD: &str = "river-stone-maple-42";

/// The business of every owner signed up here.
pub const BUSINESS_NAME: &str = "Rosa's Bakery";

/// Signs `client` up as `email` with [`PASSWORD`] for [`BUSINESS_NAME`].
pub async fn sign_up(client: &Client, email: &str) -> Answer {
    client
        .post(
            "/api/auth/signup",
            json!({"email": email, "password": PASSWORD, "business_name": BUSINESS_NAME}),
        )
        .await
}

/// Signs `client` in as `email` with `password`.
pub async fn log_in(client: &Client, email: &str, password: &str) -> Answer {
    client
        .post(
            "/api/auth/login",
            json!({"email": email, "password": password}),
        )
        .await
}

/// Signs up a fresh owner and returns their client and email.
pub async fn signed_up_owner(prefix: &str) -> (Client, String) {
    let client = Client::new();
    let email = unique_email(prefix);
    let answer = sign_up(&client, &email).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    (client, email)
}

/// Who `client` is signed in as (`GET /api/me`).
pub async fn me(client: &Client) -> api::Me {
    let answer = client.get("/api/me").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json_as().unwrap()
}

/// The signed-in owner's credits (`GET /api/credits`).
pub async fn credits(owner: &Client) -> api::Credits {
    let answer = owner.get("/api/credits").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json_as().unwrap()
}

/// The signed-in owner's balance in seconds.
pub async fn balance(owner: &Client) -> i64 {
    credits(owner).await.balance_seconds
}

/// The signed-in owner's ledger, newest first (`GET /api/credits/ledger`).
pub async fn ledger(owner: &Client) -> api::LedgerPage {
    let answer = owner.get("/api/credits/ledger").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json_as().unwrap()
}

/// An admin's adjustment of `account`'s balance by `seconds`, for `reason`.
pub async fn adjust_credits(
    admin: &Client,
    account: api::AccountId,
    seconds: i64,
    reason: &str,
) -> Answer {
    admin
        .post(
            &format!("/api/admin/accounts/{account}/credits/adjust"),
            json!({"amount_seconds": seconds, "reason": reason}),
        )
        .await
}

/// Signs in as the admin that the stack seeds.
pub async fn admin_client() -> Client {
    let client = Client::new();
    let seed = kmx::ops::Seed::from_env();
    let answer = log_in(&client, &seed.admin_email, &seed.admin_password).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    client
}

/// Places a simulated call with the Vapi sandbox (`POST /_sandbox/calls`)
/// and returns the finished call record. A number still activating at
/// Vapi (409) is dialled again until it is active.
pub async fn simulate_call(request: Value) -> Value {
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let answer = http
            .post(format!("{}/_sandbox/calls", env().vapi_sandbox))
            .json(&request)
            .send()
            .await
            .expect("the Vapi sandbox answers");
        let status = answer.status().as_u16();
        let record: Value = answer.json().await.unwrap_or(Value::Null);
        if status == 409 && started.elapsed() < Duration::from_secs(20) {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        assert_eq!(status, 200, "simulated call: {record}");
        return record;
    }
}

/// Provisions `count` numbers into the pool as the seeded admin.
pub async fn provision_numbers(count: u32) {
    let admin = admin_client().await;
    let answer = admin
        .post(
            "/api/admin/numbers",
            json!({"count": count, "area_code": "415"}),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
}

pub mod webdriver;
