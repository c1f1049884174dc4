//! [`StackOptions`]: how to run the stack (`kmx dev`'s defaults, throwaway
//! stacks for tests), and the seed data's defaults.

use super::{
    DEFAULT_FUNCTION_PORT_BASE, DEFAULT_GATEWAY_PORT, DEFAULT_MAIL_HTTP_PORT, DEFAULT_PG_PORT,
    DEFAULT_SMTP_PORT, DEFAULT_SQS_PORT, DEFAULT_STRIPE_SANDBOX_PORT, DEFAULT_VAPI_SANDBOX_PORT,
    DEV_POOL_NUMBERS,
};
use crate::net;
use crate::ops::Seed;
use crate::process::LogMode;
use crate::queues;
use anyhow::Result;
use shared::manifest::Manifest;
use std::path::PathBuf;
use std::time::Duration;

impl Default for Seed {
    fn default() -> Seed {
        Seed {
            admin_email: "admin@kametrix.local".into(),
            admin_password: "kametrix-admin-2026".into(),
            demo_email: "owner@demo.kametrix.local".into(),
            demo_password: "demo-owner-2026".into(),
            demo_business: "Demo Plumbing Co.".into(),
        }
    }
}

impl Seed {
    /// The defaults, each overridable by `KMX_ADMIN_EMAIL`, `KMX_ADMIN_PASSWORD`,
    /// `KMX_DEMO_EMAIL`, `KMX_DEMO_PASSWORD`, `KMX_DEMO_BUSINESS`.
    pub fn from_env() -> Seed {
        let d = Seed::default();
        let get = |k: &str, v: String| {
            std::env::var(k)
                .ok()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(v)
        };
        Seed {
            admin_email: get("KMX_ADMIN_EMAIL", d.admin_email),
            admin_password: get("KMX_ADMIN_PASSWORD", d.admin_password),
            demo_email: get("KMX_DEMO_EMAIL", d.demo_email),
            demo_password: get("KMX_DEMO_PASSWORD", d.demo_password),
            demo_business: get("KMX_DEMO_BUSINESS", d.demo_business),
        }
    }
}

/// How to run the stack.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// The repository (cargo workspace) root.
    pub root: PathBuf,
    /// Cluster, logs, nginx prefix (absolute).
    pub data_dir: PathBuf,
    /// The built frontend to serve (absolute).
    pub dist_dir: PathBuf,
    pub gateway_port: u16,
    /// The N-th http function of the manifest listens on base + N.
    pub function_port_base: u16,
    pub pg_port: u16,
    pub sqs_port: u16,
    pub smtp_port: u16,
    pub mail_http_port: u16,
    /// The Stripe sandbox (`STRIPE_API_BASE` of every function).
    pub stripe_port: u16,
    /// The Vapi sandbox (`VAPI_API_BASE` of every function).
    pub vapi_port: u16,
    /// Numbers to provision into an empty pool once everything is up.
    pub pool_numbers: u32,
    /// Use this database instead of a local cluster.
    pub database_url: Option<String>,
    /// `cargo build -p functions -p kmx-sandbox` first.
    pub build: bool,
    /// target/release instead of target/debug (and `--release` builds).
    pub release: bool,
    /// Build the frontend if `dist/index.html` is missing.
    pub frontend: bool,
    pub seed: Seed,
    /// Run only these functions (`None`: all). The gateway still routes every
    /// route; the others answer 502 `unavailable`.
    pub functions: Option<Vec<String>>,
    pub logs: LogMode,
    /// `false`: PostgreSQL without fsync (throwaway clusters).
    pub durable: bool,
    /// Delete `data_dir` when the stack stops (ephemeral stacks).
    pub remove_data_dir: bool,
    pub rust_log: String,
    pub schedule_scale: String,
    pub queue_prefix: String,
    /// More environment for every function (overrides the common set).
    pub extra_env: Vec<(String, String)>,
    /// Per readiness wait.
    pub ready_timeout: Duration,
}

pub(super) fn env_or(key: &str, default: &str) -> String {
    std::env::var(key)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_string())
}

