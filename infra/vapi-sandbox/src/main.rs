//! `vapi-sandbox`: the local Vapi sandbox (see the crate docs in lib.rs).

use clap::Parser;
use kmx_vapi_sandbox::{
    serve, AuthMode, Config, DEFAULT_ACTIVATION_MS, DEFAULT_API_KEY, DEFAULT_PORT,
    DEFAULT_PUBLIC_KEY, DEFAULT_WEBHOOK_SECRET,
};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "vapi-sandbox",
    version,
    about = "Kametrix's local Vapi sandbox: Vapi's REST API and simulated inbound calls that send Vapi's real server messages"
)]
struct Cli {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, env = "VAPI_SANDBOX_PORT", default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Where clients and browsers reach the sandbox [default: http://127.0.0.1:<port>].
    #[arg(long, env = "VAPI_SANDBOX_PUBLIC_URL")]
    public_url: Option<String>,
    /// The private API key (`Authorization: Bearer <key>`).
    #[arg(long, env = "VAPI_SANDBOX_API_KEY", default_value = DEFAULT_API_KEY, hide_env_values = true)]
    api_key: String,
    /// The public key; only valid for POST /call/web.
    #[arg(long, env = "VAPI_SANDBOX_PUBLIC_KEY", default_value = DEFAULT_PUBLIC_KEY, hide_env_values = true)]
    public_key: String,
    /// The org-level server URL: where messages go when neither the tool,
    /// the assistant nor the phone number has a server.url.
    #[arg(long, env = "VAPI_SANDBOX_SERVER_URL")]
    server_url: Option<String>,
    /// How deliveries are authenticated: secret (X-Vapi-Secret), bearer
    /// (Authorization: Bearer), hmac (x-vapi-timestamp + x-vapi-signature) or none.
    #[arg(long, env = "VAPI_SANDBOX_AUTH", default_value = "secret")]
    auth: AuthMode,
    /// The secret, bearer token or HMAC key of deliveries.
    #[arg(long, env = "VAPI_SANDBOX_WEBHOOK_SECRET", default_value = DEFAULT_WEBHOOK_SECRET, hide_env_values = true)]
    webhook_secret: String,
    /// How long a new `provider: vapi` number stays `activating`.
    #[arg(long, env = "VAPI_SANDBOX_ACTIVATION_MS", default_value_t = DEFAULT_ACTIVATION_MS)]
    activation_ms: u64,
    /// Keep assistants, tools and numbers in this JSON file across restarts.
    #[arg(long, env = "VAPI_SANDBOX_STATE_FILE")]
    state_file: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    kmx_sandbox_kit::run_main("vapi-sandbox", run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let (listener, port) = kmx_sandbox_kit::bind_loopback(cli.port).await?;
    let mut cfg = Config::new(kmx_sandbox_kit::public_url(cli.public_url, port));
    cfg.api_key = cli.api_key;
    cfg.public_key = cli.public_key;
    cfg.server_url = cli.server_url.filter(|u| !u.trim().is_empty());
    cfg.auth = cli.auth;
    cfg.webhook_secret = cli.webhook_secret;
    cfg.activation = Duration::from_millis(cli.activation_ms);
    cfg.state_file = cli.state_file;
    println!(
        "Vapi sandbox listening on http://127.0.0.1:{port} (API base {}, controls {}/_sandbox); messages to {} with auth {}",
        cfg.public_url,
        cfg.public_url,
        cfg.server_url
            .as_deref()
            .unwrap_or("each number's or assistant's server.url (no --server-url)"),
        cfg.auth
    );
    serve(listener, cfg).await
}
