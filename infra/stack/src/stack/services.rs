//! The services the functions use: PostgreSQL (with migrations and seed),
//! SQS (moto, with the manifest's queues), SMTP (mailtutan), and the Stripe
//! and Vapi sandboxes.

use super::builds::Binaries;
use super::options::StackOptions;
use super::plan::{Plan, Tools};
use super::procs::{Startup, Tier};
use super::{
    local_url, vapi_server_url, DATABASE_NAME, SANDBOX_STRIPE_SECRET_KEY,
    SANDBOX_STRIPE_WEBHOOK_SECRET, SANDBOX_VAPI_API_KEY, SANDBOX_VAPI_WEBHOOK_SECRET,
    STRIPE_WEBHOOK_PATH,
};
use crate::ops::{self, SeedReport};
use crate::pg::Cluster;
use crate::process::ProcSpec;
use crate::queues::{self, EnsuredQueue};
use anyhow::{Context, Result};
use std::time::Instant;

/// Starts moto, mailtutan and both sandboxes (not waiting for them: see
/// [`wait_ready`]).
pub(super) fn spawn(
    opts: &StackOptions,
    tools: &Tools,
    bins: &Binaries,
    run: &mut Startup,
) -> Result<()> {
    run.spawn(Tier::Services, &moto(opts, tools))?;
    run.spawn(Tier::Services, &mailtutan(opts, tools))?;
    run.spawn(Tier::Services, &stripe_sandbox(opts, bins))?;
    run.spawn(Tier::Services, &vapi_sandbox(opts, bins))
}

fn moto(opts: &StackOptions, tools: &Tools) -> ProcSpec {
    ProcSpec::new("moto", &tools.moto)
        .args(["-H", "127.0.0.1", "-p", &opts.sqs_port.to_string()])
        .env("PYTHONUNBUFFERED", "1")
        .cwd(&opts.data_dir)
        .quiet()
}

fn mailtutan(opts: &StackOptions, tools: &Tools) -> ProcSpec {
    ProcSpec::new("mailtutan", &tools.mailtutan)
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
        .cwd(&opts.data_dir)
}

/// Delivers its webhooks to the gateway's [`STRIPE_WEBHOOK_PATH`].
fn stripe_sandbox(opts: &StackOptions, bins: &Binaries) -> ProcSpec {
    let webhook_url = format!("{}{STRIPE_WEBHOOK_PATH}", local_url(opts.gateway_port));
    ProcSpec::new("sandbox", &bins.sandbox)
        .args(["--port", &opts.stripe_port.to_string()])
        .args(["--webhook-url", &webhook_url])
        .env("SANDBOX_STRIPE_API_KEY", SANDBOX_STRIPE_SECRET_KEY)
        .env(
            "SANDBOX_STRIPE_WEBHOOK_SECRET",
            SANDBOX_STRIPE_WEBHOOK_SECRET,
        )
        .env_remove("SANDBOX_PUBLIC_URL")
        .cwd(&opts.data_dir)
}

/// Sends every call's messages to the gateway's Vapi webhook; keeps its
/// state in `<data-dir>/vapi-sandbox.json`.
fn vapi_sandbox(opts: &StackOptions, bins: &Binaries) -> ProcSpec {
    ProcSpec::new("vapi-sandbox", &bins.vapi_sandbox)
        .args(["--port", &opts.vapi_port.to_string()])
        .args(["--server-url", &vapi_server_url(opts)])
        .arg("--state-file")
        .arg(opts.data_dir.join("vapi-sandbox.json"))
        .env("VAPI_SANDBOX_API_KEY", SANDBOX_VAPI_API_KEY)
        .env("VAPI_SANDBOX_WEBHOOK_SECRET", SANDBOX_VAPI_WEBHOOK_SECRET)
        .env("VAPI_SANDBOX_AUTH", "secret")
        .env_remove("VAPI_SANDBOX_PUBLIC_URL")
        .cwd(&opts.data_dir)
}

/// The database URL: `opts.database_url`, else that of the local cluster,
/// created (`initdb`, timed) on first use, started (`postgres start`) and
/// given database [`DATABASE_NAME`].
pub(super) async fn postgres(opts: &StackOptions, run: &mut Startup) -> Result<String> {
    if let Some(url) = &opts.database_url {
        return Ok(url.clone());
    }
    let cluster = Cluster::new(&opts.data_dir, opts.pg_port, opts.durable)?;
    let t = Instant::now();
    if cluster.init(&run.logs).await? {
        run.say.line(&format!(
            "created the PostgreSQL cluster in {}",
            cluster.pgdata.display()
        ));
        run.timed("initdb", t);
    }
    let t = Instant::now();
    run.procs.add(Tier::Postgres, cluster.spawn(&run.logs)?);
    run.wait_ready("postgres", || cluster.is_ready()).await?;
    if cluster.ensure_database(DATABASE_NAME).await? {
        run.say.line(&format!("created database {DATABASE_NAME}"));
    }
    run.timed("postgres start", t);
    Ok(cluster.url(DATABASE_NAME))
}

/// Migrations and seed data (`migrate + seed`).
pub(super) async fn migrate_and_seed(
    opts: &StackOptions,
    database_url: &str,
    run: &mut Startup,
) -> Result<SeedReport> {
    let t = Instant::now();
    let seed_report = ops::prepare(database_url, &opts.seed)
        .await
        .context("migrations and seed (kmx::ops::prepare)")?;
    run.timed("migrate + seed", t);
    Ok(seed_report)
}

/// Waits for moto and creates the manifest's queues in it (`moto + queues`),
/// then waits for mailtutan (SMTP and inbox) and both sandboxes.
pub(super) async fn wait_ready(
    opts: &StackOptions,
    plan: &Plan,
    run: &mut Startup,
) -> Result<Vec<EnsuredQueue>> {
    let t = Instant::now();
    run.wait_tcp("moto", opts.sqs_port).await?;
    let client = queues::client(&local_url(opts.sqs_port));
    let queues = queues::ensure_queues(&client, &plan.manifest.queues, &opts.queue_prefix)
        .await
        .context("creating the queues")?;
    run.timed("moto + queues", t);
    run.wait_tcp("mailtutan", opts.smtp_port).await?;
    run.wait_tcp("mailtutan", opts.mail_http_port).await?;
    run.wait_http_ok("sandbox", opts.stripe_port, "/_sandbox/health")
        .await?;
    run.wait_http_ok("vapi-sandbox", opts.vapi_port, "/_sandbox/health")
        .await?;
    Ok(queues)
}
