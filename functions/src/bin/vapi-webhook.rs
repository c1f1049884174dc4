//! POST /api/webhooks/vapi: Vapi's server URL (assistant-request, tool-calls,
//! knowledge-base-request, status-update, end-of-call-report, hang, …).
use shared::{http::Reply, runtime, vapi};

fn main() {
    runtime::http("vapi-webhook", |ctx, req| async move {
        Ok(Reply::ok(
            &vapi::receive(&ctx.app, &req.headers, &req.body).await?,
        ))
    })
}
