//! POST /api/admin/numbers: provision numbers through Vapi into the pool.
use shared::{http::Reply, numbers, runtime};

fn main() {
    runtime::http("admin-numbers-provision", |ctx, req| async move {
        Ok(Reply::json(
            201,
            &numbers::provision(&ctx.app, req.json()?).await?,
        ))
    })
}
