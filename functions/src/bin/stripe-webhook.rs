//! POST /api/webhooks/stripe: verify, store once and apply a Stripe event.
use shared::{billing, http::Reply, runtime};

fn main() {
    runtime::http("stripe-webhook", |ctx, req| async move {
        let signature = req.header("stripe-signature");
        Ok(Reply::ok(
            &billing::receive_webhook(&ctx.app, signature, &req.body).await?,
        ))
    })
}
