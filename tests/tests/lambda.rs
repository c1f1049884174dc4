//! One function of each kind (http, queue, schedule) run as its built binary
//! under cargo-lambda's Lambda Runtime API emulator, the way AWS Lambda runs
//! it: `cargo lambda watch --only-lambda-apis` serves the Runtime API and the
//! invoke endpoints, the test starts `target/debug/<name>` itself with the
//! Lambda environment (`AWS_LAMBDA_RUNTIME_API` set, so `shared::runtime`
//! takes its Lambda path), and the function talks to this test process's
//! stack (PostgreSQL, moto SQS, mailtutan SMTP).
//!
//! The binaries must be built first (`cargo build -p functions`; `make test`
//! does it). Emulator and function logs go to a temp dir that is kept, and
//! printed, when a test fails.

use e2e::*;
use kmx::process::{LogMode, Logs, ProcSpec, Supervised};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, COOKIE};
use reqwest::Method;
use serde_json::Value;
use shared::api::{self, ErrorCode};
use shared::email::Email;
use shared::manifest::Manifest;
use shared::outbox::{Envelope, OutboxMessage};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

// ------------------------------------------------------------------ tests ----

#[tokio::test]
async fn an_http_function_answers_a_function_url_request_under_the_lambda_emulator(
) -> anyhow::Result<()> {
    let (owner, email) = signed_up_owner("lambda-me").await;
    let token = owner
        .session_cookie()
        .expect("signup sets the session cookie");
    let through_gateway = owner.get("/api/me").await;
    assert_eq!(through_gateway.status, 200, "{}", through_gateway.text);

    let mut me = Lambda::start("me").await;
    let cookie = format!("kmx_session={token}");

    let signed_in = me.request(Method::GET, "/api/me", Some(&cookie)).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert_eq!(signed_in.header("content-type"), Some("application/json"));
    let lambda_me: api::Me = signed_in.json_as()?;
    let gateway_me: api::Me = through_gateway.json_as()?;
    assert_eq!(lambda_me.user.email, email);
    assert_eq!(lambda_me.account.business_name, BUSINESS_NAME);
    assert_eq!(
        lambda_me.user, gateway_me.user,
        "the same user as through the gateway"
    );
    assert_eq!(
        lambda_me.csrf_token, gateway_me.csrf_token,
        "the same session"
    );

    let anonymous = me.request(Method::GET, "/api/me", None).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    assert_eq!(anonymous.header("content-type"), Some("application/json"));
    assert_eq!(anonymous.error_code(), ErrorCode::Unauthenticated);

    // The function matches the request against its manifest route: it sees
    // `/api/me`, not the emulator's `/lambda-url/me` prefix (else the first
    // request above would have been a 404), and nothing else.
    let elsewhere = me.request(Method::GET, "/api/me/else", Some(&cookie)).await;
    assert_eq!(elsewhere.status, 404, "{}", elsewhere.text);
    assert_eq!(elsewhere.error_code(), ErrorCode::NotFound);
    let wrong_method = me.request(Method::DELETE, "/api/me", Some(&cookie)).await;
    assert_eq!(wrong_method.status, 405, "{}", wrong_method.text);
    me.finish();
    Ok(())
}

#[tokio::test]
async fn a_queue_function_sends_an_sqs_batch_once_and_reports_the_failed_message_under_the_lambda_emulator(
) {
    let mut sender = Lambda::start("email-sender").await;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let to = unique_email("lambda-queue");
    let subject = format!("Lambda queue check {tag}");
    let message_id = uuid::Uuid::new_v4().to_string();
    let event = sqs_event(&[(
        &message_id,
        envelope(&format!("e2e-lambda-queue:{tag}"), &to, &subject),
    )]);

    let answer = sender.invoke(&event).await;
    assert_eq!(answer, json!({"batchItemFailures": []}));
    let text = wait_for_email(&to, &subject).await;
    assert!(
        text.contains(&format!("Sent through the emulator ({tag})")),
        "{text}"
    );

    // SQS delivers at least once: the same message again sends nothing more.
    let again = sender.invoke(&event).await;
    assert_eq!(again, json!({"batchItemFailures": []}));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        emails_to(&to).await,
        1,
        "a redelivered message is not sent twice"
    );

    // A batch with a malformed body: only that message is reported for
    // redelivery, the others are sent.
    let broken_id = uuid::Uuid::new_v4().to_string();
    let good_id = uuid::Uuid::new_v4().to_string();
    let to_next = unique_email("lambda-queue-next");
    let next_subject = format!("Lambda queue batch {tag}");
    let batch = sqs_event(&[
        (
            &broken_id,
            "{\"outbox_id\": 1, \"this is\": \"not an envelope\"".to_string(),
        ),
        (
            &good_id,
            envelope(
                &format!("e2e-lambda-queue-next:{tag}"),
                &to_next,
                &next_subject,
            ),
        ),
    ]);
    let answer = sender.invoke(&batch).await;
    assert_eq!(
        answer,
        json!({"batchItemFailures": [{"itemIdentifier": broken_id}]})
    );
    wait_for_email(&to_next, &next_subject).await;
    sender.finish();
}

