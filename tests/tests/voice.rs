//! The voice pipeline end to end: the gateway, the functions, and the Vapi
//! sandbox, whose call simulator dials an agent's number and plays a caller
//! by sending Vapi's real server messages to our webhook.

use e2e::*;
use serde_json::Value;
use shared::api::{
    self, AgentId, CallOutcome, CallStatus, ErrorCode, LedgerKind, MessageUrgency, NumberStatus,
    TurnRole, E164,
};

fn profile() -> Value {
    json!({
        "business_name": "Rosa's Salon",
        "description": "A hair salon in the old town.",
        "address": "4 Market Square, Springfield",
        "phone": "+14155550111",
        "timezone": "America/New_York",
        "hours": [
            {"day": "tue", "open": "09:00", "close": "18:00"},
            {"day": "sat", "open": "10:00", "close": "14:00"}
        ],
        "closures": [],
        "services": [{"name": "Haircut", "duration_minutes": 45, "price": "$40", "description": "Wash, cut and dry."}],
        "faqs": [{"question": "Do you have parking?", "answer": "Yes, free parking behind the salon."}],
        "fallback_phone": "",
        "after_hours": "take_message"
    })
}

/// A signed-up owner with an agent made from a template, its profile
/// filled in, and a number from the pool; returns (client, agent, number).
async fn owner_with_live_agent(prefix: &str) -> (Client, AgentId, E164) {
    provision_numbers(1).await;
    let (owner, _) = signed_up_owner(prefix).await;
    let catalog = owner.get("/api/templates").await;
    assert_eq!(catalog.status, 200, "{}", catalog.text);
    let catalog: api::Catalog = catalog.json_as().unwrap();
    assert!(catalog.templates.len() >= 5);
    let created = owner
        .post(
            "/api/agents",
            json!({"template": "appointments", "name": "Front desk"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json_as::<api::Agent>().unwrap().id;
    let patched = owner
        .patch(&format!("/api/agents/{id}"), json!({"profile": profile()}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let taken = owner
        .post(&format!("/api/agents/{id}/number"), json!({}))
        .await;
    assert_eq!(taken.status, 200, "{}", taken.text);
    let taken: api::Agent = taken.json_as().unwrap();
    let number = taken.number.expect("the agent has a number").number;
    assert!(taken
        .test_call_url
        .expect("a test call URL on the sandbox")
        .contains("/_sandbox?number="));
    (owner, id, number)
}

fn bot_says(record: &Value) -> Vec<String> {
    record["turns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["role"] == "bot")
        .map(|t| t["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The call as the owner's history shows it, waiting for its report.
async fn history_call(owner: &Client, agent: AgentId) -> api::CallSummary {
    for _ in 0..50 {
        let page = owner.get(&format!("/api/calls?agent_id={agent}")).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let page: api::CallPage = page.json_as().unwrap();
        if let Some(call) = page
            .calls
            .into_iter()
            .find(|c| c.status == CallStatus::Ended && c.outcome != CallOutcome::Unknown)
        {
            return call;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no finished call in the history of agent {agent}");
}

/// The owner's messages (`GET /api/messages{query}`).
async fn messages(owner: &Client, query: &str) -> api::MessagePage {
    let inbox = owner.get(&format!("/api/messages{query}")).await;
    assert_eq!(inbox.status, 200, "{}", inbox.text);
    inbox.json_as().unwrap()
}

#[tokio::test]
async fn a_caller_asks_an_faq_and_the_receptionist_answers_from_the_profile() -> anyhow::Result<()>
{
    let (owner, agent, number) = owner_with_live_agent("faq").await;
    let before = balance(&owner).await;
    let record = simulate_call(json!({
        "number": number.as_str(), "scenario": "faq", "question": "Do you have parking?",
        "duplicates": 3, "reorder": true
    }))
    .await;
    assert_eq!(record["status"], "ended", "{record}");
    assert!(
        record["problems"].as_array().unwrap().is_empty(),
        "{record}"
    );
    let said = bot_says(&record);
    assert!(said[0].contains("Rosa's Salon"), "greeting: {said:?}");
    assert!(
        said.iter()
            .any(|s| s.contains("free parking behind the salon")),
        "the answer comes from the profile: {said:?}"
    );
    let agent_now: api::Agent = owner.get(&format!("/api/agents/{agent}")).await.json_as()?;
    assert_eq!(
        agent_now.number.map(|n| n.status),
        Some(NumberStatus::Active),
        "the owner sees the number go live once Vapi has activated it"
    );
    let call = history_call(&owner, agent).await;
    assert_eq!(call.outcome, CallOutcome::Answered);
    assert_eq!(call.duration_seconds, 50);
    assert_eq!(call.charged_seconds, 50, "charged once despite 3 reports");
    assert!(call.summary.as_deref().unwrap().len() > 10);
    assert_eq!(balance(&owner).await, before - 50);
    let detail = owner.get(&format!("/api/calls/{}", call.id)).await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    let detail: api::CallDetail = detail.json_as()?;
    assert!(detail.recording_url.as_deref().unwrap().starts_with("http"));
    assert!(detail
        .transcript
        .iter()
        .any(|t| t.role == TurnRole::Caller && t.text == "Do you have parking?"));
    assert!(detail.transcript.iter().any(|t| t.role == TurnRole::Tool));
    let ledger = ledger(&owner).await;
    let call_entries: Vec<_> = ledger
        .entries
        .iter()
        .filter(|e| e.kind == LedgerKind::Call)
        .collect();
    assert_eq!(call_entries.len(), 1);
    assert_eq!(call_entries[0].amount_seconds, -50);
    Ok(())
}

#[tokio::test]
async fn a_caller_leaves_a_message_that_appears_in_the_inbox() {
    let (owner, agent, number) = owner_with_live_agent("message").await;
    let record = simulate_call(json!({
        "number": number.as_str(), "scenario": "message", "caller_name": "Jamie Rivera",
        "reason": "Please call me back about a wedding updo.", "urgency": "urgent",
        "arguments_as_string": true
    }))
    .await;
    assert!(
        record["problems"].as_array().unwrap().is_empty(),
        "{record}"
    );
    let inbox = messages(&owner, "").await;
    assert_eq!(inbox.unhandled, 1);
    let m = &inbox.messages[0];
    assert_eq!(m.caller_name, "Jamie Rivera");
    assert_eq!(m.urgency, MessageUrgency::Urgent);
    assert!(m.reason.contains("wedding updo"));
    let call = history_call(&owner, agent).await;
    assert_eq!(call.outcome, CallOutcome::MessageTaken);
    assert_eq!(m.call_id, Some(call.id));
    let handled = owner
        .post_empty(&format!("/api/messages/{}/handled", m.id))
        .await;
    assert_eq!(handled.status, 200, "{}", handled.text);
    assert_eq!(messages(&owner, "").await.unhandled, 0);
    // Another owner sees neither the call nor the message.
    let (stranger, _) = signed_up_owner("stranger").await;
    let theirs = stranger.get(&format!("/api/calls/{}", call.id)).await;
    assert_eq!(theirs.status, 404);
    assert_eq!(messages(&stranger, "?status=all").await.total, 0);
    let agent_of_other = stranger.get(&format!("/api/agents/{agent}")).await;
    assert_eq!(agent_of_other.status, 404);
}

#[tokio::test]
async fn a_five_second_call_is_free_and_a_blocked_account_is_refused() {
    let (owner, agent, number) = owner_with_live_agent("blocked").await;
    let before = balance(&owner).await;
    let record = simulate_call(json!({"number": number.as_str(), "scenario": "hangup_5s"})).await;
    assert_eq!(record["ended_reason"], "customer-ended-call");
    let call = history_call(&owner, agent).await;
    assert_eq!(call.charged_seconds, 0);
    assert_eq!(balance(&owner).await, before);

    // An admin takes the whole balance and the overage: calls are refused.
    let account = me(&owner).await.account.id;
    let admin = admin_client().await;
    let adjusted =
        adjust_credits(&admin, account, -(before + 900), "e2e: use up the credits").await;
    assert_eq!(adjusted.status, 201, "{}", adjusted.text);
    let refused = simulate_call(json!({"number": number.as_str(), "scenario": "faq"})).await;
    assert_eq!(refused["ended_reason"], "assistant-request-returned-error");
    assert!(bot_says(&refused)
        .iter()
        .any(|s| s.contains("cannot take your call")));
    let page = owner
        .get(&format!(
            "/api/calls?agent_id={agent}&outcome={}",
            CallOutcome::Refused
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let page: api::CallPage = page.json_as().unwrap();
    assert_eq!(page.total, 1, "{page:?}");
    assert_eq!(page.calls[0].charged_seconds, 0);
    assert_eq!(page.calls[0].outcome, CallOutcome::Refused);
}

#[tokio::test]
async fn the_vapi_webhook_refuses_unauthenticated_requests_and_bad_input_gets_field_errors() {
    let anonymous = Client::new();
    let answer = anonymous
        .post(
            "/api/webhooks/vapi",
            json!({"message": {"type": "status-update", "call": {"id": "x"}}}),
        )
        .await;
    assert_eq!(answer.status, 401, "{}", answer.text);
    assert_eq!(answer.error_code(), ErrorCode::Unauthorized);

    // Vapi embeds the whole transcript: a 2 MiB message is taken on this
    // route, while the rest of the API keeps its 1 MiB limit.
    let long = "A long conversation turn said on the phone. ".repeat(48_000);
    let big = json!({"message": {"type": "conversation-update", "call": {"id": "big"},
        "artifact": {"messages": [{"role": "user", "message": long}]}}})
    .to_string();
    assert!(big.len() > 2 * 1024 * 1024);
    let mut headers = json_headers();
    headers.insert(
        "x-vapi-secret",
        reqwest::header::HeaderValue::from_static(kmx::stack::SANDBOX_VAPI_WEBHOOK_SECRET),
    );
    let answer = anonymous
        .post_raw("/api/webhooks/vapi", headers, big.clone().into_bytes())
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let answer = anonymous
        .post_raw("/api/auth/login", json_headers(), big.into_bytes())
        .await;
    assert_eq!(answer.status, 413, "{}", answer.text);

    let (owner, _) = signed_up_owner("badinput").await;
    let mut p = profile();
    p["timezone"] = json!("Nowhere/Special");
    p["hours"][0]["close"] = json!("08:00");
    p["faqs"][0]["question"] = json!("");
    let answer = owner
        .post("/api/agents", json!({"template": "support", "profile": p}))
        .await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    for field in [
        "profile.timezone",
        "profile.hours[0].close",
        "profile.faqs[0].question",
    ] {
        assert!(
            answer.field_error(field).is_some(),
            "{field}: {}",
            answer.text
        );
    }
    let answer = owner
        .post("/api/agents", json!({"template": "karaoke"}))
        .await;
    assert!(answer.field_error("template").is_some(), "{}", answer.text);
}
