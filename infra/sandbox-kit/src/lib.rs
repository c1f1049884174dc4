//! # kmx-sandbox-kit
//!
//! The plumbing the two local sandboxes share, the Stripe sandbox
//! (`infra/sandbox`) and the Vapi sandbox (`infra/vapi-sandbox`):
//!
//! - [`run_main`]: a binary's `main` on a two-worker tokio runtime;
//! - [`bind_loopback`] and [`public_url`]: the listener on 127.0.0.1 and the
//!   URL browsers reach it at;
//! - [`serve`]: the hyper HTTP/1 accept loop;
//! - [`http_client`]: the client webhook deliveries go out with;
//! - [`http`]: response helpers (`respond`, `html_resp`, `redirect`);
//! - [`html`]: escaping and the page frame of the `/_sandbox` pages;
//! - [`now_ms`] and [`random_alnum`].
//!
//! It depends on nothing of the product (`shared`): the sandboxes stand in
//! for third parties and must never reuse production code.

pub mod html;
pub mod http;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{ExitCode, Termination};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;

/// Runs `main_future` on a two-worker multi-threaded tokio runtime; its
/// value is the exit code (`()` is success). Errors
/// are printed as `{name}: tokio runtime: …` (no runtime) or
/// `{name}: error: …` and exit with failure.
pub fn run_main<F, T>(name: &str, main_future: F) -> ExitCode
where
    F: Future<Output = anyhow::Result<T>>,
    T: Termination,
{
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{name}: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(main_future) {
        Ok(done) => done.report(),
        Err(e) => {
            eprintln!("{name}: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Binds `port` on 127.0.0.1 (0: any free port); the listener and the port
/// it got.
pub async fn bind_loopback(port: u16) -> anyhow::Result<(TcpListener, u16)> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("bind {addr}: {e}"))?;
    let port = listener.local_addr()?.port();
    Ok((listener, port))
}

/// The `--public-url` given (unless blank), else `http://127.0.0.1:<port>`.
pub fn public_url(given: Option<String>, port: u16) -> String {
    given
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| format!("http://127.0.0.1:{port}"))
}

/// Accepts connections on `listener` until the process ends, serving each
/// request with `handle` over HTTP/1.
pub async fn serve<H, F>(listener: TcpListener, handle: H) -> anyhow::Result<()>
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + 'static,
    F: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(e) => {
                eprintln!("accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let handle = handle.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let resp = handle(req);
                async move { Ok::<_, Infallible>(resp.await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

/// The client deliveries go out with: no proxy (everything is on this
/// machine) and no redirects followed.
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// `n` random ASCII letters and digits.
pub fn random_alnum(n: usize) -> String {
    use rand::Rng;
    rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_defaults_to_the_loopback_port() {
        assert_eq!(public_url(None, 8), "http://127.0.0.1:8");
        assert_eq!(public_url(Some("  ".into()), 8), "http://127.0.0.1:8");
        assert_eq!(public_url(Some("http://x".into()), 8), "http://x");
    }

    #[test]
    fn random_alnum_is_alphanumeric() {
        let s = random_alnum(40);
        assert_eq!(s.len(), 40);
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
