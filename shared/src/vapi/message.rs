//! Vapi's server messages as Kametrix reads them: only the fields it uses,
//! every one optional (Vapi's payloads vary by version), and the large
//! parts (`artifact`, `analysis`, legacy `messages`) kept raw until a
//! handler needs them, so that hot paths never build them.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

#[derive(Debug, Deserialize)]
pub struct Envelope {
    pub message: Message,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Customer {
    pub number: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CallRef {
    pub id: Option<String>,
    pub phone_number_id: Option<String>,
    pub customer: Option<Customer>,
    pub status: Option<String>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub ended_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PhoneRef {
    pub id: Option<String>,
    pub number: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Message {
    #[serde(rename = "type")]
    pub kind: String,
    /// Epoch milliseconds.
    pub timestamp: Option<f64>,
    pub call: Option<CallRef>,
    pub phone_number: Option<PhoneRef>,
    pub customer: Option<Customer>,
    pub status: Option<String>,
    pub ended_reason: Option<String>,
    // tool-calls (three parallel forms) and the legacy function-call
    pub tool_call_list: Option<Vec<Value>>,
    pub tool_calls: Option<Vec<Value>>,
    pub tool_with_tool_call_list: Option<Vec<Value>>,
    pub function_call: Option<Value>,
    // end-of-call-report
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub cost: Option<f64>,
    pub costs: Option<Vec<Value>>,
    pub analysis: Option<Box<RawValue>>,
    pub artifact: Option<Box<RawValue>>,
    // legacy top-level fields
    pub summary: Option<String>,
    pub transcript: Option<String>,
    pub messages: Option<Box<RawValue>>,
    pub recording_url: Option<String>,
    pub stereo_recording_url: Option<String>,
    pub duration_seconds: Option<f64>,
    pub duration_ms: Option<f64>,
    pub duration_minutes: Option<f64>,
}

impl Message {
    pub fn call_id(&self) -> Option<&str> {
        self.call.as_ref()?.id.as_deref().filter(|s| !s.is_empty())
    }

    /// Vapi's id of the number called: `call.phoneNumberId`, else `phoneNumber.id`.
    pub fn phone_number_id(&self) -> Option<&str> {
        self.call
            .as_ref()
            .and_then(|c| c.phone_number_id.as_deref())
            .or_else(|| self.phone_number.as_ref().and_then(|p| p.id.as_deref()))
            .filter(|s| !s.is_empty())
    }

    /// The caller's number: `customer.number`, else `call.customer.number`.
    pub fn caller(&self) -> Option<&str> {
        self.customer
            .as_ref()
            .and_then(|c| c.number.as_deref())
            .or_else(|| {
                self.call
                    .as_ref()
                    .and_then(|c| c.customer.as_ref())
                    .and_then(|c| c.number.as_deref())
            })
            .filter(|s| !s.is_empty())
    }

    pub fn ended_reason(&self) -> Option<&str> {
        self.ended_reason
            .as_deref()
            .or_else(|| self.call.as_ref().and_then(|c| c.ended_reason.as_deref()))
    }

    /// The tool calls of a `tool-calls` message, from whichever list it
    /// carries (`toolCallList`, `toolCalls`, `toolWithToolCallList`).
    pub fn tool_calls(&self) -> Vec<ToolCall> {
        let list: Vec<&Value> =
            if let Some(l) = self.tool_call_list.as_ref().filter(|l| !l.is_empty()) {
                l.iter().collect()
            } else if let Some(l) = self.tool_calls.as_ref().filter(|l| !l.is_empty()) {
                l.iter().collect()
            } else {
                self.tool_with_tool_call_list
                    .iter()
                    .flatten()
                    .filter_map(|t| t.get("toolCall"))
                    .collect()
            };
        list.into_iter().map(ToolCall::from_value).collect()
    }
}

/// One tool call: its id, function name and arguments (or why they could
/// not be read).
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: Result<Value, String>,
}

impl ToolCall {
    /// `{id, function: {name, arguments}}`, or the flattened
    /// `{id, name, arguments | parameters}`; arguments as an object or as a
    /// JSON string.
    pub fn from_value(v: &Value) -> ToolCall {
        let function = v.get("function").unwrap_or(v);
        let name = function
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let raw = function
            .get("arguments")
            .or_else(|| function.get("parameters"))
            .or_else(|| v.get("arguments"))
            .or_else(|| v.get("parameters"));
        let arguments = match raw {
            None | Some(Value::Null) => Ok(Value::Object(Default::default())),
            Some(Value::Object(_)) => Ok(raw.cloned().unwrap_or_default()),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(Value::Object(Default::default())),
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Object(_)) => Ok(v),
                _ => Err("The tool arguments are not a JSON object.".to_string()),
            },
            Some(_) => Err("The tool arguments are not a JSON object.".to_string()),
        };
        ToolCall {
            id: v
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            name,
            arguments,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Message {
        serde_json::from_value::<Envelope>(json!({ "message": v }))
            .unwrap()
            .message
    }

    #[test]
    fn tool_calls_are_read_from_any_of_the_three_lists_with_object_or_string_arguments() {
        let call = json!({"id": "call_1", "type": "function",
            "function": {"name": "lookup_business_info", "arguments": {"query": "hours"}}});
        let as_string = json!({"id": "call_1", "type": "function",
            "function": {"name": "lookup_business_info", "arguments": "{\"query\":\"hours\"}"}});
        let expected = ToolCall {
            id: "call_1".into(),
            name: "lookup_business_info".into(),
            arguments: Ok(json!({"query": "hours"})),
        };
        for m in [
            json!({"type": "tool-calls", "toolCallList": [call.clone()]}),
            json!({"type": "tool-calls", "toolCalls": [as_string.clone()]}),
            json!({"type": "tool-calls", "toolWithToolCallList": [{"type": "function", "toolCall": call.clone()}]}),
            json!({"type": "tool-calls", "toolCallList": [{"id": "call_1", "name": "lookup_business_info", "parameters": {"query": "hours"}}]}),
        ] {
            assert_eq!(parse(m).tool_calls(), vec![expected.clone()]);
        }
        let bad = parse(json!({"type": "tool-calls", "toolCallList": [
            {"id": "c", "function": {"name": "take_message", "arguments": "{not json"}}]}));
        assert!(bad.tool_calls()[0].arguments.is_err());
    }

    #[test]
    fn routing_keys_come_from_the_call_or_the_top_level() {
        let m = parse(json!({"type": "assistant-request",
            "call": {"id": "c1", "phoneNumberId": "p1", "customer": {"number": "+14155550123"}},
            "phoneNumber": {"id": "p1"}}));
        assert_eq!(
            (m.call_id(), m.phone_number_id(), m.caller()),
            (Some("c1"), Some("p1"), Some("+14155550123"))
        );
        let m = parse(
            json!({"type": "status-update", "phoneNumber": {"id": "p2"}, "customer": {"number": "+1"}}),
        );
        assert_eq!(
            (m.call_id(), m.phone_number_id(), m.caller()),
            (None, Some("p2"), Some("+1"))
        );
    }
}
