//! GET /api/calls/{id}: one call with its conversation.
use shared::{calls, http::Reply, runtime};

fn main() {
    runtime::http("calls-get", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        Ok(Reply::ok(
            &calls::get(&ctx.app, account, req.uuid_param("id")?).await?,
        ))
    })
}
