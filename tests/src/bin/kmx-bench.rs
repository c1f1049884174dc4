//! `make bench`: the gateway and function benchmarks. Not a test: it prints
//! figures (and writes them to target/bench/latest.md) for the README.
//!
//! * requests/s and p50/p99 latency at 50 concurrent clients (wrk) through
//!   the gateway for `GET /api/hello` (the bare function), `GET /api/me`
//!   and `POST /api/auth/login` (argon2: slow by design), with ratios;
//! * peak resident memory (VmHWM) of those function processes after the load;
//! * time from exec to the first answer of a freshly started function.

use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CONNECTIONS: u32 = 50;
const DURATION_S: u32 = 10;

struct WrkResult {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: String,
}

fn wrk(url: &str, script: Option<&Path>) -> Result<WrkResult> {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t2",
        &format!("-c{CONNECTIONS}"),
        &format!("-d{DURATION_S}s"),
        "--latency",
    ]);
    if let Some(script) = script {
        cmd.arg("-s").arg(script);
    }
    let out = cmd
        .arg(url)
        .output()
        .context("wrk (apt package wrk) runs")?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let value = |prefix: &str| -> Option<String> {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
    };
    let rps: f64 = value("Requests/sec:")
        .context(format!("wrk output: {text}"))?
        .parse()?;
    let ms = |v: String| -> Result<f64> {
        let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
        let n: f64 = num.parse()?;
        Ok(match unit {
            "us" => n / 1000.0,
            "ms" => n,
            "s" => n * 1000.0,
            "m" => n * 60000.0,
            _ => bail!("unknown unit in {v}"),
        })
    };
    let errors = text
        .lines()
        .filter(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ");
    Ok(WrkResult {
        rps,
        p50_ms: ms(value("50%").context("p50")?)?,
        p99_ms: ms(value("99%").context("p99")?)?,
        errors,
    })
}

/// Peak resident memory (kB) of the running process whose executable is `bin`.
fn peak_rss_kb(bin: &Path) -> Option<u64> {
    let bin = bin.canonicalize().ok()?;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let exe = entry.path().join("exe");
        if std::fs::read_link(&exe).ok().as_deref() == Some(bin.as_path()) {
            let status = std::fs::read_to_string(entry.path().join("status")).ok()?;
            return status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok());
        }
    }
    None
}

/// Starts `bin` on a free port and times exec → first complete answer to
/// `GET path` (with `cookie`), polling the port without sleeping.
fn time_to_first_answer(
    bin: &Path,
    env: &[(String, String)],
    path: &str,
    cookie: Option<&str>,
) -> Result<Duration> {
    use std::io::{Read, Write};
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let started = Instant::now();
    let mut child = Command::new(bin)
        .envs(env.iter().cloned())
        .env("PORT", port.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{}\r\n",
        cookie
            .map(|c| format!("Cookie: kmx_session={c}\r\n"))
            .unwrap_or_default()
    );
    let answer = loop {
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            bail!("{} did not answer within 10 s", bin.display());
        }
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
            std::thread::yield_now();
            continue;
        };
        stream.write_all(request.as_bytes())?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        break response;
    };
    let elapsed = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    if !answer.starts_with("HTTP/1.1 200") {
        bail!("{path} answered {}", answer.lines().next().unwrap_or(""));
    }
    Ok(elapsed)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// 1,000 concurrent debits on one account, then over 100 accounts, straight
