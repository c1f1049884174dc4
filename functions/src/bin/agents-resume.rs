//! POST /api/agents/{id}/resume: the agent answers calls again.
use shared::api::AgentStatus;
use shared::{agents, http::Reply, runtime};

fn main() {
    runtime::http("agents-resume", |ctx, req| async move {
        let account = ctx.session()?.account.id;
        let id = req.uuid_param("id")?;
        Ok(Reply::ok(
            &agents::set_status(&ctx.app, account, id, AgentStatus::Active).await?,
        ))
    })
}
