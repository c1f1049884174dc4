//! Vapi's REST API, as far as Kametrix uses it: phone numbers.

use crate::app::App;
use crate::error::{Error, Result};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// A Vapi phone number, as its API returns it.
#[derive(Debug, Clone, Deserialize)]
pub struct VapiNumber {
    pub id: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

fn http() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("HTTP client")
    })
}

async fn call(
    app: &App,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value> {
    let vapi = &app.config.vapi;
    let key = vapi
        .api_key
        .as_ref()
        .ok_or_else(|| Error::Unavailable("VAPI_API_KEY is not set".into()))?;
    let mut request = http()
        .request(method, format!("{}{path}", vapi.api_base))
        .bearer_auth(key.expose());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .map_err(|e| Error::Unavailable(format!("Vapi: {e}")))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| Error::Unavailable(format!("Vapi: {e}")))?;
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(body);
    }
    // NestJS errors: `message` is a string or a list of strings.
    let message = match &body["message"] {
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("; "),
        Value::String(s) => s.clone(),
        _ => text.chars().take(200).collect(),
    };
    tracing::warn!(%status, path, message, "Vapi refused a request");
    if status.as_u16() == 400 {
        Err(Error::BadRequest(format!("Vapi refused: {message}")))
    } else {
        Err(Error::Unavailable(format!(
            "Vapi answered {status}: {message}"
        )))
    }
}

/// Buys a free Vapi number in `area_code`, without an assistant, so that
/// Vapi asks our server URL with `assistant-request` for each call.
pub async fn create_number(app: &App, area_code: &str) -> Result<VapiNumber> {
    let mut server = json!({"url": app.config.vapi.server_url});
    if let Some(id) = &app.config.vapi.credential_id {
        server["credentialId"] = json!(id);
    }
    let body = call(
        app,
        reqwest::Method::POST,
        "phone-number",
        Some(json!({
            "provider": "vapi",
            "numberDesiredAreaCode": area_code,
            "name": "Kametrix pool",
            "server": server,
        })),
    )
    .await?;
    serde_json::from_value(body).map_err(|e| Error::internal_from("Vapi phone number", e))
}

pub async fn get_number(app: &App, vapi_id: &str) -> Result<VapiNumber> {
    let body = call(
        app,
        reqwest::Method::GET,
        &format!("phone-number/{vapi_id}"),
        None,
    )
    .await?;
    serde_json::from_value(body).map_err(|e| Error::internal_from("Vapi phone number", e))
}
