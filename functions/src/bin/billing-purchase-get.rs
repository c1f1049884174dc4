//! GET /api/billing/purchases/{id}: one of the account's purchases.
use shared::{billing, http::Reply, runtime};

fn main() {
    runtime::http("billing-purchase-get", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        Ok(Reply::ok(
            &billing::purchase(&ctx.app, account, req.uuid_param("id")?).await?,
        ))
    })
}
