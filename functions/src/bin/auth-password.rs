//! POST /api/auth/password: change the password (needs the current one);
//! signs out every other session.
use shared::{accounts, runtime};

fn main() {
    runtime::http("auth-password", |ctx, req| async move {
        let session = ctx.session()?;
        let client = accounts::ClientInfo::of(&req);
        let signed_in = accounts::change_password(&ctx.app, session, req.json()?, &client).await?;
        Ok(signed_in.reply(200, &ctx.app.config))
    })
}
