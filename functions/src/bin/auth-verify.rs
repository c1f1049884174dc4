//! POST /api/auth/verify: confirm the email address from an emailed link.
use shared::{accounts, http::Reply, runtime};

fn main() {
    runtime::http("auth-verify", |ctx, req| async move {
        Ok(Reply::ok(
            &accounts::verify_email(&ctx.app, req.json()?).await?,
        ))
    })
}
