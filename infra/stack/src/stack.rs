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
//!
//! [`Stack::start`] runs the steps of the submodules in order: `plan` (the
//! functions, their ports, the tools), `builds` (cargo, the frontend),
//! `services` (PostgreSQL, moto, mailtutan, the sandboxes), `functions`,
//! `gateway` (nginx); `procs` holds the children and the readiness waits,
//! `options` the [`StackOptions`].

mod builds;
mod functions;
mod gateway;
mod options;
mod plan;
mod procs;
mod services;

pub use options::StackOptions;

use crate::ops::SeedReport;
use crate::process::Logs;
use crate::queues::{self, EnsuredQueue};
use anyhow::Result;
use builds::Binaries;
use plan::{Plan, Tools};
use procs::{DataDir, Procs, Startup};
use shared::manifest::Manifest;
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

/// `http://127.0.0.1:<port>`
fn local_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// Where the Vapi sandbox sends every call's messages: the gateway's
/// [`VAPI_WEBHOOK_PATH`].
fn vapi_server_url(opts: &StackOptions) -> String {
    format!("{}{VAPI_WEBHOOK_PATH}", local_url(opts.gateway_port))
}

impl Stack {
    /// Starts everything and waits until every part answers.
    pub async fn start(opts: StackOptions) -> Result<Stack> {
        let t0 = Instant::now();
        let plan = Plan::new(&opts, Manifest::embedded())?;
        plan.check_ports(&opts)?;
        let tools = Tools::find(&opts)?;
        let mut run = Startup::new(&opts, plan.name_width())?;

        if opts.build {
            builds::cargo_build(&opts, &mut run).await?;
        }
        let bins = Binaries::find(&opts, &plan)?;
        let dist_dir = builds::frontend(&opts, &mut run).await?;

        services::spawn(&opts, &tools, &bins, &mut run)?;
        let database_url = services::postgres(&opts, &mut run).await?;
        let mut seed_report = services::migrate_and_seed(&opts, &database_url, &mut run).await?;
        let queues = services::wait_ready(&opts, &plan, &mut run).await?;

        let t = Instant::now();
        let env = functions::common_env(&opts, &database_url, run.logs.color);
        functions::spawn(&opts, &plan, &bins, &env, &mut run)?;
        gateway::spawn(&opts, &plan, &tools, &dist_dir, &mut run)?;
        functions::wait_ready(&plan, &mut run).await?;
        run.timed("functions", t);
        gateway::wait_ready(&opts, &plan, &mut run).await?;
        run.procs.check_all()?;

        functions::fill_pool(&opts, &env, &run, &mut seed_report).await;
        let started_in = t0.elapsed();
        let Startup {
            logs,
            timings,
            procs,
            data_dir,
            ..
        } = run;
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

    /// `http://127.0.0.1:<gateway>`: the dashboard, and the API under `/api`.
    pub fn base_url(&self) -> String {
        local_url(self.opts.gateway_port)
    }

    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// mailtutan's REST API base: `GET {mail_api_url}/messages`,
    /// `GET {mail_api_url}/messages/<id>/plain`, `DELETE {mail_api_url}/messages`.
    pub fn mail_api_url(&self) -> String {
        format!("{}/api", local_url(self.opts.mail_http_port))
    }

    /// mailtutan's web inbox.
    pub fn mail_inbox_url(&self) -> String {
        format!("{}/", local_url(self.opts.mail_http_port))
    }

    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.opts.smtp_port)
    }

    /// moto's endpoint (SQS; `POST {sqs_endpoint}/moto-api/reset` wipes it).
    pub fn sqs_endpoint(&self) -> String {
        local_url(self.opts.sqs_port)
    }

    /// The Stripe sandbox, `http://127.0.0.1:<port>` (no trailing slash;
    /// functions get it as `STRIPE_API_BASE` with one). Its test controls
    /// are under `/_sandbox` (see infra/README.md).
    pub fn stripe_sandbox_url(&self) -> String {
        local_url(self.opts.stripe_port)
    }

    /// The Vapi sandbox, `http://127.0.0.1:<port>`: Vapi's REST API and,
    /// under `/_sandbox`, the call simulator (see infra/README.md).
    pub fn vapi_sandbox_url(&self) -> String {
        local_url(self.opts.vapi_port)
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
        crate::gateway::function_ports(Manifest::embedded(), self.opts.function_port_base)
            .into_iter()
            .find(|(f, _)| f.name == name)
            .map(|(_, p)| local_url(p))
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
        b.push_str(&format!(
            "  API           {}/api/  (described at {}/api/openapi.json)\n",
            self.base_url(),
            self.base_url()
        ));
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
