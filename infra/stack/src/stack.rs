//! The whole one-machine stack, as a library (tests) and behind `kmx dev` /
//! `kmx up`: PostgreSQL, moto (SQS), mailtutan (SMTP), the Stripe sandbox
//! (`infra/sandbox`), migrations and seed, every function of the manifest,
//! and the nginx gateway.
//!
//! ```no_run
//! # async fn t() -> anyhow::Result<()> {
//! let stack = kmx::stack::Stack::start(kmx::stack::StackOptions::ephemeral()?).await?;
//! let url = format!("{}/api/hello", stack.base_url());
//! # let _ = url; Ok(()) }
//! ```
//!
//! Everything is stopped (in reverse start order) when the [`Stack`] is
//! dropped; a SIGKILLed owner takes its children along (parent-death signal).

use crate::gateway::{self, GatewayOptions};
use crate::net;
use crate::ops::{self, Seed, SeedReport};
use crate::pg::Cluster;
use crate::process::{run_to_completion, stop_all, LogMode, Logs, ProcSpec, Supervised};
use crate::queues::{self, EnsuredQueue};
use anyhow::{bail, Context, Result};
use shared::manifest::{FunctionSpec, Kind, Manifest};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const DEFAULT_GATEWAY_PORT: u16 = 8080;
pub const DEFAULT_FUNCTION_PORT_BASE: u16 = 9100;
pub const DEFAULT_PG_PORT: u16 = 5433;
pub const DEFAULT_SQS_PORT: u16 = 4566;
pub const DEFAULT_SMTP_PORT: u16 = 1025;
pub const DEFAULT_MAIL_HTTP_PORT: u16 = 1080;
pub const DEFAULT_STRIPE_SANDBOX_PORT: u16 = 12111;
/// The key every function gets as `STRIPE_SECRET_KEY`; the sandbox accepts
/// only this one.
pub const SANDBOX_STRIPE_SECRET_KEY: &str = "sk_test_kametrix_sandbox";
/// The sandbox signs its webhook deliveries with this; every function gets
/// it as `STRIPE_WEBHOOK_SECRET`.
pub const SANDBOX_STRIPE_WEBHOOK_SECRET: &str = "whsec_kametrix_sandbox";
/// Where the sandbox POSTs its events (through the gateway).
pub const STRIPE_WEBHOOK_PATH: &str = "/api/webhooks/stripe";
/// The Vapi sandbox (REST API and call simulator).
pub const DEFAULT_VAPI_SANDBOX_PORT: u16 = 12112;
/// The private key every function gets as `VAPI_API_KEY`.
pub const SANDBOX_VAPI_API_KEY: &str = "vapi_sandbox_private_key";
/// The Vapi sandbox sends it as `X-Vapi-Secret`; every function gets it as
/// `VAPI_WEBHOOK_SECRET`.
pub const SANDBOX_VAPI_WEBHOOK_SECRET: &str = "vapi_sandbox_webhook_secret";
/// Vapi's server URL: where the sandbox sends every call's messages.
pub const VAPI_WEBHOOK_PATH: &str = "/api/webhooks/vapi";
/// Numbers `kmx dev` keeps in the pool of a fresh stack.
pub const DEV_POOL_NUMBERS: u32 = 3;
pub const DATABASE_NAME: &str = "kametrix";
pub const MAIL_FROM: &str = "Kametrix <no-reply@kametrix.local>";

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

