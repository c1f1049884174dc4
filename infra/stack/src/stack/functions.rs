//! The manifest's functions: their common environment (every service's
//! address and the sandboxes' keys), one process each, and the number pool
//! a fresh stack fills through them.

use super::builds::Binaries;
use super::options::{env_or, StackOptions};
use super::plan::Plan;
use super::procs::{Startup, Tier};
use super::{
    local_url, vapi_server_url, MAIL_FROM, SANDBOX_STRIPE_SECRET_KEY,
    SANDBOX_STRIPE_WEBHOOK_SECRET, SANDBOX_VAPI_API_KEY, SANDBOX_VAPI_WEBHOOK_SECRET,
};
use crate::ops::{self, SeedReport};
use crate::process::ProcSpec;
use anyhow::Result;
use shared::manifest::Kind;

/// The environment every function gets: the services' addresses and the
/// sandboxes' keys; then `NO_COLOR` without a color terminal, then
/// `opts.extra_env`.
pub(super) fn common_env(
    opts: &StackOptions,
    database_url: &str,
    color: bool,
) -> Vec<(String, String)> {
    [
        ("DATABASE_URL", database_url.to_string()),
        ("KMX_PUBLIC_URL", local_url(opts.gateway_port)),
        ("SMTP_URL", format!("smtp://127.0.0.1:{}", opts.smtp_port)),
        ("MAIL_FROM", MAIL_FROM.to_string()),
        ("SQS_ENDPOINT_URL", local_url(opts.sqs_port)),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("KMX_QUEUE_PREFIX", opts.queue_prefix.clone()),
        (
            "STRIPE_API_BASE",
            format!("{}/", local_url(opts.stripe_port)),
        ),
        ("STRIPE_SECRET_KEY", SANDBOX_STRIPE_SECRET_KEY.into()),
        (
            "STRIPE_WEBHOOK_SECRET",
            SANDBOX_STRIPE_WEBHOOK_SECRET.into(),
        ),
        ("VAPI_API_BASE", format!("{}/", local_url(opts.vapi_port))),
        ("VAPI_API_KEY", SANDBOX_VAPI_API_KEY.into()),
        ("VAPI_WEBHOOK_AUTH", "secret".into()),
        ("VAPI_WEBHOOK_SECRET", SANDBOX_VAPI_WEBHOOK_SECRET.into()),
        ("KMX_VAPI_SERVER_URL", vapi_server_url(opts)),
        ("KMX_VAPI_SIMULATOR_URL", local_url(opts.vapi_port)),
        ("LOG_FORMAT", "human".into()),
        ("RUST_LOG", opts.rust_log.clone()),
        ("RUST_BACKTRACE", env_or("RUST_BACKTRACE", "1")),
        ("KMX_SCHEDULE_SCALE", opts.schedule_scale.clone()),
    ]
    .into_iter()
    .chain((!color).then(|| ("NO_COLOR", "1".to_string())))
    .map(|(k, v)| (k.to_string(), v))
    .chain(opts.extra_env.iter().cloned())
    .collect()
}

/// Starts every selected function in the repository root with `env`; an
/// http function gets its `PORT`. Nothing of a Lambda's or an AWS profile's
/// environment is passed on.
pub(super) fn spawn(
    opts: &StackOptions,
    plan: &Plan,
    bins: &Binaries,
    env: &[(String, String)],
    run: &mut Startup,
) -> Result<()> {
    for f in &plan.selected {
        let mut spec = ProcSpec::new(f.name.clone(), bins.bin_dir.join(&f.name))
            .envs(env.iter().cloned())
            .env_remove("AWS_LAMBDA_RUNTIME_API")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env_remove("PORT")
            .cwd(&opts.root);
        if let Some(port) = plan.port_of(&f.name) {
            spec = spec.env("PORT", port.to_string());
        }
        run.spawn(Tier::Functions, &spec)?;
    }
    Ok(())
}

/// Waits until every selected http function accepts connections.
pub(super) async fn wait_ready(plan: &Plan, run: &mut Startup) -> Result<()> {
    for f in plan.selected.iter().filter(|f| f.kind == Kind::Http) {
        let port = plan.port_of(&f.name).expect("http functions have ports");
        run.wait_tcp(&f.name, port).await?;
    }
    Ok(())
}

/// Provisions `opts.pool_numbers` numbers into an empty pool, through the
/// functions' environment `env`; reported as a seed line. A failure is
/// only warned about.
pub(super) async fn fill_pool(
    opts: &StackOptions,
    env: &[(String, String)],
    run: &Startup,
    seed_report: &mut SeedReport,
) {
    if opts.pool_numbers == 0 {
        return;
    }
    let env: std::collections::HashMap<String, String> = env.iter().cloned().collect();
    match ops::fill_pool(&env, opts.pool_numbers).await {
        Ok(Some(line)) => seed_report.lines.push(line),
        Ok(None) => {}
        Err(e) => run
            .say
            .warn(&format!("could not fill the number pool: {e:#}")),
    }
}
