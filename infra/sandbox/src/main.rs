//! `sandbox`: the local Stripe sandbox (see infra/README.md).

use clap::Parser;
use kmx_sandbox::{serve, Config, DEFAULT_API_KEY, DEFAULT_PORT, DEFAULT_WEBHOOK_SECRET};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sandbox",
    version,
    about = "Kametrix's local Stripe sandbox: Checkout Sessions, a hosted checkout page, refunds, disputes and signed webhook events (see infra/README.md)"
)]
struct Cli {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, env = "SANDBOX_PORT", default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Where browsers reach the sandbox [default: http://127.0.0.1:<port>].
    #[arg(long, env = "SANDBOX_PUBLIC_URL")]
    public_url: Option<String>,
    /// The secret key clients must send (Bearer, or Basic with it as user).
    #[arg(long, env = "SANDBOX_STRIPE_API_KEY", default_value = DEFAULT_API_KEY, hide_env_values = true)]
    api_key: String,
    /// Signs every webhook delivery (`Stripe-Signature`).
    #[arg(long, env = "SANDBOX_STRIPE_WEBHOOK_SECRET", default_value = DEFAULT_WEBHOOK_SECRET, hide_env_values = true)]
    webhook_secret: String,
    /// Where signed events are POSTed, e.g. http://127.0.0.1:8080/api/webhooks/stripe
    /// [default: none; events are only recorded].
    #[arg(long, env = "SANDBOX_STRIPE_WEBHOOK_URL")]
    webhook_url: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    kmx_sandbox_kit::run_main("sandbox", run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let (listener, port) = kmx_sandbox_kit::bind_loopback(cli.port).await?;
    let mut cfg = Config::new(kmx_sandbox_kit::public_url(cli.public_url, port));
    cfg.api_key = cli.api_key;
    cfg.webhook_secret = cli.webhook_secret;
    cfg.webhook_url = cli.webhook_url.filter(|u| !u.trim().is_empty());
    eprintln!(
        "Stripe sandbox on http://127.0.0.1:{port} (API base http://127.0.0.1:{port}/, pages {}/checkout/…, controls {}/_sandbox); webhooks to {}",
        cfg.public_url,
        cfg.public_url,
        cfg.webhook_url.as_deref().unwrap_or("nowhere (no --webhook-url)")
    );
    serve(listener, cfg).await
}
