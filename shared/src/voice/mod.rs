//! The voice pipeline: the Vapi webhook (`POST /api/webhooks/vapi`, Vapi's
//! server URL), the assistant built for each call, and the catalog of what
//! an agent can be. The webhook answers fast and from PostgreSQL alone: no
//! call to another service on any of its paths.
//!
//! * `assistant-request`: number → agent → account standing → the assistant
//!   (or a spoken refusal / a transfer to the fallback number).
//! * `tool-calls` (and the legacy `function-call`): dispatched by name to
//!   [`crate::tools`]; always HTTP 200, one single-line result per call.
//! * `knowledge-base-request`: documents from the agent's knowledge search.
//! * `transfer-destination-request`: the agent's fallback number.
//! * `status-update`, `end-of-call-report`, `hang`: the call's history and
//!   billing ([`crate::calls`]).
//! * anything else: 200 and ignored.

pub mod assistant;
pub mod catalog;
mod routing;
mod tool_calls;

pub use crate::api::Refusal;
pub use catalog::catalog;
pub use routing::answer_for;

use crate::app::App;
use crate::calls;
use crate::error::{Error, Result};
use crate::http::{HeaderMap, Signed};
use crate::vapi::auth;
use crate::vapi::message::Envelope;
use chrono::Utc;
use serde_json::{json, Value};

/// Verifies, parses and answers one server message.
pub async fn receive(app: &App, headers: &HeaderMap, body: &[u8]) -> Result<Value> {
    handle(
        app,
        auth::verify(&app.config.vapi, headers, body, Utc::now().timestamp())?,
    )
    .await
}

/// Parses and answers one server message whose sender was verified.
pub async fn handle(app: &App, body: Signed<'_>) -> Result<Value> {
    let envelope: Envelope = serde_json::from_slice(body.body())
        .map_err(|e| Error::MalformedJson(format!("not a Vapi server message: {e}")))?;
    let m = envelope.message;
    Ok(match m.kind.as_str() {
        // A non-2xx answer here is heard by the caller as a server error:
        // whatever fails, answer a spoken apology instead.
        "assistant-request" => routing::assistant_request(app, &m).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "assistant-request failed; the caller hears an apology");
            json!({"error": "Sorry, we cannot take your call right now. Please try again in a few minutes. Goodbye."})
        }),
        "tool-calls" => tool_calls::tool_calls(app, &m).await,
        "function-call" => tool_calls::function_call(app, &m).await,
        "knowledge-base-request" => tool_calls::knowledge_base(app, &m).await?,
        "transfer-destination-request" => tool_calls::transfer_destination(app, &m).await?,
        "status-update" => {
            calls::status_update(app, &m).await?;
            json!({})
        }
        "end-of-call-report" => {
            calls::end_of_call_report(app, &m).await?;
            json!({})
        }
        "hang" => {
            calls::hang(app, &m).await?;
            json!({})
        }
        other => {
            tracing::debug!(kind = other, "Vapi message ignored");
            json!({})
        }
    })
}
