//! GET /api/agents: the account's agents.
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("agents-list", |ctx, _req| async move {
        let account = ctx.session()?.account.id;
        Ok(Reply::ok(&agents::list(&ctx.app, account).await?))
    })
}
