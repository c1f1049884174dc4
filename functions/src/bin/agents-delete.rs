//! DELETE /api/agents/{id}: delete an agent (its history stays); its number returns to the pool.
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("agents-delete", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        agents::delete(&ctx.app, account, req.uuid_param("id")?).await?;
        Ok(Reply::no_content())
    })
}