#[tokio::test]
async fn a_schedule_function_relays_the_outbox_on_a_scheduled_event_under_the_lambda_emulator() {
    let db = database().await;
    let mut relay = Lambda::start("outbox-relay").await;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let to = unique_email("lambda-relay");
    let subject = format!("Lambda relay check {tag}");
    let payload = serde_json::to_value(email(&to, &subject)).unwrap();

    // The stack runs its own outbox-relay on a timer; should its tick take
    // our row between the insert and the invocation, try with another row.
    let mut attempt = 0;
    let (id, answer) = loop {
        attempt += 1;
        let dedup_key = format!("e2e-lambda-relay:{tag}:{attempt}");
        let id: i64 = db
            .query_one(
                "INSERT INTO outbox (queue, dedup_key, payload) VALUES ($1, $2, $3) RETURNING id",
                &[&Email::QUEUE, &dedup_key, &payload],
            )
            .await
            .expect("insert the outbox row")
            .get(0);
        let answer = relay.invoke(&scheduled_event()).await;
        if answer["sent"].as_u64().is_some_and(|n| n >= 1) || attempt == 3 {
            break (id, answer);
        }
    };
    assert!(answer["sent"].as_u64().is_some_and(|n| n >= 1), "{answer}");
    assert_eq!(answer["failed"], 0, "{answer}");

    let row = db
        .query_one(
            "SELECT sent_at IS NOT NULL, attempts, last_error FROM outbox WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    assert!(row.get::<_, bool>(0), "the relayed row is marked sent");
    assert_eq!(row.get::<_, i32>(1), 1);
    assert_eq!(row.get::<_, Option<String>>(2), None);

    // On the queue now: the stack's email-sender worker sends it.
    let text = wait_for_email(&to, &subject).await;
    assert!(
        text.contains(&format!("Sent through the emulator ({tag})")),
        "{text}"
    );
    relay.finish();
}

// ---------------------------------------------------------------- events ----

fn email(to: &str, subject: &str) -> Email {
    let tag = subject.rsplit(' ').next().unwrap_or_default();
    let line = format!("Sent through the emulator ({tag}).");
    Email {
        to: to.to_string(),
        subject: subject.to_string(),
        html: shared::email::html_layout(std::slice::from_ref(&line), None),
        text: line,
    }
}

/// An `emails` queue message body: the outbox envelope of one email.
fn envelope(dedup_key: &str, to: &str, subject: &str) -> String {
    let envelope = Envelope::<Email> {
        outbox_id: i64::from(uuid::Uuid::new_v4().as_fields().0 >> 1),
        dedup_key: dedup_key.to_string(),
        payload: email(to, subject),
    };
    serde_json::to_string(&envelope).unwrap()
}

/// An SQS event as Lambda's event source mapping delivers it.
fn sqs_event(messages: &[(&str, String)]) -> Value {
    use md5::{Digest, Md5};
    let now = chrono::Utc::now().timestamp_millis().to_string();
    let queue = format!("{}{}", kmx::queues::DEFAULT_PREFIX, Email::QUEUE);
    let records: Vec<Value> = messages
        .iter()
        .map(|(id, body)| {
            let md5: String = Md5::digest(body.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            json!({
                "messageId": id,
                "receiptHandle": format!("AQEB{}", uuid::Uuid::new_v4().simple()),
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": now,
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": now,
                },
                "messageAttributes": {},
                "md5OfBody": md5,
                "eventSource": "aws:sqs",
                "eventSourceARN": format!("arn:aws:sqs:us-east-1:000000000000:{queue}"),
                "awsRegion": "us-east-1",
            })
        })
        .collect();
    json!({ "Records": records })
}

/// An EventBridge "Scheduled Event", as its rule delivers it.
fn scheduled_event() -> Value {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:000000000000:rule/kmx-outbox-relay"],
        "detail": {},
    })
}

