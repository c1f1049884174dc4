//! POST /api/webhooks/vapi: Vapi's server URL (assistant-request, tool-calls,
//! knowledge-base-request, status-update, end-of-call-report, hang, …).
//! The runtime has verified Vapi's credential before this runs.
use shared::{http::Reply, runtime, voice};

fn main() {
    runtime::http("vapi-webhook", |ctx, req| async move {
        Ok(Reply::ok(
            &voice::handle(&ctx.app, req.signed_body()?).await?,
        ))
    })
}
