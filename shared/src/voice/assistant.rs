//! The assistant builder: from an agent, its profile and the current time,
//! the Vapi assistant that answers a call (returned inline to
//! `assistant-request`). Pure: no I/O, so it is fast and testable.

use crate::agents::templates::{self, LANGUAGES};
use crate::agents::{profile, AgentRecord};
use crate::api::{CallOutcome, ToolName};
use crate::config::VapiConfig;
use crate::tools;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// Vapi's bounds for `maxDurationSeconds`.
pub const MIN_DURATION_SECONDS: i64 = 10;
/// A call never runs longer than this, whatever the balance.
pub const MAX_CALL_SECONDS: i64 = 30 * 60;

/// `text` with `{business}` replaced by the business name, without a
/// doubled full stop when the name ends with one ("Acme Co.").
pub fn fill_business(text: &str, business: &str) -> String {
    let text = match business.strip_suffix('.') {
        Some(bare) => text.replace("{business}.", &format!("{bare}.")),
        None => text.to_string(),
    };
    text.replace("{business}", business)
}

/// The greeting, with `{business}` filled in; a plain one when empty.
pub fn first_message(agent: &AgentRecord) -> String {
    let greeting = if agent.greeting.trim().is_empty() {
        "Hello, thank you for calling {business}. How can I help you today?"
    } else {
        &agent.greeting
    };
    fill_business(greeting, business_name(agent))
}

fn business_name(agent: &AgentRecord) -> &str {
    if agent.profile.business_name.trim().is_empty() {
        "us"
    } else {
        agent.profile.business_name.trim()
    }
}

/// The system prompt: role, the business's facts, the local date and time,
/// and the rules.
pub fn system_prompt(agent: &AgentRecord, now: DateTime<Utc>) -> String {
    let p = &agent.profile;
    let role = templates::spec(agent.template).role;
    let business = business_name(agent);
    let mut out = String::with_capacity(4096);
    out.push_str(role);
    out.push_str(&format!(
        "\n\nYou answer the phone for {business}, as its AI receptionist."
    ));
    if !p.description.is_empty() {
        out.push_str(&format!(" About the business: {}", p.description));
    }
    let (local_now, today) = match profile::parse_timezone(&p.timezone) {
        Some(tz) => {
            let local = now.with_timezone(&tz);
            (
                format!("{} ({})", local.format("%A, %B %-d, %Y, %H:%M"), p.timezone),
                local.date_naive(),
            )
        }
        None => (
            format!("{} (UTC)", now.format("%A, %B %-d, %Y, %H:%M")),
            now.date_naive(),
        ),
    };
    out.push_str(&format!(
        "\n\nCurrent date and time at the business: {local_now}. The business is {} right now.",
        if profile::is_open(p, now) {
            "open"
        } else {
            "closed"
        }
    ));
    out.push_str(&format!(
        "\nOpening hours: {}.",
        profile::hours_sentence(&p.hours)
    ));
    let closures = profile::closures_sentence(p, today);
    if !closures.is_empty() {
        out.push_str(&format!("\nHolidays and closures: {closures}."));
    }
    if !p.address.is_empty() {
        out.push_str(&format!("\nAddress: {}.", p.address));
    }
    if !p.phone.is_empty() {
        out.push_str(&format!("\nBusiness phone: {}.", p.phone));
    }
    if !p.services.is_empty() {
        out.push_str("\nServices:");
        for s in &p.services {
            out.push_str(&format!("\n- {}", profile::service_line(s)));
        }
    }
    if !p.faqs.is_empty() {
        out.push_str("\nFrequently asked questions:");
        for f in &p.faqs {
            out.push_str(&format!("\nQ: {}\nA: {}", f.question, f.answer));
        }
    }
    let takes_messages = agent.has_tool(ToolName::TakeMessage);
    let language = LANGUAGES
        .iter()
        .find(|(c, _)| *c == agent.language)
        .map(|(_, n)| *n)
        .unwrap_or("English");
    out.push_str("\n\nRules:");
    out.push_str("\n- Never invent prices, facts, availability or policies. Use only the information above and what your tools return; if you do not know, say so.");
    if agent.has_tool(ToolName::LookupBusinessInfo) {
        out.push_str("\n- For questions about the business that the information above does not answer, use lookup_business_info before answering.");
    }
    out.push_str("\n- Read back names, phone numbers, addresses, dates and times to the caller to confirm them.");
    if takes_messages {
        out.push_str("\n- When you are unsure, or the caller wants something you cannot do, offer to take a message for the team with take_message.");
        out.push_str(&format!("\n- {}", profile::after_hours_rule(p.after_hours)));
    } else {
        out.push_str("\n- When you are unsure, or the caller wants something you cannot do, say so politely and suggest calling back during opening hours.");
    }
    out.push_str("\n- Keep answers short and natural: this is a phone call. Do not read lists longer than three items.");
    out.push_str(&format!("\n- Speak {language}."));
    out.push_str("\n- When the caller has what they need, say goodbye and end the call.");
    if !agent.instructions.trim().is_empty() {
        out.push_str("\n\nInstructions from the business owner:\n");
        out.push_str(agent.instructions.trim());
    }
    out
}

