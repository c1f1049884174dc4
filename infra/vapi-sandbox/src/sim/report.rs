//! The end of a call: `status-update` ended and `end-of-call-report` (with
//! the duplicate and reorder knobs), the transcript, recordings, analysis
//! and costs.

use super::{round, Sim};
use crate::util::{iso, now_ms, random_alnum};
use serde_json::{json, Map, Value};

impl Sim {
    pub(super) fn transcript(&self) -> String {
        self.call
            .messages
            .iter()
            .filter_map(|m| {
                let who = match m["role"].as_str()? {
                    "bot" => "AI",
                    "user" => "User",
                    _ => return None,
                };
                Some(format!(
                    "{who}: {}",
                    m["message"].as_str().unwrap_or_default()
                ))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn recording_enabled(&self) -> bool {
        self.call.started_ms.is_some()
            && self.assistant["artifactPlan"]["recordingEnabled"] != false
    }

    fn recording(&self) -> Value {
        let base = format!(
            "{}/_sandbox/recordings/{}",
            self.app.cfg.public_url, self.call.id
        );
        // Presigned URLs differ across deliveries, like Vapi's.
        let sig = random_alnum(16).to_lowercase();
        let url = |kind: &str| format!("{base}-{kind}.wav?X-Amz-Signature={sig}");
        json!({
            "stereoUrl": url("stereo"),
            "mono": {"combinedUrl": url("mono"), "assistantUrl": url("assistant"),
                     "customerUrl": url("customer")}
        })
    }

    fn analysis(&self) -> Value {
        let plan = &self.assistant["analysisPlan"];
        let mut a = Map::new();
        if plan["summaryPlan"]["enabled"] != false {
            if let Some(s) = &self.summary {
                a.insert("summary".into(), json!(s));
            }
        }
        if self.call.started_ms.is_some() {
            if plan["successEvaluationPlan"]["enabled"] != false {
                a.insert(
                    "successEvaluation".into(),
                    json!(if self.success { "true" } else { "false" }),
                );
            }
            let sd = &plan["structuredDataPlan"];
            if sd.is_object() && sd["enabled"] != false {
                let mut data = Map::new();
                let outcome = &sd["schema"]["properties"]["outcome"];
                let want = self.scenario.outcome();
                match outcome["enum"].as_array() {
                    Some(vals) if vals.iter().any(|v| v == want) => {
                        data.insert("outcome".into(), json!(want));
                    }
                    Some(_) => {}
                    None if outcome["type"] == "string" => {
                        data.insert("outcome".into(), json!(want));
                    }
                    None => {}
                }
                a.insert("structuredData".into(), Value::Object(data));
            }
        }
        Value::Object(a)
    }

    /// `(cost, costs, costBreakdown)`: 0.05 + 0.07 per minute.
    fn costs(&self, minutes: f64) -> (f64, Value, Value) {
        let started = self.call.started_ms.is_some();
        let m = round(minutes, 4);
        let bot_chars: usize = self
            .call
            .messages
            .iter()
            .filter(|x| x["role"] == "bot")
            .filter_map(|x| x["message"].as_str())
            .map(str::len)
            .sum();
        let bot_turns = self
            .call
            .messages
            .iter()
            .filter(|x| x["role"] == "bot")
            .count() as u64;
        let prompt_tokens = if started { 600 * bot_turns } else { 0 };
        let completion_tokens = (bot_chars / 4) as u64;
        let vapi = round(0.05 * minutes, 4);
        let stt = round(0.01 * minutes, 4);
        let tts = round(0.01 * minutes, 4);
        let llm = if started { 0.05 } else { 0.0 };
        let total = if started {
            round(0.05 + 0.07 * minutes, 4)
        } else {
            0.0
        };
        let a = &self.assistant;
        let str_or = |v: &Value, d: &str| v.as_str().unwrap_or(d).to_string();
        let costs = json!([
            {"type": "transport", "provider": "vapi.sip", "minutes": m, "cost": 0},
            {"type": "transcriber", "transcriber": {
                "provider": str_or(&a["transcriber"]["provider"], "deepgram"),
                "model": str_or(&a["transcriber"]["model"], "nova-3")},
             "minutes": m, "cost": stt},
            {"type": "model", "model": {
                "provider": str_or(&a["model"]["provider"], "openai"),
                "model": str_or(&a["model"]["model"], "gpt-4o-mini")},
             "promptTokens": prompt_tokens, "completionTokens": completion_tokens, "cost": llm},
            {"type": "voice", "voice": {
                "provider": str_or(&a["voice"]["provider"], "vapi"),
                "voiceId": str_or(&a["voice"]["voiceId"], "Elliot")},
             "characters": bot_chars, "cost": tts},
            {"type": "vapi", "subType": "normal", "minutes": m, "cost": vapi},
        ]);
        let breakdown = json!({
            "transport": 0, "stt": stt, "llm": llm, "tts": tts, "vapi": vapi,
            "total": total, "llmPromptTokens": prompt_tokens,
            "llmCompletionTokens": completion_tokens, "ttsCharacters": bot_chars,
        });
        (total, costs, breakdown)
    }

    /// Ends the call: status-update ended and end-of-call-report (with the
    /// duplicate / reorder knobs). `ended` is `None` for calls that never
    /// started.
    pub(super) async fn finish(&mut self, reason: &str, ended: Option<i64>) {
        let started = self.call.started_ms;
        self.call.ended_reason = Some(reason.to_string());
        self.call.ended_ms = ended;
        let was_in_progress = self.vapi_status == "in-progress" || self.vapi_status == "forwarding";
        self.vapi_status = "ended";
        let ts = ended.unwrap_or_else(now_ms);
        let minutes = match (started, ended) {
            (Some(s), Some(e)) => (e - s).max(0) as f64 / 60000.0,
            _ => 0.0,
        };
        let (cost, costs, breakdown) = self.costs(minutes);
        let analysis = self.analysis();
        let transcript = self.transcript();
        let mut artifact = json!({
            "messages": self.call.messages,
            "messagesOpenAIFormatted": self.openai_messages(),
            "transcript": transcript,
        });
        if self.recording_enabled() {
            let rec = self.recording();
            artifact["recordingUrl"] = rec["mono"]["combinedUrl"].clone();
            artifact["stereoRecordingUrl"] = rec["stereoUrl"].clone();
            artifact["recording"] = rec;
        }
        self.call.report = Some(json!({
            "cost": cost, "costs": costs, "costBreakdown": breakdown,
            "analysis": analysis, "artifact": artifact,
        }));
        self.publish();

        let n = self.knobs.duplicates.max(1) as usize;
        let ended_msgs: Vec<Map<String, Value>> = (0..n)
            .map(|_| {
                let mut m = self.status_update("ended", ts);
                m.insert("endedReason".into(), json!(reason));
                m
            })
            .collect();
        let reports: Vec<Map<String, Value>> = (0..n)
            .map(|_| self.report_message(reason, ts + 2000, &costs, cost, &analysis))
            .collect();
        if self.knobs.reorder {
            self.send_copies("end-of-call-report", reports).await;
            self.send_copies("status-update", ended_msgs).await;
            if was_in_progress {
                self.vapi_status = "in-progress";
                let m = self.status_update("in-progress", started.unwrap_or(ts));
                self.notify("status-update", m).await;
                self.vapi_status = "ended";
            }
        } else {
            self.send_copies("status-update", ended_msgs).await;
            self.send_copies("end-of-call-report", reports).await;
        }
        self.call.status = "ended";
        self.publish();
    }

    fn report_message(
        &self,
        reason: &str,
        ts: i64,
        costs: &Value,
        cost: f64,
        analysis: &Value,
    ) -> Map<String, Value> {
        let mut m = self.base("end-of-call-report", ts);
        m.insert("endedReason".into(), json!(reason));
        let started = self.call.started_ms;
        let ended = self.call.ended_ms;
        if !self.knobs.legacy {
            if let (Some(s), Some(e)) = (started, ended) {
                m.insert("startedAt".into(), json!(iso(s)));
                m.insert("endedAt".into(), json!(iso(e)));
            }
        }
        m.insert("cost".into(), json!(cost));
        m.insert("costs".into(), costs.clone());
        let transcript = self.transcript();
        let mut artifact = Map::new();
        artifact.insert("messages".into(), json!(self.call.messages));
        artifact.insert("messagesOpenAIFormatted".into(), self.openai_messages());
        if !self.knobs.legacy {
            artifact.insert("transcript".into(), json!(transcript));
        }
        let rec = self.recording_enabled().then(|| self.recording());
        if let Some(rec) = &rec {
            artifact.insert("recordingUrl".into(), rec["mono"]["combinedUrl"].clone());
            artifact.insert("stereoRecordingUrl".into(), rec["stereoUrl"].clone());
            artifact.insert("recording".into(), rec.clone());
            artifact.insert(
                "presignedUrlsExpiresAt".into(),
                json!(iso(now_ms() + 3_600_000)),
            );
        }
        m.insert("artifact".into(), Value::Object(artifact));
        if self.knobs.legacy {
            m.insert(
                "summary".into(),
                json!(self.summary.clone().unwrap_or_default()),
            );
            m.insert("transcript".into(), json!(transcript));
            m.insert("messages".into(), json!(self.call.messages));
            if let Some(rec) = &rec {
                m.insert("recordingUrl".into(), rec["mono"]["combinedUrl"].clone());
                m.insert("stereoRecordingUrl".into(), rec["stereoUrl"].clone());
            }
            let secs = match (started, ended) {
                (Some(s), Some(e)) => (e - s).max(0) as f64 / 1000.0,
                _ => 0.0,
            };
            m.insert("durationSeconds".into(), json!(secs));
        } else {
            m.insert("analysis".into(), analysis.clone());
        }
        if self.assistant.is_object() {
            m.insert("assistant".into(), self.assistant.clone());
        }
        m
    }
}
