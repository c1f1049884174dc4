//! `make bench`: the gateway and function benchmarks. Not a test: it prints
//! figures (and writes them to target/bench/latest.md) for the README.
//!
//! * requests/s and p50/p99 latency at 50 concurrent clients (wrk) through
//!   the gateway for `GET /api/hello` (the bare function), `GET /api/me`
//!   and `POST /api/auth/login` (argon2: slow by design), with ratios;
//! * peak resident memory (VmHWM) of those function processes after the load;
//! * time from exec to the first answer of a freshly started function;
//! * the Vapi webhook: `assistant-request` and `tool-calls`
//!   (`lookup_business_info`) with the reference's bodies (a long transcript
//!   in `artifact`), at 50 clients (wrk) and at a fixed 500 requests/s
//!   (open loop, latency counted from each request's scheduled time).

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
    use shared::api::{AccountId, LedgerKind};
    use shared::credits::{self, Movement};
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
            let id: AccountId = db
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
                Movement::new(
                    LedgerKind::Purchase,
                    0,
                    format!("bench-fund:{id}"),
                    "bench funds",
                ),
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
                        Movement::new(
                            LedgerKind::Call,
                            0,
                            format!("bench:{account}:{n}"),
                            "bench call",
                        ),
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

/// Latencies at a fixed rate: one request every `1/rate` s for `seconds`,
/// each on its own task, timed from when it was due (so a stall counts
/// against every request it delays). `body(n)` makes request n's body.
async fn fixed_rate(
    url: &str,
    headers: &[(&str, String)],
    body: impl Fn(usize) -> Option<String>,
    rate: u32,
    seconds: u32,
) -> Result<(f64, f64, usize)> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let total = (rate * seconds) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for n in 0..total {
        let due = start + interval * n as u32;
        tokio::time::sleep_until(due).await;
        let mut request = match body(n) {
            Some(b) => client.post(url).body(b),
            None => client.get(url),
        };
        for (k, v) in headers {
            request = request.header(*k, v);
        }
        tasks.push(tokio::spawn(async move {
            let ok = match request.send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            };
            (due.elapsed(), ok)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut failed = 0;
    for t in tasks {
        let (latency, ok) = t.await?;
        failed += usize::from(!ok);
        latencies.push(latency);
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    Ok((
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        failed,
    ))
}

/// An agent with a full profile and a pool number, for the webhook bench;
/// returns the number's Vapi id.
async fn voice_setup(base: &str, cookie: &str, database_url: &str) -> Result<String> {
    let http = reqwest::Client::new();
    let seed = kmx::ops::Seed::from_env();
    let admin = http
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({"email": seed.admin_email, "password": seed.admin_password}))
        .send()
        .await?;
    let admin_cookie = admin
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("kmx_session="))
        .and_then(|v| v.split(';').next())
        .context("admin login")?
        .to_string();
    let admin_csrf = admin.json::<serde_json::Value>().await?["csrf_token"]
        .as_str()
        .context("admin csrf")?
        .to_string();
    let provisioned = http
        .post(format!("{base}/api/admin/numbers"))
        .header("cookie", format!("kmx_session={admin_cookie}"))
        .header("x-csrf-token", admin_csrf)
        .json(&serde_json::json!({"count": 1}))
        .send()
        .await?;
    anyhow::ensure!(
        provisioned.status() == 201,
        "provision: {}",
        provisioned.text().await?
    );
    let me: serde_json::Value = http
        .get(format!("{base}/api/me"))
        .header("cookie", format!("kmx_session={cookie}"))
        .send()
        .await?
        .json()
        .await?;
    let csrf = me["csrf_token"].as_str().context("csrf")?.to_string();
    let faqs: Vec<serde_json::Value> = (0..20)
        .map(|i| serde_json::json!({"question": format!("Question number {i} about topic {i}?"), "answer": format!("Answer {i}: a sentence of a realistic length for an FAQ answer.")}))
        .chain([serde_json::json!({"question": "Do you have parking?", "answer": "Yes, free parking behind the shop."})])
        .collect();
    let agent: serde_json::Value = http
        .post(format!("{base}/api/agents"))
        .header("cookie", format!("kmx_session={cookie}"))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"template": "support", "profile": {
            "business_name": "Bench Plumbing", "description": "Plumbers.", "timezone": "America/New_York",
            "hours": [{"day": "mon", "open": "08:00", "close": "17:00"}, {"day": "sat", "open": "09:00", "close": "12:00"}],
            "services": [{"name": "Drain cleaning", "duration_minutes": 60, "price": "from $120", "description": "Blocked drains."}],
            "faqs": faqs}}))
        .send()
        .await?
        .json()
        .await?;
    let id = agent["id"].as_str().context("agent created")?;
    let taken = http
        .post(format!("{base}/api/agents/{id}/number"))
        .header("cookie", format!("kmx_session={cookie}"))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({}))
        .send()
        .await?;
    anyhow::ensure!(
        taken.status() == 200,
        "take number: {}",
        taken.text().await?
    );
    let (db, connection) = tokio_postgres::connect(database_url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(db
        .query_one(
            "SELECT vapi_id FROM phone_numbers WHERE agent_id IS NOT NULL",
            &[],
        )
        .await?
        .get(0))
}

