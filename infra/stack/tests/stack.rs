//! The whole stack through the library, as the end-to-end tests use it.

use kmx::net;
use kmx::stack::{Stack, StackOptions};
use std::time::Instant;

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(pid, 0) == 0 }
}

fn children_of(pid: u32) -> Vec<i32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        // pid (comm) state ppid …
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let ppid: u32 = after.split(' ').nth(1).unwrap().parse().unwrap();
        if ppid == pid {
            out.push(child);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ephemeral_stack_serves_the_api_through_the_gateway_and_cleans_up() {
    let t = Instant::now();
    // The binaries come from the workspace build that precedes the tests
    // (scripts/test.sh); a nested cargo build here would contend with it.
    let opts = StackOptions {
        build: false,
        ..StackOptions::ephemeral().unwrap()
    };
    let stack = Stack::start(opts).await.unwrap();
    eprintln!("{}", stack.banner());
    eprintln!("started in {:.2} s", t.elapsed().as_secs_f64());
    let gw = stack.options().gateway_port;

    let (status, body) = net::http_get(gw, "/api/hello").await.unwrap();
    assert_eq!(status, 200, "{body}");
    let (status, body) = net::http_get(gw, "/api/no-such-route").await.unwrap();
    assert_eq!(status, 404);
    assert!(body.contains(r#""code":"not_found""#), "{body}");
    let (status, _) = net::http_get(gw, "/some/client/route").await.unwrap();
    assert_eq!(status, 200, "the dashboard falls back to index.html");

    let mail = stack.mail_api_url();
    let mail_port: u16 = mail
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/api")
        .parse()
        .unwrap();
    let (status, body) = net::http_get(mail_port, "/api/messages").await.unwrap();
    assert_eq!((status, body.trim()), (200, "[]"));

    let sqs = kmx::queues::client(&stack.sqs_endpoint());
    let urls = sqs.list_queues().send().await.unwrap();
    let urls = urls.queue_urls();
    for q in &shared::manifest::Manifest::embedded().queues {
        for name in [format!("kmx-{}", q.name), format!("kmx-{}-dlq", q.name)] {
            assert!(
                urls.iter().any(|u| u.ends_with(&format!("/{name}"))),
                "{name} missing: {urls:?}"
            );
        }
    }
    assert!(stack
        .database_url()
        .starts_with("postgres://postgres@127.0.0.1:"));

    let data_dir = stack.data_dir().to_path_buf();
    let kids = children_of(std::process::id());
    assert!(kids.len() >= 5, "children: {kids:?}");
    let t = Instant::now();
    drop(stack);
    eprintln!("stopped in {:.2} s", t.elapsed().as_secs_f64());
    for k in kids {
        assert!(
            !alive(k) || std::fs::read_to_string(format!("/proc/{k}/stat")).is_err(),
            "pid {k} survived"
        );
    }
    assert!(!data_dir.exists(), "ephemeral data dir removed");
    assert!(!net::tcp_ok(gw).await, "gateway port closed");
}
