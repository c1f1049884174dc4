//! How every function binary runs, in either of its two modes:
//!
//! * `AWS_LAMBDA_RUNTIME_API` set: the Lambda Runtime API (AWS Lambda,
//!   cargo-lambda's emulator, any Lambda-compatible runtime), via
//!   `lambda_http` / `lambda_runtime`;
//! * otherwise: a plain HTTP server on `$PORT` (http functions), an SQS
//!   polling loop (queue functions) or a timer (schedule functions).
//!
//! Both modes go through the same [`dispatch`], which applies the function's
//! manifest entry (method, path, access rule), authenticates the session,
//! checks CSRF, calls the handler and maps errors to JSON in one place.

use crate::accounts::sessions::{self, Session};
use crate::api::CSRF_HEADER;
use crate::app::App;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::{Reply, Request};
use crate::manifest::{Access, FunctionSpec, Kind, Manifest};
use crate::queue::QueueMessage;
use crate::telemetry;
use bytes::Bytes;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// What a handler gets besides the request.
pub struct Ctx {
    pub app: Arc<App>,
    /// The signed-in session, on `owner` and `admin` routes.
    pub session: Option<Session>,
}

impl Ctx {
    pub fn session(&self) -> Result<&Session> {
        self.session.as_ref().ok_or(Error::Unauthenticated)
    }
}

fn in_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
}

fn boot(name: &str, kind: Kind) -> (Arc<App>, &'static FunctionSpec) {
    let config = Config::from_env().unwrap_or_else(|e| {
        eprintln!("{name}: configuration error: {e}");
        std::process::exit(2);
    });
    telemetry::init(config.log_format);
    // Several TLS crypto backends are linked in (the AWS SDK's and ring);
    // rustls needs one chosen for the process before any TLS client starts.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(spec) = Manifest::embedded()
        .function(name)
        .filter(|s| s.kind == kind)
    else {
        eprintln!("{name}: not a {kind:?} function in infra/functions.toml");
        std::process::exit(2);
    };
    let app = App::new(config).unwrap_or_else(|e| {
        eprintln!("{name}: {e}");
        std::process::exit(2);
    });
    (Arc::new(app), spec)
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

// ---------------------------------------------------------------- http ----

/// Runs HTTP function `name` (its manifest entry) with `handler`.
pub fn http<H, F>(name: &'static str, handler: H)
where
    H: Fn(Ctx, Request) -> F + Send + Sync + 'static,
    F: Future<Output = Result<Reply>> + Send + 'static,
{
    tokio_runtime().block_on(async move {
        let (app, spec) = boot(name, Kind::Http);
        let handler = Arc::new(handler);
        let outcome = if in_lambda() {
            serve_lambda(app, spec, handler).await
        } else {
            serve_plain(app, spec, handler).await.map_err(Into::into)
        };
        if let Err(e) = outcome {
            tracing::error!(function = name, error = %e, "function stopped");
            std::process::exit(1);
        }
    })
}

async fn serve_lambda<H, F>(
    app: Arc<App>,
    spec: &'static FunctionSpec,
    handler: Arc<H>,
) -> std::result::Result<(), lambda_http::Error>
where
    H: Fn(Ctx, Request) -> F + Send + Sync + 'static,
    F: Future<Output = Result<Reply>> + Send + 'static,
{
    lambda_http::run(lambda_http::service_fn(
        move |event: lambda_http::Request| {
            let (app, handler) = (app.clone(), handler.clone());
            async move {
                let (parts, body) = event.into_parts();
                let request = Request::from_parts(parts, Bytes::copy_from_slice(body.as_ref()));
                let response = dispatch(&app, spec, handler.as_ref(), request)
                    .await
                    .into_http();
                let (parts, body) = response.into_parts();
                let body = match String::from_utf8(body.to_vec()) {
                    Ok(text) if text.is_empty() => lambda_http::Body::Empty,
                    Ok(text) => lambda_http::Body::Text(text),
                    Err(e) => lambda_http::Body::Binary(e.into_bytes()),
                };
                Ok::<_, lambda_http::Error>(http::Response::from_parts(parts, body))
            }
        },
    ))
    .await
}

async fn serve_plain<H, F>(
    app: Arc<App>,
    spec: &'static FunctionSpec,
    handler: Arc<H>,
) -> std::io::Result<()>
where
    H: Fn(Ctx, Request) -> F + Send + Sync + 'static,
    F: Future<Output = Result<Reply>> + Send + 'static,
{
    use http_body_util::{BodyExt, Full, Limited};
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    let host = std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1".into());
    let listener = tokio::net::TcpListener::bind((host.as_str(), port)).await?;
    tracing::info!(function = spec.name, %host, port, "listening (plain HTTP mode)");
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => { tracing::warn!(error = %e, "accept failed"); continue; }
            },
            _ = &mut shutdown => return Ok(()),
        };
        let _ = stream.set_nodelay(true);
        let (app, handler) = (app.clone(), handler.clone());
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (app, handler) = (app.clone(), handler.clone());
                    async move {
                        let (parts, body) = req.into_parts();
                        let reply = match Limited::new(body, spec.max_body_bytes()).collect().await
                        {
                            Ok(collected) => {
                                let request = Request::from_parts(parts, collected.to_bytes());
                                dispatch(&app, spec, handler.as_ref(), request).await
                            }
                            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                                Reply::error(&Error::PayloadTooLarge)
                            }
                            Err(_) => Reply::error(&Error::BadRequest(
                                "The request body could not be read.".into(),
                            )),
                        };
                        Ok::<_, std::convert::Infallible>(reply.into_http().map(Full::new))
                    }
                });
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(io, service)
                .await;
        });
    }
}

