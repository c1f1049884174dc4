//! POST /api/agents: a new agent from a template (or blank).
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("agents-create", |ctx, req| async move {
        Ok(Reply::json(
            201,
            &agents::create(&ctx.app, &ctx.session()?.account, req.json()?).await?,
        ))
    })
}
