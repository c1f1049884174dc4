//! Ports and readiness checks on 127.0.0.1.

use anyhow::{bail, Context, Result};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const LOCALHOST: Ipv4Addr = Ipv4Addr::LOCALHOST;

pub fn addr(port: u16) -> SocketAddr {
    SocketAddr::from((LOCALHOST, port))
}

/// Whether 127.0.0.1:`port` can be bound right now.
pub fn port_is_free(port: u16) -> bool {
    TcpListener::bind(addr(port)).is_ok()
}

/// A port the kernel considers free now (another process may take it later).
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind(addr(0))
        .context("bind 127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Where the kernel starts handing out ports for outgoing connections and
/// port-0 binds (Linux: `ip_local_port_range`).
fn ephemeral_start() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .unwrap_or(32768)
}

/// The first of `n` consecutive free ports, from a pseudo-random start so
/// that parallel test stacks rarely collide. The range lies below the
/// kernel's ephemeral range, so that no outgoing connection or port-0 bind
/// ([`free_port`]) takes one of its ports before its function binds it.
pub fn free_port_range(n: u16) -> Result<u16> {
    let (low, high) = (10_000u16, ephemeral_start().max(10_000 + 2 * n));
    let span = (high - low - n) as u64;
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64;
    let calls = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut x = (std::process::id() as u64 + calls).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ nanos | 1;
    for _ in 0..200 {
        // xorshift
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let base = low + (x % span) as u16;
        if (base..base + n).all(port_is_free) {
            return Ok(base);
        }
    }
    bail!("found no {n} consecutive free ports on 127.0.0.1")
}

/// One TCP connect attempt.
pub async fn tcp_ok(port: u16) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_millis(500), TcpStream::connect(addr(port))).await,
        Ok(Ok(_))
    )
}

/// A minimal HTTP/1.1 GET to 127.0.0.1:`port` (`Connection: close`):
/// returns the status code and the body.
pub async fn http_get(port: u16, path: &str) -> Result<(u16, String)> {
    let fut = async {
        let mut s = TcpStream::connect(addr(port)).await?;
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: kmx\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await?;
        anyhow::Ok(buf)
    };
    let buf = tokio::time::timeout(Duration::from_secs(5), fut)
        .await
        .context("timed out")??;
    let text = String::from_utf8_lossy(&buf);
    let status = text
        .strip_prefix("HTTP/1.")
        .and_then(|r| r.get(2..5))
        .and_then(|c| c.parse::<u16>().ok())
        .with_context(|| {
            format!(
                "not an HTTP response: {:?}",
                text.chars().take(80).collect::<String>()
            )
        })?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// Polls `check` every 50 ms until it returns `Ok(true)`; `Err` aborts at once
/// (a process died); gives up after `timeout`.
pub async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await? {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("{what} was not ready after {:.0} s", timeout.as_secs_f64());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
