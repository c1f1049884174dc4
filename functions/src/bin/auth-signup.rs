//! POST /api/auth/signup: create an account and its owner, send the
//! verification email, sign in.
use shared::{accounts, runtime};

fn main() {
    runtime::http("auth-signup", |ctx, req| async move {
        let signed_in =
            accounts::signup(&ctx.app, req.json()?, &accounts::ClientInfo::of(&req)).await?;
        Ok(signed_in.reply(201, &ctx.app.config))
    })
}
