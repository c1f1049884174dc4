//! GET /api/admin/numbers: the number pool.
use shared::{http::Reply, numbers, runtime};

fn main() {
    runtime::http("admin-numbers-list", |ctx, _req| async move {
        Ok(Reply::ok(&numbers::pool(&ctx.app).await?))
    })
}
