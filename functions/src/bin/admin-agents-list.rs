//! GET /api/admin/agents: every agent of every account.
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("admin-agents-list", |ctx, req| async move {
        Ok(Reply::ok(
            &agents::admin_list(&ctx.app, req.query_as()?).await?,
        ))
    })
}