/// through the ledger service (as the call pipeline uses it); checks the
/// final balances and reports debits per second.
async fn ledger_bench(database_url: &str) -> Result<String> {
    use shared::credits::{self, Kind, Movement};
    const DEBITS: usize = 1000;
    const SECONDS: i64 = 7;
    let config = shared::config::Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some(database_url.to_string()),
        "DATABASE_POOL_SIZE" => Some("32".into()),
        _ => None,
    })?;
    let app = std::sync::Arc::new(shared::app::App::new(config)?);
    let mut out = String::new();
    writeln!(out, "| ledger: {DEBITS} concurrent debits of {SECONDS} s (pool of 32) | debits/s | final balances |")?;
    writeln!(out, "|---|---|---|")?;
    for accounts in [1usize, 100] {
        let db = app.db.get().await?;
        let mut ids = Vec::new();
        for _ in 0..accounts {
            let id: uuid::Uuid = db
                .query_one(
                    "INSERT INTO accounts (business_name) VALUES ('Bench') RETURNING id",
                    &[],
                )
                .await?
                .get(0);
            credits::credit(
                &app,
                id,
                1_000_000,
                Movement::new(Kind::Purchase, 0, format!("bench-fund:{id}"), "bench funds"),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            ids.push(id);
        }
        drop(db);
        let started = Instant::now();
        let tasks: Vec<_> = (0..DEBITS)
            .map(|n| {
                let (app, account) = (app.clone(), ids[n % accounts]);
                tokio::spawn(async move {
                    credits::debit(
                        &app,
                        account,
                        SECONDS,
                        Movement::new(Kind::Call, 0, format!("bench:{account}:{n}"), "bench call"),
                    )
                    .await
                })
            })
            .collect();
        for t in tasks {
            t.await?.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let elapsed = started.elapsed();
        let db = app.db.get().await?;
        let mut exact = true;
        for (i, id) in ids.iter().enumerate() {
            let expected = 1_000_000
                - SECONDS * (DEBITS / accounts + usize::from(i < DEBITS % accounts)) as i64;
            let balance: i64 = db
                .query_one("SELECT balance_seconds FROM accounts WHERE id = $1", &[id])
                .await?
                .get(0);
            exact &= balance == expected;
        }
        anyhow::ensure!(exact, "final balances are not exact");
        writeln!(
            out,
            "| {} | {:.0} | exact |",
            if accounts == 1 {
                "one account".to_string()
            } else {
                format!("over {accounts} accounts")
            },
            DEBITS as f64 / elapsed.as_secs_f64()
        )?;
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut options = kmx::stack::StackOptions::ephemeral()?;
    options.release = true;
    options.build = false;
    options.frontend = false;
    options.rust_log = "warn".into();
    let bin_dir: PathBuf = options.bin_dir();
    let stack = kmx::stack::Stack::start(options).await?;
    let base = stack.base_url();
    eprintln!("bench: stack up at {base}");

    // An owner to sign in as.
    let http = reqwest::Client::new();
    let email = format!("bench-{}@bench.example.com", uuid::Uuid::new_v4().simple());
    let password = "bench-password-phrase";
    let signup = http
        .post(format!("{base}/api/auth/signup"))
        .json(
            &serde_json::json!({"email": email, "password": password, "business_name": "Bench Co"}),
        )
        .send()
        .await?;
    let cookie = signup
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("kmx_session="))
        .and_then(|v| v.split(';').next())
        .context("signup sets the session cookie")?
        .to_string();

    let scripts = std::env::temp_dir().join(format!("kmx-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scripts)?;
    let me_lua = scripts.join("me.lua");
    std::fs::write(
        &me_lua,
        format!("wrk.headers[\"Cookie\"] = \"kmx_session={cookie}\"\n"),
    )?;
    let login_lua = scripts.join("login.lua");
    std::fs::write(
        &login_lua,
        format!(
            "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = '{{\"email\":\"{email}\",\"password\":\"{password}\"}}'\n"
        ),
    )?;

    // Warm up every path once, then measure hello and the others in one run.
    let _ = wrk(&format!("{base}/api/hello"), None)?;
    let hello = wrk(&format!("{base}/api/hello"), None)?;
    let me = wrk(&format!("{base}/api/me"), Some(&me_lua))?;
    let login = wrk(&format!("{base}/api/auth/login"), Some(&login_lua))?;

    let mut report = String::new();
    writeln!(report, "| endpoint (through the gateway, {CONNECTIONS} connections, {DURATION_S} s) | requests/s | p50 ms | p99 ms | vs hello |")?;
    writeln!(report, "|---|---|---|---|---|")?;
    for (name, r) in [
        ("GET /api/hello (bare function)", &hello),
        ("GET /api/me", &me),
        ("POST /api/auth/login (argon2id)", &login),
    ] {
        writeln!(
            report,
            "| {name} | {:.0} | {:.2} | {:.2} | {:.0}% |{}",
            r.rps,
            r.p50_ms,
            r.p99_ms,
            100.0 * r.rps / hello.rps,
            if r.errors.is_empty() {
                String::new()
            } else {
                format!(" {}", r.errors)
            }
        )?;
    }
    writeln!(report)?;
    writeln!(report, "| function process | peak RSS after the load |")?;
    writeln!(report, "|---|---|")?;
    for name in ["hello", "me", "auth-login"] {
        let kb = peak_rss_kb(&bin_dir.join(name));
        writeln!(
            report,
            "| {name} | {} |",
            kb.map(|k| format!("{:.1} MB", k as f64 / 1024.0))
                .unwrap_or("?".into())
        )?;
    }

    let env = vec![
        ("DATABASE_URL".to_string(), stack.database_url().to_string()),
        ("KMX_PUBLIC_URL".to_string(), base.clone()),
    ];
    let mut hello_start = Vec::new();
    let mut me_start = Vec::new();
    for _ in 0..15 {
        hello_start.push(time_to_first_answer(
            &bin_dir.join("hello"),
            &env,
            "/api/hello",
            None,
        )?);
        me_start.push(time_to_first_answer(
            &bin_dir.join("me"),
            &env,
            "/api/me",
            Some(&cookie),
        )?);
    }
    writeln!(report)?;
    writeln!(report, "| exec → first answer (15 starts) | median | max |")?;
    writeln!(report, "|---|---|---|")?;
    for (name, v) in [
        ("hello", hello_start),
        ("me (incl. first DB connection)", me_start),
    ] {
        let max = *v.iter().max().unwrap();
        writeln!(
            report,
            "| {name} | {:.1} ms | {:.1} ms |",
            median(v).as_secs_f64() * 1000.0,
            max.as_secs_f64() * 1000.0
        )?;
    }

    writeln!(report)?;
    report.push_str(&ledger_bench(stack.database_url()).await?);

    println!("{report}");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("latest.md"), &report)?;
    let _ = std::fs::remove_dir_all(&scripts);
    drop(stack);
    Ok(())
}