fn server(vapi: &VapiConfig, timeout_seconds: u32) -> Value {
    let mut server = json!({"url": vapi.server_url, "timeoutSeconds": timeout_seconds});
    if let Some(id) = &vapi.credential_id {
        server["credentialId"] = json!(id);
    }
    server
}

/// The agent's tools as Vapi function tools, served by our webhook, plus
/// Vapi's `endCall`.
fn tool_list(agent: &AgentRecord, vapi: &VapiConfig) -> Vec<Value> {
    let mut list: Vec<Value> = agent
        .tools
        .iter()
        .map(|name| tools::def(*name))
        .map(|t| {
            let mut tool = json!({
                "type": "function",
                "async": false,
                "function": {
                    "name": t.name.as_str(),
                    "description": t.model_description,
                    "parameters": (t.parameters)(),
                },
                "server": server(vapi, 10),
            });
            if let Some(text) = t.request_start {
                tool["messages"] = json!([{"type": "request-start", "content": text}]);
            }
            tool
        })
        .collect();
    list.push(json!({"type": "endCall"}));
    list
}

/// The assistant for one call. `max_duration_seconds` is what the account
/// may still spend (clamped to Vapi's bounds and [`MAX_CALL_SECONDS`]).
pub fn build(
    agent: &AgentRecord,
    now: DateTime<Utc>,
    max_duration_seconds: i64,
    vapi: &VapiConfig,
) -> Value {
    let business = business_name(agent);
    let name: String = agent.name.chars().take(40).collect();
    json!({
        "name": name,
        "firstMessage": first_message(agent),
        "firstMessageMode": "assistant-speaks-first",
        "model": {
            "provider": "openai",
            "model": "gpt-4o-mini",
            "temperature": 0.3,
            "maxTokens": 250,
            "messages": [{"role": "system", "content": system_prompt(agent, now)}],
            "tools": tool_list(agent, vapi),
        },
        "voice": {"provider": "vapi", "voiceId": agent.voice_id},
        "transcriber": {"provider": "deepgram", "model": "nova-3", "language": agent.language},
        "server": server(vapi, 20),
        "serverMessages": ["status-update", "end-of-call-report", "tool-calls", "hang"],
        "maxDurationSeconds": max_duration_seconds.clamp(MIN_DURATION_SECONDS, MAX_CALL_SECONDS),
        "silenceTimeoutSeconds": 30,
        "endCallMessage": fill_business("Thank you for calling {business}. Goodbye!", business),
        "artifactPlan": {"recordingEnabled": true, "recordingFormat": "mp3"},
        "analysisPlan": {
            "summaryPlan": {"enabled": true},
            "structuredDataPlan": {
                "enabled": true,
                "schema": {
                    "type": "object",
                    "properties": {
                        "outcome": {
                            "type": "string",
                            "enum": CallOutcome::ANALYSED,
                            "description": "answered: questions answered; message_taken: a message was left; transferred: sent to a person; no_conversation: the caller said nothing useful"
                        }
                    },
                    "required": ["outcome"]
                }
            },
            "successEvaluationPlan": {"enabled": false}
        },
        "metadata": {"kametrixAgentId": agent.id, "kametrixAccountId": agent.account_id},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{
        AgentStatus, BusinessProfile, Closure, Faq, OpeningPeriod, Service, TemplateId, Weekday,
    };
    use crate::config::Config;
    use chrono::{NaiveDate, TimeZone};

    fn agent() -> AgentRecord {
        AgentRecord {
            id: uuid::Uuid::nil().into(),
            account_id: uuid::Uuid::nil().into(),
            name: "Front desk".into(),
            template: TemplateId::Appointments,
            status: AgentStatus::Active,
            voice_id: "Kylie".into(),
            greeting: "Thank you for calling {business}!".into(),
            language: "en".into(),
            instructions: "Always mention our loyalty card.".into(),
            tools: vec![ToolName::LookupBusinessInfo, ToolName::TakeMessage],
            profile: BusinessProfile {
                business_name: "Bright Smile Dental".into(),
                description: "A family dental clinic.".into(),
                address: "12 Harbour Street, Portland".into(),
                timezone: "America/Los_Angeles".into(),
                hours: vec![OpeningPeriod {
                    day: Weekday::Tue,
                    open: "08:00".into(),
                    close: "16:30".into(),
                }],
                closures: vec![Closure {
                    date: NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
                    end_date: None,
                    reason: "Christmas".into(),
                }],
                services: vec![Service {
                    name: "Check-up".into(),
                    duration_minutes: Some(30),
                    price: "$85".into(),
                    description: String::new(),
                }],
                faqs: vec![Faq {
                    question: "Do you have parking?".into(),
                    answer: "Yes, free parking behind the building.".into(),
                }],
                ..Default::default()
            },
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn vapi() -> VapiConfig {
        Config::from_lookup(|k| (k == "DATABASE_URL").then(|| "postgres://x".to_string()))
            .unwrap()
            .vapi
    }

    #[test]
    fn a_business_name_ending_in_a_full_stop_is_not_followed_by_another() {
        assert_eq!(
            fill_business("Thanks for calling {business}. Hi!", "Demo Plumbing Co."),
            "Thanks for calling Demo Plumbing Co. Hi!"
        );
        assert_eq!(
            fill_business("You reached {business}, hello", "Demo Plumbing Co."),
            "You reached Demo Plumbing Co., hello"
        );
    }

    #[test]
    fn the_prompt_holds_the_profile_facts_and_the_local_date_and_time() {
        // 2026-12-01 17:05 UTC is Tuesday 09:05 in Los Angeles.
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 17, 5, 0).unwrap();
        let prompt = system_prompt(&agent(), now);
        for fact in [
            "Tuesday, December 1, 2026, 09:05 (America/Los_Angeles)",
            "The business is open right now",
            "Tuesday 08:00–16:30",
            "Monday closed",
            "Friday December 25, 2026 (Christmas)",
            "12 Harbour Street, Portland",
            "Check-up, about 30 minutes, price: $85",
            "Q: Do you have parking?\nA: Yes, free parking behind the building.",
            "Never invent prices",
            "Read back names, phone numbers",
            "offer to take a message",
            "Always mention our loyalty card.",
        ] {
            assert!(prompt.contains(fact), "missing {fact:?} in:\n{prompt}");
        }
        let evening = Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap();
        assert!(system_prompt(&agent(), evening).contains("closed right now"));
    }

    #[test]
    fn the_assistant_has_the_greeting_voice_tools_on_our_server_and_the_balance_cap() {
        let a = build(&agent(), Utc::now(), 754, &vapi());
        assert_eq!(
            a["firstMessage"],
            "Thank you for calling Bright Smile Dental!"
        );
        assert_eq!(a["voice"]["voiceId"], "Kylie");
        assert_eq!(a["maxDurationSeconds"], 754);
        let tools = a["model"]["tools"].as_array().unwrap();
        let names: Vec<_> = tools
            .iter()
            .map(|t| {
                t["function"]["name"]
                    .as_str()
                    .unwrap_or(t["type"].as_str().unwrap())
            })
            .collect();
        assert_eq!(names, ["lookup_business_info", "take_message", "endCall"]);
        assert_eq!(
            tools[0]["server"]["url"],
            "http://127.0.0.1:8080/api/webhooks/vapi"
        );
        assert_eq!(a["server"]["url"], tools[0]["server"]["url"]);
        assert!(a["serverMessages"]
            .as_array()
            .unwrap()
            .contains(&json!("end-of-call-report")));
        assert_eq!(a["analysisPlan"]["summaryPlan"]["enabled"], true);
        assert_eq!(
            build(&agent(), Utc::now(), 3, &vapi())["maxDurationSeconds"],
            MIN_DURATION_SECONDS
        );
        assert_eq!(
            build(&agent(), Utc::now(), 100_000, &vapi())["maxDurationSeconds"],
            MAX_CALL_SECONDS
        );
    }
}
