//! POST /api/messages/{id}/handled: mark a message handled.
use shared::{http::Reply, inbox, runtime};

fn main() {
    runtime::http("messages-handle", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        Ok(Reply::ok(
            &inbox::mark_handled(&ctx.app, account, req.uuid_param("id")?).await?,
        ))
    })
}
