//! POST /api/admin/accounts/{id}/credits/adjust: an admin's signed
//! adjustment with a required reason.
use shared::{credits, http::Reply, runtime};

fn main() {
    runtime::http("admin-credits-adjust", |ctx, req| async move {
        let admin = ctx.session()?.user.id;
        let entry = credits::adjust(&ctx.app, admin, req.uuid_param("id")?, req.json()?).await?;
        Ok(Reply::json(201, &entry))
    })
}
