//! POST /api/auth/logout: revoke this session and clear its cookie.
use shared::http::{header, Reply};
use shared::{accounts, runtime};

fn main() {
    runtime::http("auth-logout", |ctx, _req| async move {
        accounts::logout(&ctx.app, ctx.session()?).await?;
        let clear = accounts::sessions::clear_cookie(&ctx.app.config);
        Ok(Reply::no_content().with_header(header::SET_COOKIE, &clear))
    })
}
