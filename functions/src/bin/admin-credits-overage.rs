//! PATCH /api/admin/accounts/{id}/credits/overage: override the allowed overage.
use shared::{credits, http::Reply, runtime};

fn main() {
    runtime::http("admin-credits-overage", |ctx, req| async move {
        Ok(Reply::ok(
            &credits::set_overage(&ctx.app, req.uuid_param("id")?, req.json()?).await?,
        ))
    })
}
