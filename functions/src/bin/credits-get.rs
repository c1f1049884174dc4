//! GET /api/credits: balance, state, grace deadline, recent signals.
use shared::{credits, http::Reply, runtime};

fn main() {
    runtime::http("credits-get", |ctx, _req| async move {
        Ok(Reply::ok(
            &credits::balance(&ctx.app, ctx.session()?.account.id).await?,
        ))
    })
}
