//! What an end-of-call report says, read defensively (current fields first,
//! legacy top-level ones as fallback), and the billing rules: calls are
//! billed per second (rounded up), calls under 10 seconds, refused calls
//! and calls that never connected are free.

use crate::api::CallOutcome;
use crate::vapi::message::Message;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Calls shorter than this are free.
pub const FREE_UNDER_MS: i64 = 10_000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub ended_reason: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Raw duration in milliseconds, when the report tells it.
    pub duration_ms: Option<i64>,
    pub transcript: Option<String>,
    pub messages: Option<Value>,
    pub recording_url: Option<String>,
    pub summary: Option<String>,
    pub structured_data: Option<Value>,
    /// Vapi's cost in millionths of a USD.
    pub cost_micros: Option<i64>,
}

fn parse_time(text: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn raw(v: &Option<Box<serde_json::value::RawValue>>) -> Value {
    v.as_ref()
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}

fn text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

impl Report {
    pub fn from_message(m: &Message) -> Report {
        let artifact = raw(&m.artifact);
        let analysis = raw(&m.analysis);
        let call = m.call.as_ref();
        let started_at = parse_time(m.started_at.as_deref())
            .or_else(|| parse_time(call.and_then(|c| c.started_at.as_deref())));
        let ended_at = parse_time(m.ended_at.as_deref())
            .or_else(|| parse_time(call.and_then(|c| c.ended_at.as_deref())));
        let vapi_minutes = m.costs.iter().flatten().find_map(|c| {
            (c["type"] == "vapi" || c["type"] == "transport")
                .then(|| c["minutes"].as_f64())
                .flatten()
        });
        let duration_ms = match (started_at, ended_at) {
            (Some(s), Some(e)) => Some((e - s).num_milliseconds().max(0)),
            _ => m
                .duration_ms
                .or(m.duration_seconds.map(|s| s * 1000.0))
                .or(m.duration_minutes.map(|s| s * 60_000.0))
                .or(vapi_minutes.map(|s| s * 60_000.0))
                .map(|ms| ms.max(0.0).round() as i64),
        };
        let messages = match &artifact["messages"] {
            Value::Array(a) if !a.is_empty() => Some(Value::Array(a.clone())),
            _ => Some(raw(&m.messages)).filter(Value::is_array),
        };
        let recording_url = text(&artifact["recording"]["mono"]["combinedUrl"])
            .or_else(|| text(&artifact["recording"]["stereoUrl"]))
            .or_else(|| text(&artifact["recordingUrl"]))
            .or_else(|| m.recording_url.clone())
            .or_else(|| text(&artifact["stereoRecordingUrl"]))
            .or_else(|| m.stereo_recording_url.clone());
        Report {
            ended_reason: m.ended_reason().map(str::to_string),
            started_at,
            ended_at,
            duration_ms,
            transcript: text(&artifact["transcript"]).or_else(|| m.transcript.clone()),
            messages,
            recording_url,
            summary: text(&analysis["summary"]).or_else(|| m.summary.clone()),
            structured_data: Some(analysis["structuredData"].clone()).filter(|v| !v.is_null()),
            cost_micros: m
                .cost
                .filter(|c| c.is_finite() && *c >= 0.0)
                .map(|c| (c * 1_000_000.0).round() as i64),
        }
    }

    /// The call never reached a conversation (or failed on Vapi's side).
    pub fn never_connected(&self) -> bool {
        let reason = self.ended_reason.as_deref().unwrap_or("");
        [
            "call.start.error",
            "call-start-error",
            "assistant-request-",
            "assistant-not-",
            "customer-did-not-answer",
            "customer-busy",
            "twilio-failed-to-connect-call",
            "call.in-progress.error-vapifault",
        ]
        .iter()
        .any(|p| reason.starts_with(p))
    }
}

/// Seconds to charge: 0 for refused, never-connected and sub-10-second
/// calls; otherwise the duration rounded up to the second.
pub fn billable_seconds(report: &Report, refused: bool) -> i64 {
    if refused || report.never_connected() {
        return 0;
    }
    match report.duration_ms {
        Some(ms) if ms >= FREE_UNDER_MS => (ms + 999) / 1000,
        _ => 0,
    }
}

/// The call's outcome: refused, a message taken (from our own records),
/// the analysis' structured outcome, a transfer, or by its length.
pub fn outcome(report: &Report, refused: bool, message_taken: bool) -> CallOutcome {
    if refused {
        return CallOutcome::Refused;
    }
    if message_taken {
        return CallOutcome::MessageTaken;
    }
    if let Some(o) = report
        .structured_data
        .as_ref()
        .and_then(|d| d["outcome"].as_str())
        .and_then(|o| o.parse::<CallOutcome>().ok())
        .filter(|o| CallOutcome::ANALYSED.contains(o))
    {
        return o;
    }
    if report
        .ended_reason
        .as_deref()
        .is_some_and(|r| r.contains("forwarded") || r.contains("transfer"))
    {
        return CallOutcome::Transferred;
    }
    if billable_seconds(report, false) == 0 {
        CallOutcome::NoConversation
    } else {
        CallOutcome::Answered
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vapi::message::Envelope;
    use serde_json::json;

    fn report(v: Value) -> Report {
        let m = serde_json::from_value::<Envelope>(json!({ "message": v }))
            .unwrap()
            .message;
        Report::from_message(&m)
    }

    #[test]
    fn the_reference_report_bills_its_duration_rounded_up_to_the_second() {
        let r = report(json!({
            "type": "end-of-call-report", "endedReason": "customer-ended-call",
            "startedAt": "2026-01-01T12:00:01.200Z", "endedAt": "2026-01-01T12:02:15.700Z",
            "cost": 0.1873,
            "analysis": {"summary": "Caller booked drain cleaning.", "structuredData": {"booked": true}},
            "artifact": {"transcript": "AI: Hi\nUser: Monday?",
                "messages": [{"role": "bot", "message": "Hi", "secondsFromStart": 1.4}],
                "recording": {"mono": {"combinedUrl": "https://storage.vapi.ai/x-mono.wav"}}},
            "call": {"id": "c1"}
        }));
        assert_eq!(r.duration_ms, Some(134_500));
        assert_eq!(billable_seconds(&r, false), 135);
        assert_eq!(r.cost_micros, Some(187_300));
        assert_eq!(r.summary.as_deref(), Some("Caller booked drain cleaning."));
        assert_eq!(
            r.recording_url.as_deref(),
            Some("https://storage.vapi.ai/x-mono.wav")
        );
        assert_eq!(outcome(&r, false, false), CallOutcome::Answered);
        assert_eq!(outcome(&r, false, true), CallOutcome::MessageTaken);
        assert_eq!(billable_seconds(&r, true), 0, "a refused call is free");
    }

    #[test]
    fn legacy_top_level_fields_are_read_when_artifact_and_analysis_are_absent() {
        let r = report(json!({
            "type": "end-of-call-report", "endedReason": "customer-ended-call",
            "summary": "Asked about parking.", "transcript": "AI: Hello\nUser: Parking?",
            "messages": [{"role": "user", "message": "Parking?"}],
            "recordingUrl": "https://storage.vapi.ai/legacy.wav", "durationSeconds": 42.2,
            "call": {"id": "c2"}
        }));
        assert_eq!(billable_seconds(&r, false), 43);
        assert_eq!(r.summary.as_deref(), Some("Asked about parking."));
        assert_eq!(
            r.recording_url.as_deref(),
            Some("https://storage.vapi.ai/legacy.wav")
        );
        assert!(r.messages.unwrap().is_array());
    }

    #[test]
    fn short_and_never_connected_calls_are_free() {
        let short = report(
            json!({"type": "end-of-call-report", "endedReason": "customer-ended-call",
            "startedAt": "2026-01-01T12:00:00.000Z", "endedAt": "2026-01-01T12:00:05.000Z"}),
        );
        assert_eq!(billable_seconds(&short, false), 0);
        assert_eq!(outcome(&short, false, false), CallOutcome::NoConversation);
        let failed = report(json!({"type": "end-of-call-report",
            "endedReason": "call.start.error-get-assistant", "durationSeconds": 30}));
        assert_eq!(billable_seconds(&failed, false), 0);
        let ten = report(
            json!({"type": "end-of-call-report", "endedReason": "customer-ended-call",
            "costs": [{"type": "vapi", "minutes": 0.16666667}]}),
        );
        assert_eq!(billable_seconds(&ten, false), 10, "10 s exactly is billed");
    }
}
