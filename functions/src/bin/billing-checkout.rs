//! POST /api/billing/checkout: start buying a pack through Stripe Checkout.
use shared::{billing, http::Reply, runtime};

fn main() {
    runtime::http("billing-checkout", |ctx, req| async move {
        let checkout = billing::checkout(&ctx.app, ctx.session()?, req.json()?).await?;
        Ok(Reply::json(201, &checkout))
    })
}
