//! POST /api/auth/forgot: email a reset link if the account exists; the
//! answer is the same either way.
use shared::{accounts, api::MessageResponse, http::Reply, runtime};

fn main() {
    runtime::http("auth-forgot", |ctx, req| async move {
        accounts::forgot_password(&ctx.app, req.json()?).await?;
        Ok(Reply::json(202, &MessageResponse {
            message: "If an account exists for that address, we have emailed a link to reset the password. It works for 1 hour.".into(),
        }))
    })
}
