//! DELETE /api/agents/{id}/number: put the agent's number back in the pool.
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("agents-number-release", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        let id = req.uuid_param("id")?;
        Ok(Reply::ok(
            &agents::release_number(&ctx.app, account, id).await?,
        ))
    })
}