/// The request path common to both modes.
pub async fn dispatch<H, F>(
    app: &Arc<App>,
    spec: &FunctionSpec,
    handler: &H,
    mut request: Request,
) -> Reply
where
    H: Fn(Ctx, Request) -> F,
    F: Future<Output = Result<Reply>>,
{
    let started = Instant::now();
    let (method, path) = (request.method.clone(), request.path.clone());
    let outcome = async {
        if request.body.len() > spec.max_body_bytes() {
            return Err(Error::PayloadTooLarge);
        }
        request.params = spec.match_path(&request.path).ok_or(Error::NotFound)?;
        if spec.method.as_deref() != Some(request.method.as_str()) {
            return Err(Error::MethodNotAllowed);
        }
        let session = authorize(app, spec, &mut request).await?;
        let refresh = session
            .as_ref()
            .filter(|s| s.extended)
            .map(|s| s.cookie(&app.config));
        let reply = handler(
            Ctx {
                app: app.clone(),
                session,
            },
            request,
        )
        .await?;
        // Sliding expiry: a session whose expiry moved gets a fresh cookie,
        // unless the handler itself set or cleared it.
        Ok(match refresh {
            Some(cookie) if !reply.has_header(&http::header::SET_COOKIE) => {
                reply.with_header(http::header::SET_COOKIE, &cookie)
            }
            _ => reply,
        })
    }
    .await;
    let reply = match outcome {
        Ok(reply) => reply,
        Err(e) => {
            if e.status() >= 500 {
                tracing::error!(function = spec.name, error = %e.chain(), "request failed");
            } else {
                tracing::debug!(function = spec.name, error = %e, "request refused");
            }
            Reply::error(&e)
        }
    };
    tracing::info!(
        function = spec.name,
        %method,
        path,
        status = reply.status,
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    reply
}

/// Applies the manifest's access rule; returns the session on signed-in routes.
async fn authorize(
    app: &App,
    spec: &FunctionSpec,
    request: &mut Request,
) -> Result<Option<Session>> {
    match spec.access {
        Access::Public => {
            if request.is_unsafe_method() {
                check_origin(&app.config, request)?;
            }
            Ok(None)
        }
        Access::Owner | Access::Admin => {
            let token = request
                .cookie(sessions::COOKIE_NAME)
                .ok_or(Error::Unauthenticated)?;
            let session = sessions::authenticate(&app.db, token)
                .await?
                .ok_or(Error::Unauthenticated)?;
            if spec.access == Access::Admin && !session.is_admin() {
                return Err(Error::Forbidden);
            }
            if request.is_unsafe_method() {
                check_origin(&app.config, request)?;
                let sent = request.header(CSRF_HEADER).unwrap_or("");
                if !bool::from(sent.as_bytes().ct_eq(session.csrf_token.as_bytes())) {
                    return Err(Error::CsrfFailed);
                }
            }
            Ok(Some(session))
        }
        // Webhooks: the provider's signature over the raw body, before the
        // function sees (let alone parses) it.
        Access::Vapi => {
            let now = chrono::Utc::now().timestamp();
            crate::vapi::auth::verify(&app.config.vapi, &request.headers, &request.body, now)?;
            request.mark_signed();
            Ok(None)
        }
        Access::Stripe => {
            let now = chrono::Utc::now().timestamp();
            crate::billing::verify_webhook(
                &app.config,
                request.header("stripe-signature"),
                &request.body,
                now,
            )?;
            request.mark_signed();
            Ok(None)
        }
        Access::System => Err(Error::NotFound),
    }
}

/// Refuses state-changing requests that a browser marks as cross-site.
fn check_origin(config: &Config, request: &Request) -> Result<()> {
    if request.header("sec-fetch-site") == Some("cross-site") {
        return Err(Error::CsrfFailed);
    }
    match request.header("origin") {
        Some(origin) if origin != config.public_origin() => Err(Error::CsrfFailed),
        _ => Ok(()),
    }
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

// --------------------------------------------------------------- queue ----

/// Runs queue function `name`: each message goes to `handler`; a message
/// whose handler fails is left for redelivery (and, after the queue's
/// `max_receive_count`, its dead-letter queue).
pub fn queue<H, F>(name: &'static str, handler: H)
where
    H: Fn(Arc<App>, QueueMessage) -> F + Send + Sync + 'static,
    F: Future<Output = Result<()>> + Send + 'static,
{
    tokio_runtime().block_on(async move {
        let (app, spec) = boot(name, Kind::Queue);
        let queue = spec.queue.clone().expect("validated manifest");
        let handler = Arc::new(handler);
        if in_lambda() {
            let run = lambda_runtime::run(lambda_runtime::service_fn(
                move |event: lambda_runtime::LambdaEvent<aws_lambda_events::event::sqs::SqsEvent>| {
                    let (app, handler) = (app.clone(), handler.clone());
                    async move {
                        let mut response = aws_lambda_events::event::sqs::SqsBatchResponse::default();
                        for record in event.payload.records {
                            let message = QueueMessage {
                                message_id: record.message_id.clone().unwrap_or_default(),
                                body: record.body.clone().unwrap_or_default(),
                                receive_count: record
                                    .attributes
                                    .get("ApproximateReceiveCount")
                                    .and_then(|v| v.parse().ok())
                                    .unwrap_or(1),
                                receipt_handle: None,
                            };
                            if let Err(e) = handler(app.clone(), message).await {
                                tracing::warn!(function = name, error = %e, "message failed; left for redelivery");
                                let mut failure = aws_lambda_events::event::sqs::BatchItemFailure::default();
                                failure.item_identifier = record.message_id.unwrap_or_default();
                                response.batch_item_failures.push(failure);
                            }
                        }
                        Ok::<_, lambda_runtime::Error>(response)
                    }
                },
            ))
            .await;
            if let Err(e) = run {
                tracing::error!(function = name, error = %e, "function stopped");
                std::process::exit(1);
            }
        } else {
            poll_queue(app, name, &queue, spec.batch_size.unwrap_or(10), handler).await;
        }
    })
}

async fn poll_queue<H, F>(app: Arc<App>, name: &str, queue: &str, batch: u32, handler: Arc<H>)
where
    H: Fn(Arc<App>, QueueMessage) -> F + Send + Sync + 'static,
    F: Future<Output = Result<()>> + Send + 'static,
{
    tracing::info!(function = name, queue, "polling (local mode)");
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let received = tokio::select! {
            r = async { app.queues().await.receive(queue, batch as i32, 2).await } => r,
            _ = &mut shutdown => return,
        };
        match received {
            Ok(messages) => {
                for message in messages {
                    let receipt = message.receipt_handle.clone();
                    match handler(app.clone(), message).await {
                        Ok(()) => {
                            if let Some(receipt) = receipt {
                                if let Err(e) = app.queues().await.delete(queue, &receipt).await {
                                    tracing::warn!(function = name, error = %e, "delete failed");
                                }
                            }
                        }
                        Err(e) => {
                            tracing::warn!(function = name, error = %e, "message failed; left for redelivery")
                        }
                    }
                }
            }
            Err(e) => {
                tracing::warn!(function = name, error = %e, "receive failed; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

// ------------------------------------------------------------ schedule ----

/// Runs schedule function `name`: on each scheduled event (Lambda), or on
/// its manifest `rate(...)` timer, starting at once (local mode).
pub fn schedule<H, F>(name: &'static str, handler: H)
where
    H: Fn(Arc<App>) -> F + Send + Sync + 'static,
    F: Future<Output = Result<serde_json::Value>> + Send + 'static,
{
    tokio_runtime().block_on(async move {
        let (app, spec) = boot(name, Kind::Schedule);
        let handler = Arc::new(handler);
        if in_lambda() {
            let run = lambda_runtime::run(lambda_runtime::service_fn(
                move |_event: lambda_runtime::LambdaEvent<serde_json::Value>| {
                    let (app, handler) = (app.clone(), handler.clone());
                    async move {
                        handler(app)
                            .await
                            .map_err(|e| lambda_runtime::Error::from(e.to_string()))
                    }
                },
            ))
            .await;
            if let Err(e) = run {
                tracing::error!(function = name, error = %e, "function stopped");
                std::process::exit(1);
            }
            return;
        }
        let every = spec.schedule_interval().expect("validated manifest");
        tracing::info!(
            function = name,
            every_s = every.as_secs(),
            "running on a timer (local mode)"
        );
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let shutdown = shutdown_signal();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = &mut shutdown => return,
            }
            match handler(app.clone()).await {
                Ok(report) => tracing::info!(function = name, %report, "run finished"),
                Err(e) => tracing::warn!(function = name, error = %e, "run failed"),
            }
        }
    })
}