/// The reference's assistant-request for call `CALL_ID` (replaced per request).
fn assistant_request_body(number: &str) -> String {
    serde_json::json!({"message": {
        "type": "assistant-request", "timestamp": 1767268800123u64,
        "call": {"id": "CALL_ID", "orgId": "6a3e5c1d-2b4f-4e8a-9c7d-0f1e2d3c4b5a",
            "type": "inboundPhoneCall", "status": "ringing", "phoneCallProvider": "vapi", "phoneCallTransport": "pstn",
            "phoneCallProviderId": "CA5f8e", "phoneNumberId": number, "customer": {"number": "+14155550123"},
            "createdAt": "2026-01-01T12:00:00.000Z", "updatedAt": "2026-01-01T12:00:00.000Z"},
        "phoneNumber": {"id": number, "orgId": "6a3e5c1d-2b4f-4e8a-9c7d-0f1e2d3c4b5a", "provider": "vapi",
            "number": "+14155550199", "name": "Acme Plumbing main line", "status": "active",
            "server": {"url": "https://api.kametrix.example/vapi/webhook", "timeoutSeconds": 20},
            "createdAt": "2025-12-01T00:00:00.000Z", "updatedAt": "2025-12-01T00:00:00.000Z"},
        "customer": {"number": "+14155550123"}
    }})
    .to_string()
}

