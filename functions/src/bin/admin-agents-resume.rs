//! POST /api/admin/agents/{id}/resume: an admin resumes any agent.
use shared::api::AgentStatus;
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("admin-agents-resume", |ctx, req| async move {
        let id = req.uuid_param("id")?;
        Ok(Reply::ok(
            &agents::admin_set_status(&ctx.app, id, AgentStatus::Active).await?,
        ))
    })
}
