//! PATCH /api/admin/packs/{id}: change a pack (name, size, price, active, order).
use shared::{billing, http::Reply, runtime};

fn main() {
    runtime::http("admin-packs-update", |ctx, req| async move {
        Ok(Reply::ok(
            &billing::update_pack(&ctx.app, req.uuid_param("id")?, req.json()?).await?,
        ))
    })
}
