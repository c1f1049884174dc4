//! POST /api/auth/verify/resend: email a fresh verification link.
use shared::{accounts, api::MessageResponse, http::Reply, runtime};

fn main() {
    runtime::http("auth-verify-resend", |ctx, _req| async move {
        let message = accounts::resend_verification(&ctx.app, ctx.session()?).await?;
        Ok(Reply::json(202, &MessageResponse { message }))
    })
}
