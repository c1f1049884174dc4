//! GET /api/billing/packs: the credit packs on sale.
use shared::{billing, http::Reply, runtime};

fn main() {
    runtime::http("billing-packs", |ctx, _req| async move {
        Ok(Reply::ok(&billing::active_packs(&ctx.app).await?))
    })
}
