//! POST /api/webhooks/stripe: store once and apply a Stripe event. The
//! runtime has verified its `Stripe-Signature` before this runs.
use shared::{billing, http::Reply, runtime};

fn main() {
    runtime::http("stripe-webhook", |ctx, req| async move {
        Ok(Reply::ok(
            &billing::handle_webhook(&ctx.app, req.signed_body()?).await?,
        ))
    })
}
