//! GET /api/agents/{id}: one of the account's agents.
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("agents-get", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        Ok(Reply::ok(
            &agents::get(&ctx.app, account, req.uuid_param("id")?).await?,
        ))
    })
}
