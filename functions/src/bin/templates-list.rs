//! GET /api/templates: agent templates, voices, tools and languages.
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("templates-list", |_ctx, _req| async move {
        Ok(Reply::ok(&agents::catalog()))
    })
}
