//! Request validation in Vapi's (NestJS class-validator) style: a list of
//! messages such as `"property foo should not exist"`; empty means valid.

use serde_json::{Map, Value};

/// Top-level properties of `CreateAssistantDTO` (plus `silenceTimeoutSeconds`,
/// still documented and accepted).
pub const ASSISTANT_KEYS: &[&str] = &[
    "name",
    "transcriber",
    "model",
    "voice",
    "firstMessage",
    "firstMessageInterruptionsEnabled",
    "firstMessageMode",
    "voicemailDetection",
    "clientMessages",
    "serverMessages",
    "maxDurationSeconds",
    "silenceTimeoutSeconds",
    "backgroundSound",
    "backgroundDenoisingEnabled",
    "backgroundSpeechDenoisingPlan",
    "modelOutputInMessagesEnabled",
    "transportConfigurations",
    "observabilityPlan",
    "credentials",
    "credentialIds",
    "hooks",
    "voicemailMessage",
    "endCallMessage",
    "endCallPhrases",
    "compliancePlan",
    "metadata",
    "analysisPlan",
    "artifactPlan",
    "messagePlan",
    "startSpeakingPlan",
    "stopSpeakingPlan",
    "monitorPlan",
    "keypadInputPlan",
    "server",
];

const TOOL_TYPES: &[&str] = &[
    "function",
    "endCall",
    "transferCall",
    "dtmf",
    "query",
    "apiRequest",
    "ghl",
    "make",
    "handoff",
    "output",
    "bash",
    "computer",
    "textEditor",
    "sms",
    "google.calendar.event.create",
    "google.calendar.availability.check",
    "google.sheets.row.append",
    "slack.message.send",
    "mcp",
];

const PROVIDERS: &str = "byo-phone-number, twilio, vonage, vapi, telnyx";

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn whitelist(body: &Map<String, Value>, allowed: &[&str], out: &mut Vec<String>) {
    for k in body.keys() {
        if !allowed.contains(&k.as_str()) {
            out.push(format!("property {k} should not exist"));
        }
    }
}

/// Adds `"{key} {must}"` when `key` is present and fails `ok`.
fn opt_check(
    body: &Map<String, Value>,
    key: &str,
    ok: fn(&Value) -> bool,
    must: &str,
    out: &mut Vec<String>,
) {
    if body.get(key).is_some_and(|v| !ok(v)) {
        out.push(format!("{key} {must}"));
    }
}

fn opt_string(body: &Map<String, Value>, key: &str, out: &mut Vec<String>) {
    opt_check(body, key, Value::is_string, "must be a string", out);
}

fn opt_object(body: &Map<String, Value>, key: &str, out: &mut Vec<String>) {
    opt_check(body, key, Value::is_object, "must be an object", out);
}

fn opt_bool(body: &Map<String, Value>, key: &str, out: &mut Vec<String>) {
    opt_check(body, key, Value::is_boolean, "must be a boolean value", out);
}

fn opt_string_array(body: &Map<String, Value>, key: &str, out: &mut Vec<String>) {
    match body.get(key) {
        None => {}
        Some(Value::Array(items)) if items.iter().any(|i| !i.is_string()) => {
            out.push(format!("each value in {key} must be a string"));
        }
        Some(Value::Array(_)) => {}
        Some(_) => out.push(format!("{key} must be an array")),
    }
}

