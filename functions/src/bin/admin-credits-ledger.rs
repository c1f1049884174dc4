//! GET /api/admin/accounts/{id}/ledger: any account's ledger.
use shared::{credits, http::Reply, runtime};

fn main() {
    runtime::http("admin-credits-ledger", |ctx, req| async move {
        let account = req.uuid_param("id")?;
        Ok(Reply::ok(
            &credits::ledger(&ctx.app, account, req.query_as()?).await?,
        ))
    })
}