/// The reference's tool-calls with a long transcript (200 turns) in `artifact`.
fn tool_calls_body(number: &str) -> String {
    let call = serde_json::json!({"id": "call_Xq1YbT7kLm2", "type": "function",
        "function": {"name": "lookup_business_info", "arguments": {"query": "Do you have parking?"}}});
    let messages: Vec<serde_json::Value> = (0..200)
        .map(|i| serde_json::json!({"role": if i % 2 == 0 { "bot" } else { "user" },
            "message": format!("Turn {i}: a sentence of the conversation of a realistic length, said on the phone."),
            "time": 1767268801900u64 + i * 2000, "endTime": 1767268803900u64 + i * 2000,
            "secondsFromStart": i as f64 * 2.0, "duration": 2000}))
        .collect();
    serde_json::json!({"message": {
        "type": "tool-calls", "timestamp": 1767268861500u64,
        "toolCalls": [call], "toolCallList": [call],
        "toolWithToolCallList": [{"type": "function", "async": false,
            "function": {"name": "lookup_business_info", "description": "Look up facts",
                "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}},
            "server": {"url": "https://api.kametrix.example/vapi/tools"}, "messages": [], "toolCall": call}],
        "artifact": {"messages": messages},
        "call": {"id": "CALL_ID", "type": "inboundPhoneCall", "status": "in-progress", "phoneNumberId": number,
            "customer": {"number": "+14155550123"}},
        "phoneNumber": {"id": number, "number": "+14155550199"}, "customer": {"number": "+14155550123"},
        "assistant": {"name": "Acme receptionist"}
    }})
    .to_string()
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

    // ------------------------------------------------------ the Vapi webhook
    let number = voice_setup(&base, &cookie, stack.database_url()).await?;
    let secret = kmx::stack::SANDBOX_VAPI_WEBHOOK_SECRET;
    let webhook = format!("{base}/api/webhooks/vapi");
    let mut voice = Vec::new();
    for (name, body) in [
        (
            "POST /api/webhooks/vapi assistant-request",
            assistant_request_body(&number),
        ),
        (
            "POST /api/webhooks/vapi tool-calls (lookup_business_info, 200-turn artifact)",
            tool_calls_body(&number),
        ),
    ] {
        let body_file = scripts.join("body.json");
        std::fs::write(&body_file, &body)?;
        let lua = scripts.join("vapi.lua");
        std::fs::write(
            &lua,
            format!(
                "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"X-Vapi-Secret\"] = \"{secret}\"\nlocal f = io.open(\"{}\")\nlocal template = f:read(\"*a\")\nf:close()\nlocal n = 0\ninit = function(args)\n  math.randomseed(tonumber(tostring({{}}):match(\"0x(%x+)\") or \"1\", 16) % 2147483647)\nend\nrequest = function()\n  n = n + 1\n  local body = template:gsub(\"CALL_ID\", \"bench-\" .. tostring(math.random(1, 1000000000)) .. \"-\" .. n)\n  return wrk.format(nil, nil, nil, body)\nend\n",
                body_file.display()
            ),
        )?;
        let _ = wrk(&webhook, Some(&lua))?;
        let at_max = wrk(&webhook, Some(&lua))?;
        let headers = [
            ("content-type", "application/json".to_string()),
            ("x-vapi-secret", secret.to_string()),
        ];
        let at_500 = fixed_rate(
            &webhook,
            &headers,
            |n| {
                Some(body.replace(
                    "CALL_ID",
                    &format!("fixed-{n}-{}", uuid::Uuid::new_v4().simple()),
                ))
            },
            500,
            DURATION_S,
        )
        .await?;
        voice.push((name, body.len(), at_max, at_500));
    }
    let hello_500 =
        fixed_rate(&format!("{base}/api/hello"), &[], |_| None, 500, DURATION_S).await?;
    writeln!(report)?;
    writeln!(report, "| Vapi webhook (through the gateway) | body | requests/s at {CONNECTIONS} clients | vs hello | p50 / p99 ms at 500 req/s | failed |")?;
    writeln!(report, "|---|---|---|---|---|---|")?;
    writeln!(
        report,
        "| GET /api/hello (bare function) | 0 KB | {:.0} | 100% | {:.2} / {:.2} | {} |",
        hello.rps, hello_500.0, hello_500.1, hello_500.2
    )?;
    for (name, size, max, fixed) in &voice {
        writeln!(
            report,
            "| {name} | {:.1} KB | {:.0} | {:.0}% | {:.2} / {:.2} | {}{} |",
            *size as f64 / 1024.0,
            max.rps,
            100.0 * max.rps / hello.rps,
            fixed.0,
            fixed.1,
            fixed.2,
            if max.errors.is_empty() {
                String::new()
            } else {
                format!(" (wrk: {})", max.errors)
            }
        )?;
    }
    writeln!(
        report,
        "\n| vapi-webhook process | peak RSS after the load |\n|---|---|\n| vapi-webhook | {} |",
        peak_rss_kb(&bin_dir.join("vapi-webhook"))
            .map(|k| format!("{:.1} MB", k as f64 / 1024.0))
            .unwrap_or("?".into())
    )?;

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