fn env_or(key: &str, default: &str) -> String {
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

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Tier {
    Postgres,
    Services,
    Functions,
    Gateway,
}

/// The running children, stopped tier by tier, last started first.
#[derive(Default)]
struct Procs {
    procs: Vec<(Tier, Supervised)>,
    reported: HashSet<String>,
}

impl Procs {
    fn add(&mut self, tier: Tier, p: Supervised) {
        self.procs.push((tier, p));
    }

    fn get(&mut self, name: &str) -> Option<&mut Supervised> {
        self.procs
            .iter_mut()
            .map(|(_, p)| p)
            .find(|p| p.name() == name)
    }

    /// Fails with the process's last output if it has exited.
    fn check(&mut self, name: &str) -> Result<()> {
        if let Some(p) = self.get(name) {
            if p.try_exited().is_some() {
                bail!("{}", p.describe_exit());
            }
        }
        Ok(())
    }

    fn check_all(&mut self) -> Result<()> {
        for (_, p) in &mut self.procs {
            if p.try_exited().is_some() {
                bail!("{}", p.describe_exit());
            }
        }
        Ok(())
    }

    fn stop(&mut self) {
        for tier in [
            Tier::Gateway,
            Tier::Functions,
            Tier::Services,
            Tier::Postgres,
        ] {
            let (mut group, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.procs)
                .into_iter()
                .partition(|(t, _)| *t == tier);
            self.procs = rest;
            let mut group: Vec<Supervised> = group.drain(..).map(|(_, p)| p).collect();
            stop_all(&mut group);
        }
    }
}

impl Drop for Procs {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Deletes an ephemeral data dir when dropped (after the processes stopped).
struct DataDir {
    path: PathBuf,
    remove: bool,
}

impl Drop for DataDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Status lines of kmx itself: stderr in terminal mode, always `logs/kmx.log`.
#[derive(Clone)]
struct Say {
    terminal: bool,
    file: std::sync::Arc<std::sync::Mutex<Option<std::fs::File>>>,
}

impl Say {
    fn line(&self, msg: &str) {
        if self.terminal {
            eprintln!("kmx: {msg}");
        }
        if let Some(f) = self.file.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            let _ = writeln!(f, "{msg}");
        }
    }

    fn warn(&self, msg: &str) {
        eprintln!("kmx: warning: {msg}");
        if let Some(f) = self.file.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            let _ = writeln!(f, "warning: {msg}");
        }
    }
}