fn is_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"));
    matches!(rest, Some(r) if !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

/// A `Server` object: `url` (http/https), `timeoutSeconds` 1–300, `headers`.
fn server(body: &Map<String, Value>, key: &str, out: &mut Vec<String>) {
    let Some(v) = body.get(key) else { return };
    let Some(s) = v.as_object() else {
        out.push(format!("{key} must be an object"));
        return;
    };
    match s.get("url") {
        None => {}
        Some(Value::String(u)) if is_url(u) => {}
        Some(_) => out.push(format!("{key}.url must be a URL address")),
    }
    if let Some(t) = s.get("timeoutSeconds") {
        match t.as_f64() {
            Some(n) if n < 1.0 => out.push(format!("{key}.timeoutSeconds must not be less than 1")),
            Some(n) if n > 300.0 => {
                out.push(format!("{key}.timeoutSeconds must not be greater than 300"))
            }
            Some(_) => {}
            None => out.push(format!(
                "{key}.timeoutSeconds must be a number conforming to the specified constraints"
            )),
        }
    }
    if let Some(h) = s.get("headers") {
        if !h.is_object() {
            out.push(format!("{key}.headers must be an object"));
        }
    }
}

pub fn function_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The `function` object of a function tool, under `path`.
fn function(f: &Value, path: &str, required: bool, out: &mut Vec<String>) {
    let Some(f) = f.as_object() else {
        out.push(format!("{path} must be an object"));
        return;
    };
    match f.get("name") {
        Some(Value::String(n)) if function_name_ok(n) => {}
        Some(Value::String(_)) => out.push(format!(
            "{path}.name must match /^[a-zA-Z0-9_-]{{1,64}}$/ regular expression"
        )),
        Some(v) => out.push(format!(
            "{path}.name must be a string, not {}",
            type_name(v)
        )),
        None if required => out.push(format!("{path}.name must be a string")),
        None => {}
    }
    if let Some(d) = f.get("description") {
        if !d.is_string() {
            out.push(format!("{path}.description must be a string"));
        }
    }
    if let Some(p) = f.get("parameters") {
        if !p.is_object() {
            out.push(format!("{path}.parameters must be an object"));
        }
    }
}

/// An assistant (POST body, PATCH body with `partial`, or the `assistant`
/// of an assistant-request answer).
pub fn assistant(body: &Map<String, Value>, partial: bool) -> Vec<String> {
    let _ = partial; // every assistant property is optional
    let mut out = Vec::new();
    whitelist(body, ASSISTANT_KEYS, &mut out);
    if let Some(n) = body.get("name") {
        match n.as_str() {
            Some(s) if s.chars().count() > 40 => {
                out.push("name must be shorter than or equal to 40 characters".into())
            }
            Some(_) => {}
            None => out.push("name must be a string".into()),
        }
    }
    for k in ["firstMessage", "endCallMessage", "voicemailMessage"] {
        opt_string(body, k, &mut out);
    }
    if let Some(m) = body.get("firstMessageMode") {
        let ok = [
            "assistant-speaks-first",
            "assistant-speaks-first-with-model-generated-message",
            "assistant-waits-for-user",
        ];
        if !m.as_str().is_some_and(|m| ok.contains(&m)) {
            out.push(format!(
                "firstMessageMode must be one of the following values: {}",
                ok.join(", ")
            ));
        }
    }
    for k in ["serverMessages", "clientMessages", "endCallPhrases"] {
        opt_string_array(body, k, &mut out);
    }
    if let Some(d) = body.get("maxDurationSeconds") {
        match d.as_f64() {
            Some(n) if n < 10.0 => out.push("maxDurationSeconds must not be less than 10".into()),
            Some(n) if n > 43200.0 => {
                out.push("maxDurationSeconds must not be greater than 43200".into())
            }
            Some(_) => {}
            None => out.push(
                "maxDurationSeconds must be a number conforming to the specified constraints"
                    .into(),
            ),
        }
    }
    for k in [
        "transcriber",
        "voice",
        "analysisPlan",
        "artifactPlan",
        "metadata",
        "messagePlan",
    ] {
        opt_object(body, k, &mut out);
    }
    server(body, "server", &mut out);
    if let Some(m) = body.get("model") {
        match m.as_object() {
            None => out.push("model must be an object".into()),
            Some(m) => {
                opt_string_array(m, "toolIds", &mut out);
                if let Some(msgs) = m.get("messages") {
                    if !msgs.is_array() {
                        out.push("model.messages must be an array".into());
                    }
                }
                match m.get("tools") {
                    None => {}
                    Some(Value::Array(tools)) => {
                        for (i, t) in tools.iter().enumerate() {
                            let Some(t) = t.as_object() else {
                                out.push(format!("model.tools.{i} must be an object"));
                                continue;
                            };
                            match t.get("type").and_then(Value::as_str) {
                                Some(ty) if TOOL_TYPES.contains(&ty) => {}
                                _ => out.push(format!(
                                    "model.tools.{i}.type must be one of the following values: {}",
                                    TOOL_TYPES.join(", ")
                                )),
                            }
                            if t.get("type").and_then(Value::as_str) == Some("function") {
                                match t.get("function") {
                                    Some(f) => function(
                                        f,
                                        &format!("model.tools.{i}.function"),
                                        true,
                                        &mut out,
                                    ),
                                    None => out.push(format!(
                                        "model.tools.{i}.function must be an object"
                                    )),
                                }
                            }
                            let sub: Map<String, Value> = t
                                .iter()
                                .filter(|(k, _)| k.as_str() == "server")
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect();
                            let mut tmp = Vec::new();
                            server(&sub, "server", &mut tmp);
                            out.extend(tmp.into_iter().map(|m| format!("model.tools.{i}.{m}")));
                        }
                    }
                    Some(_) => out.push("model.tools must be an array".into()),
                }
            }
        }
    }
    out
}

/// A tool (POST body, or PATCH body with `partial`).
pub fn tool(body: &Map<String, Value>, partial: bool, stored_type: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let ty = body
        .get("type")
        .and_then(Value::as_str)
        .or(stored_type)
        .unwrap_or_default();
    match body.get("type") {
        Some(Value::String(t)) if TOOL_TYPES.contains(&t.as_str()) => {}
        None if partial => {}
        _ => {
            out.push(format!(
                "type must be one of the following values: {}",
                TOOL_TYPES.join(", ")
            ));
            return out;
        }
    }
    let allowed: &[&str] = match ty {
        "function" => &[
            "type",
            "async",
            "messages",
            "function",
            "server",
            "rejectionPlan",
            "variableExtractionPlan",
        ],
        "endCall" => &["type", "messages", "function", "rejectionPlan"],
        "transferCall" => &[
            "type",
            "messages",
            "destinations",
            "function",
            "server",
            "rejectionPlan",
        ],
        _ => &[],
    };
    if !allowed.is_empty() {
        whitelist(body, allowed, &mut out);
    }
    opt_bool(body, "async", &mut out);
    if let Some(m) = body.get("messages") {
        if !m.is_array() {
            out.push("messages must be an array".into());
        }
    }
    server(body, "server", &mut out);
    match body.get("function") {
        Some(f) => function(f, "function", ty == "function", &mut out),
        None if ty == "function" && !partial => out.push("function must be an object".into()),
        None => {}
    }
    out
}

/// The properties every phone-number provider takes, on create and update.
const PHONE_NUMBER_KEYS: &[&str] = &[
    "provider",
    "name",
    "assistantId",
    "squadId",
    "workflowId",
    "server",
    "fallbackDestination",
    "hooks",
    "smsEnabled",
    "numberE164CheckEnabled",
];

/// The properties of a Twilio import, on create and update.
const TWILIO_KEYS: &[&str] = &[
    "number",
    "twilioAccountSid",
    "twilioAuthToken",
    "twilioApiKey",
    "twilioApiSecret",
];

/// `POST /phone-number`.
pub fn phone_number_create(body: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    match body.get("provider").and_then(Value::as_str) {
        Some("vapi") => {
            let mut allowed = PHONE_NUMBER_KEYS.to_vec();
            allowed.extend(["numberDesiredAreaCode", "sipUri", "authentication"]);
            whitelist(body, &allowed, &mut out);
            if let Some(a) = body.get("numberDesiredAreaCode") {
                match a.as_str() {
                    Some(s) if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) => {}
                    _ => out.push(
                        "numberDesiredAreaCode must be a 3-digit US area code, e.g. \"415\"".into(),
                    ),
                }
            }
        }
        Some("twilio") => {
            let mut allowed = PHONE_NUMBER_KEYS.to_vec();
            allowed.extend(TWILIO_KEYS);
            whitelist(body, &allowed, &mut out);
            match body.get("number") {
                Some(Value::String(n)) if e164(n) => {}
                Some(Value::String(_)) => {
                    out.push("number must be a valid phone number in E.164 format".into())
                }
                _ => {
                    out.push("number should not be empty".into());
                    out.push("number must be a string".into());
                }
            }
            match body.get("twilioAccountSid") {
                Some(Value::String(s)) if !s.is_empty() => {}
                _ => {
                    out.push("twilioAccountSid should not be empty".into());
                    out.push("twilioAccountSid must be a string".into());
                }
            }
            for k in ["twilioAuthToken", "twilioApiKey", "twilioApiSecret"] {
                opt_string(body, k, &mut out);
            }
            let has = |k: &str| {
                body.get(k)
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty())
            };
            if !(has("twilioAuthToken") || has("twilioApiKey") && has("twilioApiSecret")) {
                out.push(
                    "twilioAuthToken, or twilioApiKey and twilioApiSecret, must be provided".into(),
                );
            }
        }
        _ => {
            out.push(format!(
                "provider must be one of the following values: {PROVIDERS}"
            ));
            return out;
        }
    }
    common_number_fields(body, &mut out);
    out
}

