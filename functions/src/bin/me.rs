//! GET /api/me: the signed-in user, their account and the CSRF token.
use shared::{http::Reply, runtime};

fn main() {
    runtime::http("me", |ctx, _req| async move {
        Ok(Reply::ok(&ctx.session()?.me()))
    })
}
