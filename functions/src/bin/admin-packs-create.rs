//! POST /api/admin/packs: a new credit pack.
use shared::{billing, http::Reply, runtime};

fn main() {
    runtime::http("admin-packs-create", |ctx, req| async move {
        Ok(Reply::json(
            201,
            &billing::create_pack(&ctx.app, req.json()?).await?,
        ))
    })
}
