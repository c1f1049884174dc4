//! GET /api/admin/packs: every pack, inactive ones included.
use shared::{billing, http::Reply, runtime};

fn main() {
    runtime::http("admin-packs-list", |ctx, _req| async move {
        Ok(Reply::ok(&billing::all_packs(&ctx.app).await?))
    })
}
