//! POST /api/admin/agents/{id}/pause: an admin pauses any agent.
use shared::api::AgentStatus;
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("admin-agents-pause", |ctx, req| async move {
        let id = req.uuid_param("id")?;
        Ok(Reply::ok(
            &agents::admin_set_status(&ctx.app, id, AgentStatus::Paused).await?,
        ))
    })
}
