//! POST /api/agents/{id}/pause: calls are refused (or transferred) until resumed.
use shared::api::AgentStatus;
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("agents-pause", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        let id = req.uuid_param("id")?;
        Ok(Reply::ok(
            &agents::set_status(&ctx.app, account, id, AgentStatus::Paused).await?,
        ))
    })
}
