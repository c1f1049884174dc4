//! GET /api/admin/accounts/{id}/credits: any account's balance and state.
use shared::{credits, http::Reply, runtime};

fn main() {
    runtime::http("admin-credits-get", |ctx, req| async move {
        Ok(Reply::ok(
            &credits::balance(&ctx.app, req.uuid_param("id")?).await?,
        ))
    })
}