async fn database() -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&env().database_url, tokio_postgres::NoTls)
        .await
        .expect("connect to the stack's database");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

// ------------------------------------------------------------- emulator ----

/// The workspace root.
fn root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    root.canonicalize().unwrap_or(root)
}

/// `target/debug` (or `$CARGO_TARGET_DIR/debug`), where the function binaries are.
fn bin_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    };
    target.join("debug")
}

/// cargo-lambda: `$KMX_CARGO_LAMBDA`, else the project venv's.
fn cargo_lambda() -> PathBuf {
    let path = std::env::var_os("KMX_CARGO_LAMBDA")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/cargo-lambda"));
    assert!(
        path.exists(),
        "cargo-lambda not found at {} (run `make deps`, or set KMX_CARGO_LAMBDA)",
        path.display()
    );
    path
}

/// The stack's SMTP URL. `e2e::Env` does not carry it, so: `$KMX_E2E_SMTP_URL`,
/// else the `--smtp-port` of the mailtutan whose `--http-port` serves `env().mail_api`.
/// What the stack gives every function (infra/stack/src/stack.rs), here
/// pointing at this test process's stack.
fn stack_env() -> Vec<(String, String)> {
    let e = env();
    [
        ("DATABASE_URL", e.database_url.clone()),
        ("KMX_PUBLIC_URL", e.base_url.clone()),
        ("SMTP_URL", env().smtp_url.clone()),
        ("MAIL_FROM", kmx::stack::MAIL_FROM.to_string()),
        ("SQS_ENDPOINT_URL", e.sqs_endpoint.clone()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("KMX_QUEUE_PREFIX", kmx::queues::DEFAULT_PREFIX.into()),
        ("RUST_LOG", "info".into()),
        ("RUST_BACKTRACE", "1".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// One function binary polling its own cargo-lambda emulator. Both processes
/// are stopped when this is dropped, panic or not (and die with the test
/// process: parent-death signal); their logs are kept and shown on failure.
struct Lambda {
    name: &'static str,
    port: u16,
    http: reqwest::Client,
    logs: PathBuf,
    function: Option<Supervised>,
    emulator: Option<Supervised>,
    invocations: u32,
}

impl Lambda {
    async fn start(name: &'static str) -> Lambda {
        let spec = Manifest::embedded()
            .function(name)
            .unwrap_or_else(|| panic!("no function {name} in infra/functions.toml"));
        let binary = bin_dir().join(name);
        assert!(
            binary.exists(),
            "{} does not exist: build the functions first (cargo build -p functions)",
            binary.display()
        );
        // The stack first, so that its start-up is not counted below.
        let common = stack_env();

        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "kmx-lambda-{name}-{}-{nanos:x}",
            std::process::id()
        ));
        let logs = Logs::new(&dir, LogMode::Files, 12);
        let port = kmx::net::free_port().expect("a free port");

        // Run in the workspace: the emulator accepts invocations only for the
        // binaries of the cargo project it is started in.
        let started = Instant::now();
        let mut emulator = ProcSpec::new("cargo-lambda", cargo_lambda())
            .args(["lambda", "watch", "--only-lambda-apis", "--ignore-changes"])
            .args([
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
                &port.to_string(),
            ])
            .env("NO_COLOR", "1")
            .cwd(root());
        // SIGTERM, then SIGKILL after 2 s: its graceful shutdown waits for
        // pending invocations.
        emulator.stop_timeout = Duration::from_secs(2);
        let emulator = Supervised::spawn(&emulator, &logs).expect("start cargo lambda watch");
        let mut lambda = Lambda {
            name,
            port,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            logs: dir,
            function: None,
            emulator: Some(emulator),
            invocations: 0,
        };
        // A plain TCP connect: an HTTP probe would queue an invocation of the
        // emulator's default function and hang.
        loop {
            if kmx::net::tcp_ok(port).await {
                break;
            }
            lambda.check_alive();
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "cargo lambda watch did not listen on 127.0.0.1:{port} within 30 s{}",
                lambda.tails()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        eprintln!(
            "lambda {name}: emulator listening after {} ms",
            started.elapsed().as_millis()
        );

        let mut function = ProcSpec::new(name, &binary)
            .envs(common)
            // What the emulator asks for (it prints these), with this
            // function's name in the Runtime API path: the emulator keeps
            // one invocation queue per function name.
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{port}/.rt/{name}"),
            )
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", spec.memory.to_string())
            .env_remove("PORT")
            .env_remove("LOG_FORMAT")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .cwd(root());
        function.stop_timeout = Duration::from_secs(2);
        let function = Supervised::spawn(&function, &logs)
            .unwrap_or_else(|e| panic!("start {}: {e:#}", binary.display()));
        lambda.function = Some(function);
        lambda
    }

    /// An HTTP request to the function's URL (a function URL event).
    async fn request(&mut self, method: Method, path: &str, cookie: Option<&str>) -> Answer {
        let mut headers = HeaderMap::new();
        if let Some(cookie) = cookie {
            headers.insert(COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        let url = format!(
            "http://127.0.0.1:{}/lambda-url/{}{path}",
            self.port, self.name
        );
        let request = self.http.request(method.clone(), url).headers(headers);
        self.call(&format!("{method} {path}"), request).await
    }

    /// A direct invocation with `event` (what SQS or EventBridge send);
    /// returns the function's answer, which must be a success.
    async fn invoke(&mut self, event: &Value) -> Value {
        let url = format!(
            "http://127.0.0.1:{}/2015-03-31/functions/{}/invocations",
            self.port, self.name
        );
        let request = self
            .http
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .body(event.to_string());
        let answer = self.call("invoke", request).await;
        assert_eq!(
            answer.status,
            200,
            "the invocation failed: {}{}",
            answer.text,
            self.tails()
        );
        answer.json
    }

    /// Sends `request`; fails early, with the logs, if a process dies.
    async fn call(&mut self, what: &str, request: reqwest::RequestBuilder) -> Answer {
        let started = Instant::now();
        let send = async move {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let text = response.text().await?;
            Ok::<_, reqwest::Error>((status, headers, text))
        };
        tokio::pin!(send);
        let (status, headers, text) = loop {
            tokio::select! {
                result = &mut send => match result {
                    Ok(answer) => break answer,
                    Err(e) => panic!("{} {what}: {e}{}", self.name, self.tails()),
                },
                _ = tokio::time::sleep(Duration::from_millis(100)) => self.check_alive(),
            }
        };
        self.invocations += 1;
        let kind = if self.invocations == 1 {
            "first invocation (function start-up included)"
        } else {
            "invocation"
        };
        eprintln!(
            "lambda {}: {what}: {kind} answered {status} in {} ms",
            self.name,
            started.elapsed().as_millis()
        );
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            json,
        }
    }

    fn check_alive(&mut self) {
        let mut dead = Vec::new();
        for p in [self.emulator.as_mut(), self.function.as_mut()]
            .into_iter()
            .flatten()
        {
            if p.try_exited().is_some() {
                dead.push(p.describe_exit());
            }
        }
        assert!(dead.is_empty(), "{}", dead.join("\n"));
    }

    fn tails(&self) -> String {
        let mut out = format!("\n  (logs in {})", self.logs.display());
        for p in [self.emulator.as_ref(), self.function.as_ref()]
            .into_iter()
            .flatten()
        {
            out.push_str(&format!("\n  {}:", p.name()));
            for line in p
                .tail()
                .iter()
                .rev()
                .take(15)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
            {
                out.push_str(&format!("\n    {line}"));
            }
        }
        out
    }

    /// The end of a passing test: both processes still up, then stopped.
    fn finish(mut self) {
        self.check_alive();
    }
}

impl Drop for Lambda {
    fn drop(&mut self) {
        let failed = std::thread::panicking();
        if failed {
            eprintln!("lambda {}: {}", self.name, self.tails());
        }
        // The function first: it would otherwise log the emulator going away.
        drop(self.function.take());
        drop(self.emulator.take());
        if !failed {
            let _ = std::fs::remove_dir_all(&self.logs);
        }
    }
}
