//! `kmx`: the Kametrix operations command. See infra/README.md.

use anyhow::{Context, Result};
use clap::builder::FalseyValueParser;
use clap::{Args, Parser, Subcommand};
use kmx::gateway::{self, GatewayOptions};
use kmx::process::LogMode;
use kmx::stack::{Stack, StackOptions};
use kmx::{absolute, repo_root, Manifest};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use tokio::signal::unix::{signal, SignalKind};

#[derive(Parser)]
#[command(
    name = "kmx",
    version,
    about = "Kametrix operations and the one-machine dev/test stack"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write the nginx gateway config generated from infra/functions.toml.
    GatewayConfig(GatewayConfigArgs),
    /// Run the whole stack in the foreground until Ctrl-C / SIGTERM.
    Dev(StackArgs),
    /// `dev` for scripts: logs to files only, writes --ready-file once ready.
    Up(UpArgs),
    /// Create (or update) the manifest's SQS queues and dead-letter queues.
    Queues(QueuesArgs),
    /// Apply pending migrations (deploys run this before new functions).
    Migrate(DbArgs),
    /// Create an admin, or make an existing user an admin with this password.
    Admin(AdminArgs),
}

#[derive(Args)]
struct DbArgs {
    /// The database [default: the `kmx dev` cluster in <repo>/.dev, started
    /// for the command if it is not running]
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    #[arg(long, env = "KMX_PG_PORT", default_value_t = kmx::stack::DEFAULT_PG_PORT)]
    pg_port: u16,
    #[arg(long, env = "KMX_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Args)]
struct AdminArgs {
    #[command(flatten)]
    db: DbArgs,
    #[arg(long)]
    email: String,
    #[arg(long)]
    password: String,
}

impl DbArgs {
    /// The database URL, and the dev cluster if this command had to start it
    /// (stopped when dropped).
    async fn database(self) -> Result<(String, Option<kmx::process::Supervised>)> {
        if let Some(url) = self.database_url {
            return Ok((url, None));
        }
        let data_dir = self
            .data_dir
            .map(|p| absolute(&p))
            .unwrap_or_else(|| repo_root().join(".dev"));
        let cluster = kmx::pg::Cluster::new(&data_dir, self.pg_port, true)?;
        if cluster.is_ready().await {
            return Ok((cluster.url(kmx::stack::DATABASE_NAME), None));
        }
        let logs = kmx::process::Logs::new(data_dir.join("logs"), LogMode::Files, 8);
        cluster.init(&logs).await?;
        let server = cluster.spawn(&logs)?;
        let started = Instant::now();
        while !cluster.is_ready().await {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(30),
                "PostgreSQL did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        cluster.ensure_database(kmx::stack::DATABASE_NAME).await?;
        Ok((cluster.url(kmx::stack::DATABASE_NAME), Some(server)))
    }
}

#[derive(Args)]
struct GatewayConfigArgs {
    /// Where to write the config.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, env = "KMX_GATEWAY_PORT", default_value_t = kmx::stack::DEFAULT_GATEWAY_PORT)]
    gateway_port: u16,
    #[arg(long, env = "KMX_FUNCTION_PORT_BASE", default_value_t = kmx::stack::DEFAULT_FUNCTION_PORT_BASE)]
    function_port_base: u16,
    /// The built frontend [default: <repo>/frontend/dist]
    #[arg(long)]
    dist: Option<PathBuf>,
    /// nginx prefix: pid file, temp dirs, access log [default: <repo>/.dev/nginx]
    #[arg(long)]
    prefix: Option<PathBuf>,
    #[arg(long, default_value = gateway::DEFAULT_MIME_TYPES)]
    mime_types: PathBuf,
}

#[derive(Args)]
struct StackArgs {
    #[arg(long, env = "KMX_GATEWAY_PORT", default_value_t = kmx::stack::DEFAULT_GATEWAY_PORT)]
    gateway_port: u16,
    /// The N-th http function of the manifest listens on this + N.
    #[arg(long, env = "KMX_FUNCTION_PORT_BASE", default_value_t = kmx::stack::DEFAULT_FUNCTION_PORT_BASE)]
    function_port_base: u16,
    #[arg(long, env = "KMX_PG_PORT", default_value_t = kmx::stack::DEFAULT_PG_PORT)]
    pg_port: u16,
    #[arg(long, env = "KMX_SQS_PORT", default_value_t = kmx::stack::DEFAULT_SQS_PORT)]
    sqs_port: u16,
    #[arg(long, env = "KMX_SMTP_PORT", default_value_t = kmx::stack::DEFAULT_SMTP_PORT)]
    smtp_port: u16,
    #[arg(long, env = "KMX_MAIL_HTTP_PORT", default_value_t = kmx::stack::DEFAULT_MAIL_HTTP_PORT)]
    mail_http_port: u16,
    /// The Stripe sandbox (infra/sandbox); functions get STRIPE_API_BASE=http://127.0.0.1:<port>/.
    #[arg(long, env = "KMX_STRIPE_SANDBOX_PORT", default_value_t = kmx::stack::DEFAULT_STRIPE_SANDBOX_PORT)]
    stripe_port: u16,
    /// The Vapi sandbox (infra/vapi-sandbox); functions get VAPI_API_BASE=http://127.0.0.1:<port>/.
    #[arg(long, env = "KMX_VAPI_SANDBOX_PORT", default_value_t = kmx::stack::DEFAULT_VAPI_SANDBOX_PORT)]
    vapi_port: u16,
    /// Cluster, logs and nginx prefix [default: <repo>/.dev]
    #[arg(long, env = "KMX_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The built frontend [default: <repo>/frontend/dist]
    #[arg(long, env = "KMX_DIST_DIR")]
    dist: Option<PathBuf>,
    /// Use this database instead of the project-local cluster.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Skip `cargo build -p functions -p kmx-sandbox -p kmx-vapi-sandbox`.
    #[arg(long, env = "KMX_NO_BUILD", value_parser = FalseyValueParser::new(), default_value_t = false)]
    no_build: bool,
    /// Build and run target/release.
    #[arg(long, env = "KMX_RELEASE", value_parser = FalseyValueParser::new(), default_value_t = false)]
    release: bool,
    /// Do not build the frontend when frontend/dist is missing.
    #[arg(long, env = "KMX_NO_FRONTEND", value_parser = FalseyValueParser::new(), default_value_t = false)]
    no_frontend: bool,
    /// Run only these functions (comma-separated); the others answer 502.
    #[arg(long, env = "KMX_FUNCTIONS", value_delimiter = ',')]
    functions: Option<Vec<String>>,
}

#[derive(Args)]
struct UpArgs {
    #[command(flatten)]
    stack: StackArgs,
    /// Write {"base_url","database_url","mail_api","sqs_endpoint","stripe_sandbox",…} here once
    /// ready (removed again on exit).
    #[arg(long)]
    ready_file: Option<PathBuf>,
    /// Also print every process's output (like dev).
    #[arg(long)]
    verbose: bool,
}

#[derive(Args)]
struct QueuesArgs {
    #[arg(
        long,
        env = "SQS_ENDPOINT_URL",
        default_value = "http://127.0.0.1:4566"
    )]
    endpoint: String,
    #[arg(long, env = "KMX_QUEUE_PREFIX", default_value = kmx::queues::DEFAULT_PREFIX)]
    prefix: String,
}

