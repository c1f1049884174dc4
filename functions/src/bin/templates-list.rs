//! GET /api/templates: agent templates, voices, tools and languages.
use shared::{http::Reply, runtime, voice};

fn main() {
    runtime::http("templates-list", |_ctx, _req| async move {
        Ok(Reply::ok(&voice::catalog()))
    })
}