/// `PATCH /phone-number/{id}` of a number with `provider`.
pub fn phone_number_update(body: &Map<String, Value>, provider: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut allowed = PHONE_NUMBER_KEYS.to_vec();
    if provider == "twilio" {
        allowed.extend(TWILIO_KEYS);
    } else {
        allowed.extend(["sipUri", "authentication"]);
    }
    whitelist(body, &allowed, &mut out);
    if let Some(p) = body.get("provider") {
        if p.as_str() != Some(provider) {
            out.push(format!("provider must be equal to {provider}"));
        }
    }
    if provider == "twilio" {
        if let Some(n) = body.get("number") {
            if !n.as_str().is_some_and(e164) {
                out.push("number must be a valid phone number in E.164 format".into());
            }
        }
    }
    common_number_fields(body, &mut out);
    out
}

fn common_number_fields(body: &Map<String, Value>, out: &mut Vec<String>) {
    for k in ["name", "assistantId", "squadId", "workflowId"] {
        if let Some(v) = body.get(k) {
            if !v.is_string() && !v.is_null() {
                out.push(format!("{k} must be a string"));
            }
        }
    }
    if let Some(n) = body.get("name").and_then(Value::as_str) {
        if n.chars().count() > 40 {
            out.push("name must be shorter than or equal to 40 characters".into());
        }
    }
    opt_bool(body, "smsEnabled", out);
    server(body, "server", out);
    if let Some(f) = body.get("fallbackDestination") {
        match f.as_object() {
            Some(f) => match f.get("type").and_then(Value::as_str) {
                Some("number") => {
                    if !f.get("number").and_then(Value::as_str).is_some_and(e164) {
                        out.push(
                            "fallbackDestination.number must be a valid phone number in E.164 format"
                                .into(),
                        );
                    }
                }
                Some("sip") => {
                    if !f.get("sipUri").is_some_and(Value::is_string) {
                        out.push("fallbackDestination.sipUri must be a string".into());
                    }
                }
                _ => out.push(
                    "fallbackDestination.type must be one of the following values: number, sip"
                        .into(),
                ),
            },
            None if f.is_null() => {}
            None => out.push("fallbackDestination must be an object".into()),
        }
    }
}

/// `+` and 8–15 digits.
pub fn e164(s: &str) -> bool {
    s.strip_prefix('+').is_some_and(|d| {
        (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn refuses_unknown_properties_and_bad_names() {
        let errs = assistant(&obj(json!({"name": "A", "bogus": 1})), false);
        assert_eq!(errs, vec!["property bogus should not exist".to_string()]);
        let errs = tool(
            &obj(json!({"type": "function", "function": {"name": "has space"}})),
            false,
            None,
        );
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(function_name_ok("lookup_business_info"));
        assert!(!function_name_ok(&"a".repeat(65)));
    }

    #[test]
    fn twilio_imports_need_credentials() {
        let errs = phone_number_create(&obj(
            json!({"provider": "twilio", "number": "+14155550177", "twilioAccountSid": "AC1"}),
        ));
        assert_eq!(errs.len(), 1, "{errs:?}");
        let ok = phone_number_create(&obj(json!({"provider": "twilio", "number": "+14155550177",
            "twilioAccountSid": "AC1", "twilioApiKey": "k", "twilioApiSecret": "s"})));
        assert!(ok.is_empty(), "{ok:?}");
    }
}
