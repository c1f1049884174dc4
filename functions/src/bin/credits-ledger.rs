//! GET /api/credits/ledger: the account's ledger, newest first.
use shared::{credits, http::Reply, runtime};

fn main() {
    runtime::http("credits-ledger", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        Ok(Reply::ok(
            &credits::ledger(&ctx.app, account, req.query_as()?).await?,
        ))
    })
}
