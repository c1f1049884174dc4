//! Builds: the function and sandbox binaries (`cargo build`), the check that
//! they exist, and the frontend (or a placeholder page in its place).

use super::options::StackOptions;
use super::plan::Plan;
use super::procs::Startup;
use crate::process::{run_to_completion, ProcSpec};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `cargo build -p functions -p kmx-sandbox -p kmx-vapi-sandbox` (with
/// `--release` for release stacks), timed as `cargo build`.
pub(super) async fn cargo_build(opts: &StackOptions, run: &mut Startup) -> Result<()> {
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
    run.say.line(&format!(
        "building the functions and the sandbox (cargo build -p functions -p kmx-sandbox{})",
        opts.release_flag()
    ));
    run_to_completion(spec, &run.logs)
        .await
        .context("building the functions")?;
    run.timed("cargo build", t);
    Ok(())
}

/// Where the built binaries are.
pub(super) struct Binaries {
    /// The function binaries, each named after its function.
    pub(super) bin_dir: PathBuf,
    /// The Stripe sandbox.
    pub(super) sandbox: PathBuf,
    pub(super) vapi_sandbox: PathBuf,
}

impl Binaries {
    /// Fails, with the cargo command that builds them, if any is missing.
    pub(super) fn find(opts: &StackOptions, plan: &Plan) -> Result<Binaries> {
        let bin_dir = opts.bin_dir();
        let missing: Vec<&str> = plan
            .selected
            .iter()
            .filter(|f| !bin_dir.join(&f.name).exists())
            .map(|f| f.name.as_str())
            .collect();
        if !missing.is_empty() {
            bail!(
                "function binaries missing in {}: {} (cargo build -p functions{})",
                bin_dir.display(),
                missing.join(", "),
                opts.release_flag()
            );
        }
        let sandbox = bin_dir.join("sandbox");
        require_sandbox(&sandbox, "Stripe", "kmx-sandbox", opts)?;
        let vapi_sandbox = bin_dir.join("vapi-sandbox");
        require_sandbox(&vapi_sandbox, "Vapi", "kmx-vapi-sandbox", opts)?;
        Ok(Binaries {
            bin_dir,
            sandbox,
            vapi_sandbox,
        })
    }
}

fn require_sandbox(path: &Path, what: &str, package: &str, opts: &StackOptions) -> Result<()> {
    if !path.exists() {
        bail!(
            "the {what} sandbox binary is missing: {} (cargo build -p {package}{})",
            path.display(),
            opts.release_flag()
        );
    }
    Ok(())
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

/// The directory for nginx to serve: the dist dir, built first if it has no
/// `index.html` and `opts.frontend` is set; else a placeholder page saying why.
pub(super) async fn frontend(opts: &StackOptions, run: &mut Startup) -> Result<PathBuf> {
    let index = opts.dist_dir.join("index.html");
    let mut reason = String::from("The frontend has not been built yet.");
    if !index.exists() && opts.frontend {
        if let Some(failed) = build_frontend(opts, run).await {
            reason = failed;
        }
    }
    if index.exists() {
        return Ok(opts.dist_dir.clone());
    }
    if opts.frontend {
        run.say.warn(&format!(
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

/// Runs scripts/install-frontend-toolchain.sh (if there) and
/// scripts/build-frontend.sh, timed as `frontend build`. A failure is only
/// warned about: returns the placeholder's reason then.
async fn build_frontend(opts: &StackOptions, run: &mut Startup) -> Option<String> {
    let install = opts.root.join("scripts/install-frontend-toolchain.sh");
    let build = opts.root.join("scripts/build-frontend.sh");
    if !build.exists() {
        run.say
            .warn("scripts/build-frontend.sh does not exist yet; serving a placeholder page");
        return None;
    }
    let t = Instant::now();
    run.say
        .line("building the frontend (first run; scripts/build-frontend.sh)");
    let mut result = Ok(());
    if install.exists() {
        result = run_script("frontend-toolchain", &install, opts, run).await;
    }
    if result.is_ok() {
        result = run_script("frontend-build", &build, opts, run).await;
    }
    run.timed("frontend build", t);
    let e = result.err()?;
    run.say.warn(&format!(
        "the frontend build failed; serving a placeholder page: {e:#}"
    ));
    Some("The frontend build failed: see the terminal or .dev/logs/frontend-build.log.".into())
}

/// `bash <script>` in the repository root, to completion.
async fn run_script(name: &str, script: &Path, opts: &StackOptions, run: &Startup) -> Result<()> {
    run_to_completion(
        ProcSpec::new(name, "bash").arg(script).cwd(&opts.root),
        &run.logs,
    )
    .await
}
