//! The voice pipeline end to end: the gateway, the functions, and the Vapi
//! sandbox, whose call simulator dials an agent's number and plays a caller
//! by sending Vapi's real server messages to our webhook.

use e2e::*;
use serde_json::Value;

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
async fn owner_with_live_agent(prefix: &str) -> (Client, String, String) {
    provision_numbers(1).await;
    let (owner, _) = signed_up_owner(prefix).await;
    let catalog = owner.get("/api/templates").await;
    assert_eq!(catalog.status, 200, "{}", catalog.text);
    assert!(catalog.json["templates"].as_array().unwrap().len() >= 5);
    let created = owner
        .post(
            "/api/agents",
            json!({"template": "appointments", "name": "Front desk"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_string();
    let patched = owner
        .send(
            reqwest::Method::PATCH,
            &format!("/api/agents/{id}"),
            json_headers(),
            Some(json!({"profile": profile()}).to_string().into_bytes()),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let taken = owner
        .post(&format!("/api/agents/{id}/number"), json!({}))
        .await;
    assert_eq!(taken.status, 200, "{}", taken.text);
    let number = taken.json["number"]["number"].as_str().unwrap().to_string();
    assert!(taken.json["test_call_url"]
        .as_str()
        .unwrap()
        .contains("/_sandbox?number="));
    (owner, id, number)
}

fn json_headers() -> reqwest::header::HeaderMap {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(
        reqwest::header::CONTENT_TYPE,
        reqwest::header::HeaderValue::from_static("application/json"),
    );
    h
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

async fn balance(owner: &Client) -> i64 {
    owner.get("/api/credits").await.json["balance_seconds"]
        .as_i64()
        .unwrap()
}

/// The call as the owner's history shows it, waiting for its report.
async fn history_call(owner: &Client, agent: &str) -> Value {
    for _ in 0..50 {
        let page = owner.get(&format!("/api/calls?agent_id={agent}")).await;
        assert_eq!(page.status, 200, "{}", page.text);
        if let Some(call) = page.json["calls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == "ended" && c["outcome"] != "unknown")
        {
            return call.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no finished call in the history of agent {agent}");
}

#[tokio::test]
async fn a_caller_asks_an_faq_and_the_receptionist_answers_from_the_profile() {
    let (owner, agent, number) = owner_with_live_agent("faq").await;
    let before = balance(&owner).await;
    let record = simulate_call(json!({
        "number": number, "scenario": "faq", "question": "Do you have parking?",
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
    let agent_now = owner.get(&format!("/api/agents/{agent}")).await;
    assert_eq!(
        agent_now.json["number"]["status"], "active",
        "the owner sees the number go live once Vapi has activated it"
    );
    let call = history_call(&owner, &agent).await;
    assert_eq!(call["outcome"], "answered");
    assert_eq!(call["duration_seconds"], 50);
    assert_eq!(
        call["charged_seconds"], 50,
        "charged once despite 3 reports"
    );
    assert!(call["summary"].as_str().unwrap().len() > 10);
    assert_eq!(balance(&owner).await, before - 50);
    let detail = owner
        .get(&format!("/api/calls/{}", call["id"].as_str().unwrap()))
        .await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    assert!(detail.json["recording_url"]
        .as_str()
        .unwrap()
        .starts_with("http"));
    let transcript = detail.json["transcript"].as_array().unwrap();
    assert!(transcript
        .iter()
        .any(|t| t["role"] == "caller" && t["text"] == "Do you have parking?"));
    assert!(transcript.iter().any(|t| t["role"] == "tool"));
    let ledger = owner.get("/api/credits/ledger").await;
    let call_entries: Vec<_> = ledger.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "call")
        .collect();
    assert_eq!(call_entries.len(), 1);
    assert_eq!(call_entries[0]["amount_seconds"], -50);
}

#[tokio::test]
async fn a_caller_leaves_a_message_that_appears_in_the_inbox() {
    let (owner, agent, number) = owner_with_live_agent("message").await;
    let record = simulate_call(json!({
        "number": number, "scenario": "message", "caller_name": "Jamie Rivera",
        "reason": "Please call me back about a wedding updo.", "urgency": "urgent",
        "arguments_as_string": true
    }))
    .await;
    assert!(
        record["problems"].as_array().unwrap().is_empty(),
        "{record}"
    );
    let inbox = owner.get("/api/messages").await;
    assert_eq!(inbox.status, 200, "{}", inbox.text);
    assert_eq!(inbox.json["unhandled"], 1);
    let m = &inbox.json["messages"][0];
    assert_eq!(m["caller_name"], "Jamie Rivera");
    assert_eq!(m["urgency"], "urgent");
    assert!(m["reason"].as_str().unwrap().contains("wedding updo"));
    let call = history_call(&owner, &agent).await;
    assert_eq!(call["outcome"], "message_taken");
    assert_eq!(m["call_id"], call["id"]);
    let handled = owner
        .post_empty(&format!(
            "/api/messages/{}/handled",
            m["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(handled.status, 200, "{}", handled.text);
    assert_eq!(owner.get("/api/messages").await.json["unhandled"], 0);
    // Another owner sees neither the call nor the message.
    let (stranger, _) = signed_up_owner("stranger").await;
    let theirs = stranger
        .get(&format!("/api/calls/{}", call["id"].as_str().unwrap()))
        .await;
    assert_eq!(theirs.status, 404);
    assert_eq!(
        stranger.get("/api/messages?status=all").await.json["total"],
        0
    );
    let agent_of_other = stranger.get(&format!("/api/agents/{agent}")).await;
    assert_eq!(agent_of_other.status, 404);
}

#[tokio::test]
async fn a_five_second_call_is_free_and_a_blocked_account_is_refused() {
    let (owner, agent, number) = owner_with_live_agent("blocked").await;
    let before = balance(&owner).await;
    let record = simulate_call(json!({"number": number, "scenario": "hangup_5s"})).await;
    assert_eq!(record["ended_reason"], "customer-ended-call");
    let call = history_call(&owner, &agent).await;
    assert_eq!(call["charged_seconds"], 0);
    assert_eq!(balance(&owner).await, before);

    // An admin takes the whole balance and the overage: calls are refused.
    let me = owner.get("/api/me").await;
    let account = me.json["account"]["id"].as_str().unwrap();
    let admin = admin_client().await;
    let adjusted = admin
        .post(
            &format!("/api/admin/accounts/{account}/credits/adjust"),
            json!({"amount_seconds": -(before + 900), "reason": "e2e: use up the credits"}),
        )
        .await;
    assert_eq!(adjusted.status, 201, "{}", adjusted.text);
    let refused = simulate_call(json!({"number": number, "scenario": "faq"})).await;
    assert_eq!(refused["ended_reason"], "assistant-request-returned-error");
    assert!(bot_says(&refused)
        .iter()
        .any(|s| s.contains("cannot take your call")));
    let page = owner
        .get(&format!("/api/calls?agent_id={agent}&outcome=refused"))
        .await;
    assert_eq!(page.json["total"], 1, "{}", page.text);
    assert_eq!(page.json["calls"][0]["charged_seconds"], 0);
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
    assert_eq!(answer.error_code(), "unauthorized");

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
        .send(
            reqwest::Method::POST,
            "/api/webhooks/vapi",
            headers,
            Some(big.clone().into_bytes()),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let answer = anonymous
        .send(
            reqwest::Method::POST,
            "/api/auth/login",
            json_headers(),
            Some(big.into_bytes()),
        )
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