impl StackArgs {
    fn into_options(self, logs: LogMode) -> StackOptions {
        let d = StackOptions::default();
        StackOptions {
            gateway_port: self.gateway_port,
            function_port_base: self.function_port_base,
            pg_port: self.pg_port,
            sqs_port: self.sqs_port,
            smtp_port: self.smtp_port,
            mail_http_port: self.mail_http_port,
            stripe_port: self.stripe_port,
            vapi_port: self.vapi_port,
            data_dir: self
                .data_dir
                .map(|p| absolute(&p))
                .unwrap_or(d.data_dir.clone()),
            dist_dir: self
                .dist
                .map(|p| absolute(&p))
                .unwrap_or(d.dist_dir.clone()),
            database_url: self.database_url.filter(|u| !u.trim().is_empty()),
            build: !self.no_build,
            release: self.release,
            frontend: !self.no_frontend,
            functions: self.functions.filter(|f| !f.is_empty()),
            logs,
            ..d
        }
    }
}

fn main() -> ExitCode {
    kmx_sandbox_kit::run_main("kmx", run(Cli::parse()))
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.cmd {
        Cmd::GatewayConfig(a) => {
            let root = repo_root();
            let opts = GatewayOptions {
                mime_types: absolute(&a.mime_types),
                ..GatewayOptions::new(
                    a.gateway_port,
                    a.function_port_base,
                    a.dist
                        .map(|p| absolute(&p))
                        .unwrap_or_else(|| root.join("frontend/dist")),
                    a.prefix
                        .map(|p| absolute(&p))
                        .unwrap_or_else(|| root.join(".dev/nginx")),
                )
            };
            gateway::write(Manifest::embedded(), &opts, &a.out)?;
            eprintln!("kmx: wrote {}", a.out.display());
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Dev(a) => serve(a.into_options(LogMode::Terminal), None).await,
        Cmd::Up(a) => {
            let mode = if a.verbose {
                LogMode::Terminal
            } else {
                LogMode::Files
            };
            serve(
                a.stack.into_options(mode),
                a.ready_file.map(|p| absolute(&p)),
            )
            .await
        }
        Cmd::Migrate(a) => {
            let (url, _cluster) = a.database().await?;
            let applied = kmx::ops::migrate(&url).await?;
            if applied.is_empty() {
                println!("kmx: the database is up to date");
            } else {
                println!("kmx: applied {}", applied.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Admin(a) => {
            let (url, _cluster) = a.db.database().await?;
            kmx::ops::create_admin(&url, &a.email, &a.password).await?;
            println!(
                "kmx: {} is an admin; sign in with the password you gave",
                a.email
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Queues(a) => {
            let client = kmx::queues::client(&a.endpoint);
            let queues =
                kmx::queues::ensure_queues(&client, &Manifest::embedded().queues, &a.prefix)
                    .await?;
            for q in queues {
                println!("{}\t{}", q.sqs_name, q.url);
                println!("{}-dlq\t{}", q.sqs_name, q.dlq_url);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(opts: StackOptions, ready_file: Option<PathBuf>) -> Result<ExitCode> {
    // If whatever started kmx (make, a test script) dies, stop like on
    // Ctrl-C instead of leaving the stack running unattended.
    // SAFETY: prctl with PR_SET_PDEATHSIG only sets a flag on this process.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
    }
    let mut sigint = signal(SignalKind::interrupt()).context("SIGINT handler")?;
    let mut sigterm = signal(SignalKind::terminate()).context("SIGTERM handler")?;
    let mut sighup = signal(SignalKind::hangup()).context("SIGHUP handler")?;
    if let Some(f) = &ready_file {
        let _ = std::fs::remove_file(f);
    }
    let started = tokio::select! {
        r = Stack::start(opts) => Some(r?),
        _ = sigint.recv() => None,
        _ = sigterm.recv() => None,
        _ = sighup.recv() => None,
    };
    // Dropping the start future above stopped whatever it had started.
    let Some(mut stack) = started else {
        eprintln!("kmx: interrupted during startup; stopped what had started");
        return Ok(ExitCode::from(130));
    };
    println!("{}", stack.banner());
    if let Some(f) = &ready_file {
        let tmp = f.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&stack.ready_json())?)
            .and_then(|_| std::fs::rename(&tmp, f))
            .with_context(|| format!("write {}", f.display()))?;
    }
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            _ = sigint.recv() => break,
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
            _ = tick.tick() => {
                for msg in stack.poll_exits() {
                    eprintln!("kmx: warning: {msg}");
                }
            }
        }
    }
    eprintln!("kmx: stopping…");
    let t = Instant::now();
    tokio::task::spawn_blocking(move || drop(stack)).await?;
    if let Some(f) = &ready_file {
        let _ = std::fs::remove_file(f);
    }
    eprintln!("kmx: stopped ({:.1} s)", t.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}
