//! POST /api/agents/{id}/number: take a number from the pool for the agent.
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("agents-number-take", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        let id = req.uuid_param("id")?;
        Ok(Reply::ok(
            &agents::take_number(&ctx.app, account, id, req.json()?).await?,
        ))
    })
}