/// A running stack. Dropping it stops everything.
pub struct Stack {
    opts: StackOptions,
    database_url: String,
    seed_report: SeedReport,
    queues: Vec<EnsuredQueue>,
    dist_dir: PathBuf,
    logs: Logs,
    timings: Vec<(&'static str, Duration)>,
    started_in: Duration,
    procs: Procs,
    data_dir: DataDir,
}

fn tool(env: &str, default: PathBuf, what: &str) -> Result<PathBuf> {
    let path = std::env::var_os(env)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or(default);
    if !path.exists() {
        bail!(
            "{what} not found at {} (run scripts/install-deps.sh, or set {env})",
            path.display()
        );
    }
    Ok(path)
}

async fn wait_ready<F, Fut>(
    procs: &mut Procs,
    name: &str,
    timeout: Duration,
    mut check: F,
) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return Ok(());
        }
        procs.check(name)?;
        if Instant::now() >= deadline {
            let log = procs
                .get(name)
                .map(|p| p.log_path().display().to_string())
                .unwrap_or_default();
            bail!(
                "{name} was not ready after {} s (log: {log})",
                timeout.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

const PLACEHOLDER_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kametrix (frontend not built)</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>Kametrix</h1>
<p>The dashboard has not been built, so the gateway serves this placeholder.
Build it with <code>bash scripts/build-frontend.sh</code> and restart <code>kmx dev</code>.
The API is up: <a href="/api/hello">/api/hello</a>.</p>
<p>REASON</p>
</body></html>
"#;

impl Stack {
    /// Starts everything and waits until every part answers.
    pub async fn start(opts: StackOptions) -> Result<Stack> {
        let t0 = Instant::now();
        let manifest = Manifest::embedded();
        let mut timings: Vec<(&'static str, Duration)> = Vec::new();

        // -------------------------------------------------- what and where
        let selected: Vec<&FunctionSpec> = match &opts.functions {
            None => manifest.functions.iter().collect(),
            Some(names) => {
                for n in names {
                    if manifest.function(n).is_none() {
                        bail!("no function `{n}` in infra/functions.toml");
                    }
                }
                manifest
                    .functions
                    .iter()
                    .filter(|f| names.contains(&f.name))
                    .collect()
            }
        };
        let ports: Vec<(String, u16)> = gateway::function_ports(manifest, opts.function_port_base)
            .into_iter()
            .map(|(f, p)| (f.name.clone(), p))
            .collect();
        let port_of = |name: &str| ports.iter().find(|(n, _)| n == name).map(|(_, p)| *p);

        let mut wanted: Vec<(String, u16)> = vec![
            ("gateway".into(), opts.gateway_port),
            ("sqs (moto)".into(), opts.sqs_port),
            ("smtp (mailtutan)".into(), opts.smtp_port),
            ("mail inbox (mailtutan)".into(), opts.mail_http_port),
            ("stripe sandbox".into(), opts.stripe_port),
            ("vapi sandbox".into(), opts.vapi_port),
        ];
        if opts.database_url.is_none() {
            wanted.push(("postgres".into(), opts.pg_port));
        }
        for f in &selected {
            if let Some(p) = port_of(&f.name) {
                wanted.push((format!("function {}", f.name), p));
            }
        }
        let mut seen = HashSet::new();
        let mut problems = Vec::new();
        for (what, port) in &wanted {
            if !seen.insert(*port) {
                problems.push(format!("port {port} ({what}) is assigned twice"));
            } else if !net::port_is_free(*port) {
                problems.push(format!("port {port} ({what}) is in use"));
            }
        }
        if !problems.is_empty() {
            bail!(
                "{}\n  (is another stack running? ports are set with --*-port flags or KMX_*_PORT variables)",
                problems.join("\n  ")
            );
        }

        let moto = tool(
            "KMX_MOTO_SERVER",
            opts.root.join(".venv/bin/moto_server"),
            "moto_server",
        )?;
        let mailtutan = tool(
            "KMX_MAILTUTAN",
            opts.root.join(".tools/bin/mailtutan"),
            "mailtutan",
        )?;
        let nginx = tool("KMX_NGINX", PathBuf::from("/usr/sbin/nginx"), "nginx")?;

        std::fs::create_dir_all(&opts.data_dir)
            .with_context(|| format!("create {}", opts.data_dir.display()))?;
        let data_dir = DataDir {
            path: opts.data_dir.clone(),
            remove: opts.remove_data_dir,
        };
        let width = selected
            .iter()
            .map(|f| f.name.len())
            .chain([9])
            .max()
            .unwrap_or(9);
        let logs = Logs::new(opts.data_dir.join("logs"), opts.logs, width);
        std::fs::create_dir_all(&logs.dir)?;
        let say = Say {
            terminal: opts.logs == LogMode::Terminal,
            file: std::sync::Arc::new(std::sync::Mutex::new(
                std::fs::File::create(logs.dir.join("kmx.log")).ok(),
            )),
        };

        // -------------------------------------------------- builds
        if opts.build {
            let t = Instant::now();
            let cargo = std::env::var_os("CARGO")
                .map(PathBuf::from)
                .unwrap_or_else(|| "cargo".into());
            let mut spec = ProcSpec::new("cargo-build", cargo)
                .args([
                    "build",
                    "-p",
                    "functions",
                    "-p",
                    "kmx-sandbox",
                    "-p",
                    "kmx-vapi-sandbox",
                ])
                .cwd(&opts.root);
            if opts.release {
                spec = spec.arg("--release");
            }
            say.line(&format!(
                "building the functions and the sandbox (cargo build -p functions -p kmx-sandbox{})",
                if opts.release { " --release" } else { "" }
            ));
            run_to_completion(spec, &logs)
                .await
                .context("building the functions")?;
            timings.push(("cargo build", t.elapsed()));
        }
        let bin_dir = opts.bin_dir();
        let missing: Vec<&str> = selected
            .iter()
            .filter(|f| !bin_dir.join(&f.name).exists())
            .map(|f| f.name.as_str())
            .collect();
        if !missing.is_empty() {
            bail!(
                "function binaries missing in {}: {} (cargo build -p functions{})",
                bin_dir.display(),
                missing.join(", "),
                if opts.release { " --release" } else { "" }
            );
        }
        let sandbox = bin_dir.join("sandbox");
        if !sandbox.exists() {
            bail!(
                "the Stripe sandbox binary is missing: {} (cargo build -p kmx-sandbox{})",
                sandbox.display(),
                if opts.release { " --release" } else { "" }
            );
        }
        let vapi_sandbox = bin_dir.join("vapi-sandbox");
        if !vapi_sandbox.exists() {
            bail!(
                "the Vapi sandbox binary is missing: {} (cargo build -p kmx-vapi-sandbox{})",
                vapi_sandbox.display(),
                if opts.release { " --release" } else { "" }
            );
        }
        let dist_dir = Self::frontend(&opts, &logs, &say, &mut timings).await?;

        // -------------------------------------------------- services
        let mut procs = Procs::default();
        let sqs_endpoint = format!("http://127.0.0.1:{}", opts.sqs_port);
        procs.add(
            Tier::Services,
            Supervised::spawn(
                &ProcSpec::new("moto", &moto)
                    .args(["-H", "127.0.0.1", "-p", &opts.sqs_port.to_string()])
                    .env("PYTHONUNBUFFERED", "1")
                    .cwd(&opts.data_dir)
                    .quiet(),
                &logs,
            )?,
        );
        procs.add(
            Tier::Services,
            Supervised::spawn(
                &ProcSpec::new("mailtutan", &mailtutan)
                    .args([
                        "--ip",
                        "127.0.0.1",
                        "--smtp-port",
                        &opts.smtp_port.to_string(),
                    ])
                    .args([
                        "--http-port",
                        &opts.mail_http_port.to_string(),
                        "--storage",
                        "memory",
                    ])
                    .cwd(&opts.data_dir),
                &logs,
            )?,
        );
        procs.add(
            Tier::Services,
            Supervised::spawn(
                &ProcSpec::new("sandbox", &sandbox)
                    .args(["--port", &opts.stripe_port.to_string()])
                    .args([
                        "--webhook-url",
                        &format!(
                            "http://127.0.0.1:{}{STRIPE_WEBHOOK_PATH}",
                            opts.gateway_port
                        ),
                    ])
                    .env("SANDBOX_STRIPE_API_KEY", SANDBOX_STRIPE_SECRET_KEY)
                    .env(
                        "SANDBOX_STRIPE_WEBHOOK_SECRET",
                        SANDBOX_STRIPE_WEBHOOK_SECRET,
                    )
                    .env_remove("SANDBOX_PUBLIC_URL")
                    .cwd(&opts.data_dir),
                &logs,
            )?,
        );
        let vapi_server_url = format!("http://127.0.0.1:{}{VAPI_WEBHOOK_PATH}", opts.gateway_port);
        procs.add(
            Tier::Services,
            Supervised::spawn(
                &ProcSpec::new("vapi-sandbox", &vapi_sandbox)
                    .args(["--port", &opts.vapi_port.to_string()])
                    .args(["--server-url", &vapi_server_url])
                    .arg("--state-file")
                    .arg(opts.data_dir.join("vapi-sandbox.json"))
                    .env("VAPI_SANDBOX_API_KEY", SANDBOX_VAPI_API_KEY)
                    .env("VAPI_SANDBOX_WEBHOOK_SECRET", SANDBOX_VAPI_WEBHOOK_SECRET)
                    .env("VAPI_SANDBOX_AUTH", "secret")
                    .env_remove("VAPI_SANDBOX_PUBLIC_URL")
                    .cwd(&opts.data_dir),
                &logs,
            )?,
        );

        let database_url = match &opts.database_url {
            Some(url) => url.clone(),
            None => {
                let cluster = Cluster::new(&opts.data_dir, opts.pg_port, opts.durable)?;
                let t = Instant::now();
                if cluster.init(&logs).await? {
                    say.line(&format!(
                        "created the PostgreSQL cluster in {}",
                        cluster.pgdata.display()
                    ));
                    timings.push(("initdb", t.elapsed()));
                }
                let t = Instant::now();
                procs.add(Tier::Postgres, cluster.spawn(&logs)?);
                wait_ready(&mut procs, "postgres", opts.ready_timeout, || {
                    cluster.is_ready()
                })
                .await?;
                if cluster.ensure_database(DATABASE_NAME).await? {
                    say.line(&format!("created database {DATABASE_NAME}"));
                }
                timings.push(("postgres start", t.elapsed()));
                cluster.url(DATABASE_NAME)
            }
        };

        let t = Instant::now();
        let seed_report = ops::prepare(&database_url, &opts.seed)
            .await
            .context("migrations and seed (kmx::ops::prepare)")?;
        timings.push(("migrate + seed", t.elapsed()));

        let t = Instant::now();
        wait_ready(&mut procs, "moto", opts.ready_timeout, || {
            net::tcp_ok(opts.sqs_port)
        })
        .await?;
        let client = queues::client(&sqs_endpoint);
        let queues = queues::ensure_queues(&client, &manifest.queues, &opts.queue_prefix)
            .await
            .context("creating the queues")?;
        timings.push(("moto + queues", t.elapsed()));
        wait_ready(&mut procs, "mailtutan", opts.ready_timeout, || {
            net::tcp_ok(opts.smtp_port)
        })
        .await?;
        wait_ready(&mut procs, "mailtutan", opts.ready_timeout, || {
            net::tcp_ok(opts.mail_http_port)
        })
        .await?;
        let stripe_port = opts.stripe_port;
        wait_ready(&mut procs, "sandbox", opts.ready_timeout, || async move {
            matches!(
                net::http_get(stripe_port, "/_sandbox/health").await,
                Ok((200, _))
            )
        })
        .await?;
        let vapi_port = opts.vapi_port;
        wait_ready(
            &mut procs,
            "vapi-sandbox",
            opts.ready_timeout,
            || async move {
                matches!(
                    net::http_get(vapi_port, "/_sandbox/health").await,
                    Ok((200, _))
                )
            },
        )
        .await?;

        // -------------------------------------------------- functions
        let t = Instant::now();
        let common: Vec<(String, String)> = [
            ("DATABASE_URL", database_url.clone()),
            (
                "KMX_PUBLIC_URL",
                format!("http://127.0.0.1:{}", opts.gateway_port),
            ),
            ("SMTP_URL", format!("smtp://127.0.0.1:{}", opts.smtp_port)),
            ("MAIL_FROM", MAIL_FROM.to_string()),
            ("SQS_ENDPOINT_URL", sqs_endpoint.clone()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("KMX_QUEUE_PREFIX", opts.queue_prefix.clone()),
            (
                "STRIPE_API_BASE",
                format!("http://127.0.0.1:{}/", opts.stripe_port),
            ),
            ("STRIPE_SECRET_KEY", SANDBOX_STRIPE_SECRET_KEY.into()),
            (
                "STRIPE_WEBHOOK_SECRET",
                SANDBOX_STRIPE_WEBHOOK_SECRET.into(),
            ),
            (
                "VAPI_API_BASE",
                format!("http://127.0.0.1:{}/", opts.vapi_port),
            ),
            ("VAPI_API_KEY", SANDBOX_VAPI_API_KEY.into()),
            ("VAPI_WEBHOOK_AUTH", "secret".into()),
            ("VAPI_WEBHOOK_SECRET", SANDBOX_VAPI_WEBHOOK_SECRET.into()),
            ("KMX_VAPI_SERVER_URL", vapi_server_url.clone()),
            (
                "KMX_VAPI_SIMULATOR_URL",
                format!("http://127.0.0.1:{}", opts.vapi_port),
            ),
            ("LOG_FORMAT", "human".into()),
            ("RUST_LOG", opts.rust_log.clone()),
            ("RUST_BACKTRACE", env_or("RUST_BACKTRACE", "1")),
            ("KMX_SCHEDULE_SCALE", opts.schedule_scale.clone()),
        ]
        .into_iter()
        .chain((!logs.color).then(|| ("NO_COLOR", "1".to_string())))
        .map(|(k, v)| (k.to_string(), v))
        .chain(opts.extra_env.iter().cloned())
        .collect();
        for f in &selected {
            let mut spec = ProcSpec::new(f.name.clone(), bin_dir.join(&f.name))
                .envs(common.iter().cloned())
                .env_remove("AWS_LAMBDA_RUNTIME_API")
                .env_remove("AWS_SESSION_TOKEN")
                .env_remove("AWS_PROFILE")
                .env_remove("PORT")
                .cwd(&opts.root);
            if let Some(port) = port_of(&f.name) {
                spec = spec.env("PORT", port.to_string());
            }
            procs.add(Tier::Functions, Supervised::spawn(&spec, &logs)?);
        }

        // -------------------------------------------------- gateway
        let prefix = opts.data_dir.join("nginx");
        let conf = prefix.join("nginx.conf");
        let gw = GatewayOptions::new(
            opts.gateway_port,
            opts.function_port_base,
            dist_dir.clone(),
            prefix.clone(),
        );
        gateway::write(manifest, &gw, &conf)?;
        procs.add(
            Tier::Gateway,
            Supervised::spawn(
                &ProcSpec::new("nginx", &nginx)
                    .arg("-p")
                    .arg(&prefix)
                    .arg("-c")
                    .arg(&conf)
                    .args(["-e", "stderr"])
                    .cwd(&opts.data_dir),
                &logs,
            )?,
        );

        for f in selected.iter().filter(|f| f.kind == Kind::Http) {
            let port = port_of(&f.name).expect("http functions have ports");
            wait_ready(&mut procs, &f.name, opts.ready_timeout, || {
                net::tcp_ok(port)
            })
            .await?;
        }
        timings.push(("functions", t.elapsed()));
        wait_ready(&mut procs, "nginx", opts.ready_timeout, || {
            net::tcp_ok(opts.gateway_port)
        })
        .await?;
        let (probe, want_ok) = if selected.iter().any(|f| f.name == "hello") {
            ("/api/hello", true)
        } else {
            ("/", false)
        };
        let gw_port = opts.gateway_port;
        wait_ready(&mut procs, "nginx", opts.ready_timeout, || async move {
            match net::http_get(gw_port, probe).await {
                Ok((status, _)) => !want_ok || status == 200,
                Err(_) => false,
            }
        })
        .await
        .with_context(|| format!("GET {probe} through the gateway"))?;
        procs.check_all()?;
        let mut seed_report = seed_report;
        if opts.pool_numbers > 0 {
            let env: std::collections::HashMap<String, String> = common.iter().cloned().collect();
            match ops::fill_pool(&env, opts.pool_numbers).await {
                Ok(Some(line)) => seed_report.lines.push(line),
                Ok(None) => {}
                Err(e) => say.warn(&format!("could not fill the number pool: {e:#}")),
            }
        }
        let started_in = t0.elapsed();

        Ok(Stack {
            opts,
            database_url,
            seed_report,
            queues,
            dist_dir,
            logs,
            timings,
            started_in,
            procs,
            data_dir,
        })
    }

    async fn frontend(
        opts: &StackOptions,
        logs: &Logs,
        say: &Say,
        timings: &mut Vec<(&'static str, Duration)>,
    ) -> Result<PathBuf> {
        let index = opts.dist_dir.join("index.html");
        let mut reason = String::from("The frontend has not been built yet.");
        if !index.exists() && opts.frontend {
            let install = opts.root.join("scripts/install-frontend-toolchain.sh");
            let build = opts.root.join("scripts/build-frontend.sh");
            if build.exists() {
                let t = Instant::now();
                say.line("building the frontend (first run; scripts/build-frontend.sh)");
                let mut result = Ok(());
                if install.exists() {
                    result = run_to_completion(
                        ProcSpec::new("frontend-toolchain", "bash")
                            .arg(&install)
                            .cwd(&opts.root),
                        logs,
                    )
                    .await;
                }
                if result.is_ok() {
                    result = run_to_completion(
                        ProcSpec::new("frontend-build", "bash")
                            .arg(&build)
                            .cwd(&opts.root),
                        logs,
                    )
                    .await;
                }
                timings.push(("frontend build", t.elapsed()));
                if let Err(e) = result {
                    say.warn(&format!(
                        "the frontend build failed; serving a placeholder page: {e:#}"
                    ));
                    reason = "The frontend build failed: see the terminal or .dev/logs/frontend-build.log.".into();
                }
            } else {
                say.warn(
                    "scripts/build-frontend.sh does not exist yet; serving a placeholder page",
                );
            }
        }
        if index.exists() {
            return Ok(opts.dist_dir.clone());
        }
        if opts.frontend {
            say.warn(&format!(
                "{} is missing; serving a placeholder page",
                index.display()
            ));
        }
        let placeholder = opts.data_dir.join("placeholder-dist");
        std::fs::create_dir_all(&placeholder)?;
        std::fs::write(
            placeholder.join("index.html"),
            PLACEHOLDER_PAGE.replace("REASON", &reason),
        )?;
        Ok(placeholder)
    }

    /// `http://127.0.0.1:<gateway>`: the dashboard, and the API under `/api`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.opts.gateway_port)
    }

    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// mailtutan's REST API base: `GET {mail_api_url}/messages`,
    /// `GET {mail_api_url}/messages/<id>/plain`, `DELETE {mail_api_url}/messages`.
    pub fn mail_api_url(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.opts.mail_http_port)
    }

    /// mailtutan's web inbox.
    pub fn mail_inbox_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.opts.mail_http_port)
    }

    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.opts.smtp_port)
    }

    /// moto's endpoint (SQS; `POST {sqs_endpoint}/moto-api/reset` wipes it).
    pub fn sqs_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.opts.sqs_port)
    }

    /// The Stripe sandbox, `http://127.0.0.1:<port>` (no trailing slash;
    /// functions get it as `STRIPE_API_BASE` with one). Its test controls
    /// are under `/_sandbox` (see infra/README.md).
    pub fn stripe_sandbox_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.opts.stripe_port)
    }

    /// The Vapi sandbox, `http://127.0.0.1:<port>`: Vapi's REST API and,
    /// under `/_sandbox`, the call simulator (see infra/README.md).
    pub fn vapi_sandbox_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.opts.vapi_port)
    }

    pub fn queue_prefix(&self) -> &str {
        &self.opts.queue_prefix
    }

    /// The queues created at start.
    pub fn queues(&self) -> &[EnsuredQueue] {
        &self.queues
    }

    /// Creates the manifest's queues again (after a moto reset).
    pub async fn ensure_queues(&mut self) -> Result<Vec<EnsuredQueue>> {
        let client = queues::client(&self.sqs_endpoint());
        self.queues = queues::ensure_queues(
            &client,
            &Manifest::embedded().queues,
            &self.opts.queue_prefix,
        )
        .await?;
        Ok(self.queues.clone())
    }

    /// Direct URL of an http function (bypassing the gateway).
    pub fn function_url(&self, name: &str) -> Option<String> {
        gateway::function_ports(Manifest::embedded(), self.opts.function_port_base)
            .into_iter()
            .find(|(f, _)| f.name == name)
            .map(|(_, p)| format!("http://127.0.0.1:{p}"))
    }

    pub fn seed_report(&self) -> &SeedReport {
        &self.seed_report
    }

    pub fn options(&self) -> &StackOptions {
        &self.opts
    }

    pub fn data_dir(&self) -> &Path {
        &self.opts.data_dir
    }

    /// `<data-dir>/logs`: one `<name>.log` per process.
    pub fn logs_dir(&self) -> &Path {
        &self.logs.dir
    }

    /// The directory nginx serves (the dist dir, or a placeholder).
    pub fn dist_dir(&self) -> &Path {
        &self.dist_dir
    }

    /// Time from `start` to ready, and the main phases.
    pub fn startup(&self) -> (Duration, &[(&'static str, Duration)]) {
        (self.started_in, &self.timings)
    }

    /// Processes that ended since the last call, described (last output
    /// included). A running stack should return nothing.
    pub fn poll_exits(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for (_, p) in &mut self.procs.procs {
            if p.try_exited().is_some() && self.procs.reported.insert(p.name().to_string()) {
                out.push(p.describe_exit());
            }
        }
        out
    }

    /// What `kmx up --ready-file` writes.
    pub fn ready_json(&self) -> serde_json::Value {
        serde_json::json!({
            "base_url": self.base_url(),
            "database_url": self.database_url,
            "mail_api": self.mail_api_url(),
            "mail_inbox": self.mail_inbox_url(),
            "smtp_url": self.smtp_url(),
            "sqs_endpoint": self.sqs_endpoint(),
            "stripe_sandbox": self.stripe_sandbox_url(),
            "vapi_sandbox": self.vapi_sandbox_url(),
            "queue_prefix": self.opts.queue_prefix,
            "logs_dir": self.logs.dir,
            "pid": std::process::id(),
        })
    }

    /// The "it's up" text of `kmx dev`.
    pub fn banner(&self) -> String {
        let (total, phases) = self.startup();
        let phases: Vec<String> = phases
            .iter()
            .map(|(what, d)| format!("{what} {:.1} s", d.as_secs_f64()))
            .collect();
        let queues: Vec<String> = self
            .queues
            .iter()
            .flat_map(|q| [q.sqs_name.clone(), format!("{}-dlq", q.sqs_name)])
            .collect();
        let mut b = String::new();
        b.push_str(&format!(
            "\nKametrix is running (ready in {:.1} s: {})\n\n",
            total.as_secs_f64(),
            phases.join(", ")
        ));
        b.push_str(&format!("  Dashboard     {}/\n", self.base_url()));
        b.push_str(&format!("  API           {}/api/\n", self.base_url()));
        b.push_str(&format!("  Mail inbox    {}\n", self.mail_inbox_url()));
        b.push_str(&format!(
            "  Stripe sandbox  {}/_sandbox\n",
            self.stripe_sandbox_url()
        ));
        b.push_str(&format!(
            "  Vapi sandbox  {}/_sandbox  (call simulator: dial an agent's number)\n",
            self.vapi_sandbox_url()
        ));
        b.push_str(&format!(
            "  SQS endpoint  {}  (queues: {})\n",
            self.sqs_endpoint(),
            queues.join(", ")
        ));
        b.push_str(&format!("  DATABASE_URL  {}\n", self.database_url));
        b.push_str(&format!(
            "  Logs          {}/<name>.log\n",
            self.logs.dir.display()
        ));
        if !self.seed_report.lines.is_empty() {
            b.push('\n');
            for l in &self.seed_report.lines {
                b.push_str(&format!("  {l}\n"));
            }
        }
        b.push_str("\n  Ctrl-C to stop.\n");
        b
    }

    /// Stops everything (same as dropping it).
    pub fn stop(self) {}
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.procs.stop();
        let _ = &self.data_dir;
    }
}
