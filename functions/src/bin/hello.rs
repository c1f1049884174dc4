//! GET /api/hello: the bare function the benchmarks compare against.
use shared::{api::Hello, http::Reply, runtime};

fn main() {
    runtime::http("hello", |_ctx, _req| async {
        Ok(Reply::ok(&Hello {
            hello: "world".into(),
        }))
    })
}
