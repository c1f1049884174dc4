//! POST /api/auth/login: sign in with email and password (throttled).
use shared::{accounts, runtime};

fn main() {
    runtime::http("auth-login", |ctx, req| async move {
        let signed_in =
            accounts::login(&ctx.app, req.json()?, &accounts::ClientInfo::of(&req)).await?;
        Ok(signed_in.reply(200, &ctx.app.config))
    })
}
