//! GET /api/admin/users: every user, searchable by email, paginated.
use shared::{accounts, http::Reply, runtime};

fn main() {
    runtime::http("admin-users-list", |ctx, req| async move {
        Ok(Reply::ok(
            &accounts::admin_list_users(&ctx.app, req.query_as()?).await?,
        ))
    })
}