impl Default for StackOptions {
    /// `kmx dev`'s defaults: fixed ports, `<root>/.dev`, `<root>/frontend/dist`,
    /// terminal logs, a durable cluster kept across runs.
    fn default() -> StackOptions {
        let root = crate::repo_root();
        StackOptions {
            data_dir: root.join(".dev"),
            dist_dir: root.join("frontend/dist"),
            root,
            gateway_port: DEFAULT_GATEWAY_PORT,
            function_port_base: DEFAULT_FUNCTION_PORT_BASE,
            pg_port: DEFAULT_PG_PORT,
            sqs_port: DEFAULT_SQS_PORT,
            smtp_port: DEFAULT_SMTP_PORT,
            mail_http_port: DEFAULT_MAIL_HTTP_PORT,
            stripe_port: DEFAULT_STRIPE_SANDBOX_PORT,
            vapi_port: DEFAULT_VAPI_SANDBOX_PORT,
            pool_numbers: DEV_POOL_NUMBERS,
            database_url: None,
            build: true,
            release: false,
            frontend: true,
            seed: Seed::from_env(),
            functions: None,
            logs: LogMode::Terminal,
            durable: true,
            remove_data_dir: false,
            rust_log: env_or("RUST_LOG", "info"),
            schedule_scale: env_or("KMX_SCHEDULE_SCALE", "1"),
            queue_prefix: queues::DEFAULT_PREFIX.into(),
            extra_env: Vec::new(),
            ready_timeout: Duration::from_secs(60),
        }
    }
}

impl StackOptions {
    /// A throwaway stack for a test: free ports, a fresh data dir under the
    /// temp dir (deleted on drop), logs to files only, a non-durable
    /// cluster, no frontend build (the dist dir is still served if built),
    /// `cargo build -p functions -p kmx-sandbox` on (a no-op when up to date) unless
    /// `KMX_NO_BUILD=1`. Ignores `DATABASE_URL`.
    pub fn ephemeral() -> Result<StackOptions> {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .subsec_nanos();
        if n == 0 {
            sweep_stale_ephemeral_dirs();
        }
        let data_dir =
            std::env::temp_dir().join(format!("kmx-{}-{n}-{nanos:x}", std::process::id()));
        let http = Manifest::embedded().http_functions().count() as u16;
        Ok(StackOptions {
            data_dir,
            gateway_port: net::free_port()?,
            function_port_base: net::free_port_range(http.max(1))?,
            pg_port: net::free_port()?,
            sqs_port: net::free_port()?,
            smtp_port: net::free_port()?,
            mail_http_port: net::free_port()?,
            stripe_port: net::free_port()?,
            vapi_port: net::free_port()?,
            pool_numbers: 0,
            frontend: false,
            build: !matches!(
                std::env::var("KMX_NO_BUILD").as_deref().map(str::trim),
                Ok("1" | "true" | "yes" | "on")
            ),
            logs: LogMode::Files,
            durable: false,
            remove_data_dir: true,
            ..StackOptions::default()
        })
    }

    fn target_dir(&self) -> PathBuf {
        match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => self.root.join(dir),
            None => self.root.join("target"),
        }
    }

    /// Where the function binaries are taken from.
    pub fn bin_dir(&self) -> PathBuf {
        self.target_dir()
            .join(if self.release { "release" } else { "debug" })
    }

    /// `" --release"` for release builds, else nothing: the tail of the
    /// cargo commands kmx runs and suggests.
    pub(super) fn release_flag(&self) -> &'static str {
        if self.release {
            " --release"
        } else {
            ""
        }
    }
}

/// Removes `<tmp>/kmx-<pid>-<n>-<x>` data dirs of ephemeral stacks whose
/// process is gone (a stack never dropped, e.g. one kept in a static until
/// the test process exited).
fn sweep_stale_ephemeral_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix("kmx-")) else {
            continue;
        };
        let parts: Vec<&str> = rest.split('-').collect();
        let [pid, n, x] = parts[..] else { continue };
        let (Ok(pid), true, true) = (
            pid.parse::<i32>(),
            n.parse::<u32>().is_ok(),
            u32::from_str_radix(x, 16).is_ok(),
        ) else {
            continue;
        };
        // SAFETY: signal 0 only checks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) == 0 }
            || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        if !alive && entry.path().join("logs").is_dir() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
