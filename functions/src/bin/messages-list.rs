//! GET /api/messages: the messages callers left.
use shared::{http::Reply, inbox, runtime};

fn main() {
    runtime::http("messages-list", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        Ok(Reply::ok(
            &inbox::list(&ctx.app, account, req.query_as()?).await?,
        ))
    })
}
