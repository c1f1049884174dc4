//! GET /api/admin/users/{id}: one user with their account and sessions.
use shared::{accounts, http::Reply, runtime};

fn main() {
    runtime::http("admin-users-get", |ctx, req| async move {
        Ok(Reply::ok(
            &accounts::admin_get_user(&ctx.app, req.uuid_param("id")?).await?,
        ))
    })
}
