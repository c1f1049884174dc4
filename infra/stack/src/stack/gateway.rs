//! The gateway: nginx with the configuration of [`crate::gateway`], in front
//! of the functions and the dashboard.

use super::options::StackOptions;
use super::plan::{Plan, Tools};
use super::procs::{Startup, Tier};
use crate::gateway::GatewayOptions;
use crate::net;
use crate::process::ProcSpec;
use anyhow::{Context, Result};
use std::path::Path;

/// Writes `<data-dir>/nginx/nginx.conf` (routes to the functions, `dist_dir`
/// for the rest) and starts nginx with that prefix.
pub(super) fn spawn(
    opts: &StackOptions,
    plan: &Plan,
    tools: &Tools,
    dist_dir: &Path,
    run: &mut Startup,
) -> Result<()> {
    let prefix = opts.data_dir.join("nginx");
    let conf = prefix.join("nginx.conf");
    let gw = GatewayOptions::new(
        opts.gateway_port,
        opts.function_port_base,
        dist_dir.to_path_buf(),
        prefix.clone(),
    );
    crate::gateway::write(plan.manifest, &gw, &conf)?;
    let spec = ProcSpec::new("nginx", &tools.nginx)
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(&conf)
        .args(["-e", "stderr"])
        .cwd(&opts.data_dir);
    run.spawn(Tier::Gateway, &spec)
}

/// Waits until the gateway accepts connections and answers a request:
/// `GET /api/hello` with 200 when `hello` runs, else any answer to `GET /`.
pub(super) async fn wait_ready(opts: &StackOptions, plan: &Plan, run: &mut Startup) -> Result<()> {
    run.wait_tcp("nginx", opts.gateway_port).await?;
    let (probe, want_ok) = if plan.selected.iter().any(|f| f.name == "hello") {
        ("/api/hello", true)
    } else {
        ("/", false)
    };
    let gw_port = opts.gateway_port;
    run.wait_ready("nginx", || async move {
        match net::http_get(gw_port, probe).await {
            Ok((status, _)) => !want_ok || status == 200,
            Err(_) => false,
        }
    })
    .await
    .with_context(|| format!("GET {probe} through the gateway"))
}
