//! The stack's parts, each on its own: a PostgreSQL cluster that keeps its
//! data across restarts, moto with the manifest's queue shape (redrive to the
//! dead-letter queue), mailtutan receiving SMTP. Needs scripts/install-deps.sh.

use kmx::net;
use kmx::pg::Cluster;
use kmx::process::{LogMode, Logs, ProcSpec, Supervised};
use shared::manifest::QueueSpec;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let p =
            std::env::temp_dir().join(format!("kmx-test-{tag}-{}-{nanos:x}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

async fn until(
    what: &str,
    mut f: impl FnMut() -> std::pin::Pin<Box<dyn std::future::Future<Output = bool>>>,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !f().await {
        assert!(Instant::now() < deadline, "{what} not ready");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn postgres_cluster_is_created_once_and_keeps_its_data_across_restarts() {
    let dir = TempDir::new("pg");
    let logs = Logs::new(dir.0.join("logs"), LogMode::Files, 10);
    let cluster = Cluster::new(&dir.0, net::free_port().unwrap(), false).unwrap();

    let t = Instant::now();
    assert!(
        cluster.init(&logs).await.unwrap(),
        "first init creates the cluster"
    );
    let init = t.elapsed();
    assert!(!cluster.init(&logs).await.unwrap(), "second init keeps it");

    let t = Instant::now();
    let mut pg = cluster.spawn(&logs).unwrap();
    let c = cluster.clone();
    until("postgres", move || {
        let c = c.clone();
        Box::pin(async move { c.is_ready().await })
    })
    .await;
    let start = t.elapsed();
    eprintln!(
        "initdb {:.0} ms, start {:.0} ms",
        init.as_secs_f64() * 1e3,
        start.as_secs_f64() * 1e3
    );
    assert!(cluster.ensure_database("kametrix").await.unwrap());
    assert!(!cluster.ensure_database("kametrix").await.unwrap());
    let psql = |sql: &str| {
        let out = std::process::Command::new(cluster.bin.join("psql"))
            .args([
                "-X",
                "-tAq",
                "-v",
                "ON_ERROR_STOP=1",
                &cluster.url("kametrix"),
                "-c",
                sql,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    psql("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    let pid = pg.pid();
    pg.stop();
    assert!(!alive(pid), "postmaster stopped");
    assert!(!net::tcp_ok(cluster.port).await);

    let mut pg = cluster.spawn(&logs).unwrap();
    let c = cluster.clone();
    until("postgres again", move || {
        let c = c.clone();
        Box::pin(async move { c.is_ready().await })
    })
    .await;
    assert_eq!(psql("SELECT v FROM kept"), "still here");
    pg.stop();
}

#[tokio::test]
async fn moto_queues_redrive_to_the_dead_letter_queue_after_max_receives() {
    let dir = TempDir::new("sqs");
    let logs = Logs::new(dir.0.join("logs"), LogMode::Files, 10);
    let port = net::free_port().unwrap();
    let moto = kmx::repo_root().join(".venv/bin/moto_server");
    assert!(moto.exists(), "run scripts/install-deps.sh");
    let mut proc = Supervised::spawn(
        &ProcSpec::new("moto", moto).args(["-H", "127.0.0.1", "-p", &port.to_string()]),
        &logs,
    )
    .unwrap();
    until("moto", move || Box::pin(net::tcp_ok(port))).await;

    let client = kmx::queues::client(&format!("http://127.0.0.1:{port}"));
    let spec = QueueSpec {
        name: "work".into(),
        visibility_timeout: 7,
        max_receive_count: 2,
    };
    let queues = kmx::queues::ensure_queues(&client, std::slice::from_ref(&spec), "t-")
        .await
        .unwrap();
    // Idempotent.
    let again = kmx::queues::ensure_queues(&client, std::slice::from_ref(&spec), "t-")
        .await
        .unwrap();
    assert_eq!(queues, again);
    let q = &queues[0];
    assert_eq!(q.sqs_name, "t-work");
    assert!(q.dlq_url.ends_with("/t-work-dlq"), "{}", q.dlq_url);

    let attrs = client
        .get_queue_attributes()
        .queue_url(&q.url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let attrs = attrs.attributes().unwrap();
    use aws_sdk_sqs::types::QueueAttributeName as A;
    assert_eq!(
        attrs.get(&A::VisibilityTimeout).map(String::as_str),
        Some("7")
    );
    let redrive: serde_json::Value =
        serde_json::from_str(attrs.get(&A::RedrivePolicy).unwrap()).unwrap();
    assert_eq!(redrive["deadLetterTargetArn"], q.dlq_arn.as_str());
    assert_eq!(
        redrive["maxReceiveCount"].to_string().trim_matches('"'),
        "2"
    );

    client
        .send_message()
        .queue_url(&q.url)
        .message_body("poison")
        .send()
        .await
        .unwrap();
    let mut receives = 0;
    for _ in 0..5 {
        let got = client
            .receive_message()
            .queue_url(&q.url)
            .visibility_timeout(0)
            .max_number_of_messages(1)
            .send()
            .await
            .unwrap();
        receives += got.messages().len();
    }
    assert_eq!(
        receives, 2,
        "received exactly maxReceiveCount times, never deleted"
    );
    let dead = client
        .receive_message()
        .queue_url(&q.dlq_url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    assert_eq!(dead.messages().len(), 1);
    assert_eq!(dead.messages()[0].body(), Some("poison"));
    proc.stop();
}

#[tokio::test]
async fn mailtutan_receives_smtp_and_lists_it_over_its_rest_api() {
    let dir = TempDir::new("mail");
    let logs = Logs::new(dir.0.join("logs"), LogMode::Files, 10);
    let (smtp, http) = (net::free_port().unwrap(), net::free_port().unwrap());
    let bin = kmx::repo_root().join(".tools/bin/mailtutan");
    assert!(bin.exists(), "run scripts/install-deps.sh");
    let mut proc = Supervised::spawn(
        &ProcSpec::new("mailtutan", bin).args([
            "--ip",
            "127.0.0.1",
            "--smtp-port",
            &smtp.to_string(),
            "--http-port",
            &http.to_string(),
        ]),
        &logs,
    )
    .unwrap();
    until("mailtutan smtp", move || Box::pin(net::tcp_ok(smtp))).await;
    until("mailtutan http", move || Box::pin(net::tcp_ok(http))).await;

    let stream = tokio::net::TcpStream::connect(net::addr(smtp))
        .await
        .unwrap();
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    let mut line = String::new();
    let mut expect = async |code: &str| loop {
        line.clear();
        r.read_line(&mut line).await.unwrap();
        assert!(line.starts_with(code), "wanted {code}, got {line:?}");
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    };
    expect("220").await;
    for (cmd, code) in [
        ("EHLO test\r\n", "250"),
        ("MAIL FROM:<no-reply@kametrix.local>\r\n", "250"),
        ("RCPT TO:<owner@example.com>\r\n", "250"),
        ("DATA\r\n", "354"),
        ("Subject: Welcome to Kametrix\r\nFrom: Kametrix <no-reply@kametrix.local>\r\nTo: Owner <owner@example.com>\r\n\r\nHello.\r\n.\r\n", "250"),
        ("QUIT\r\n", "221"),
    ] {
        w.write_all(cmd.as_bytes()).await.unwrap();
        expect(code).await;
    }
    // mailtutan 0.3.0 drops the session of a message whose From has no display
    // name (it panics parsing it): the stack always sends `Kametrix <…>`.
    let (status, body) = net::http_get(http, "/api/messages").await.unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("Welcome to Kametrix"), "{body}");
    proc.stop();
}
