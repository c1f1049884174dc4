//! POST /api/auth/reset: set a new password from an emailed link.
use shared::{accounts, api::MessageResponse, http::Reply, runtime};

fn main() {
    runtime::http("auth-reset", |ctx, req| async move {
        accounts::reset_password(&ctx.app, req.json()?).await?;
        Ok(Reply::ok(&MessageResponse {
            message: "Your password is changed. Sign in with your new password.".into(),
        }))
    })
}
