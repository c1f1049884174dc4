//! GET /api/calls: the account's call history.
use shared::{calls, http::Reply, runtime};

fn main() {
    runtime::http("calls-list", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        Ok(Reply::ok(
            &calls::list(&ctx.app, account, req.query_as()?).await?,
        ))
    })
}
