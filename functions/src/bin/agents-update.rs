//! PATCH /api/agents/{id}: edit an agent and its business profile.
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("agents-update", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        let id = req.uuid_param("id")?;
        Ok(Reply::ok(
            &agents::update(&ctx.app, account, id, req.json()?).await?,
        ))
    })
}
