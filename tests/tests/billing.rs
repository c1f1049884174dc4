//! Buying credits end to end: the gateway, the functions, and the Stripe
//! sandbox (Checkout Sessions, hosted page, signed webhook deliveries).

use e2e::*;
use serde_json::Value;
use std::time::{Duration, Instant};

fn sandbox() -> String {
    env().stripe_sandbox.trim_end_matches('/').to_string()
}

async fn sandbox_post(path: &str, body: Value) -> Value {
    let answer = reqwest::Client::new()
        .post(format!("{}{path}", sandbox()))
        .json(&body)
        .send()
        .await
        .expect("the Stripe sandbox answers");
    let status = answer.status();
    let text = answer.text().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn sandbox_get(path: &str) -> Value {
    reqwest::get(format!("{}{path}", sandbox()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Starts a checkout of the Starter pack; returns (purchase id, session id).
async fn start_checkout(owner: &Client) -> (String, String) {
    let packs = owner.get("/api/billing/packs").await;
    assert_eq!(packs.status, 200, "{}", packs.text);
    let starter = packs.json["packs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Starter")
        .expect("the Starter pack is on sale")
        .clone();
    assert_eq!(
        (starter["seconds"].as_i64(), starter["price_cents"].as_i64()),
        (Some(6000), Some(2500))
    );
    let checkout = owner
        .post("/api/billing/checkout", json!({"pack_id": starter["id"]}))
        .await;
    assert_eq!(checkout.status, 201, "{}", checkout.text);
    let url = checkout.json["url"].as_str().unwrap().to_string();
    assert!(
        url.starts_with(&sandbox()),
        "the owner is sent to Stripe Checkout: {url}"
    );
    let session = url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert!(session.starts_with("cs_"), "{session}");
    (
        checkout.json["purchase_id"].as_str().unwrap().to_string(),
        session,
    )
}

async fn balance(owner: &Client) -> i64 {
    let credits = owner.get("/api/credits").await;
    assert_eq!(credits.status, 200, "{}", credits.text);
    credits.json["balance_seconds"].as_i64().unwrap()
}

async fn wait_for_balance(owner: &Client, expected: i64) {
    let started = Instant::now();
    loop {
        let now = balance(owner).await;
        if now == expected {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "balance stayed {now}, expected {expected}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn buying_a_pack_credits_it_exactly_once_despite_five_concurrent_reordered_deliveries() {
    let (owner, _) = signed_up_owner("buyer").await;
    assert_eq!(balance(&owner).await, 600, "the trial grant");
    let (purchase, session) = start_checkout(&owner).await;
    let pending = owner
        .get(&format!("/api/billing/purchases/{purchase}"))
        .await;
    assert_eq!(pending.json["status"], "pending");

    let completed = sandbox_post(
        &format!("/_sandbox/checkout/sessions/{session}/complete"),
        json!({"payment_status": "paid", "deliver": false}),
    )
    .await;
    let succeeded = sandbox_post(
        &format!("/_sandbox/checkout/sessions/{session}/async_payment_succeeded"),
        json!({"deliver": false}),
    )
    .await;
    let events = json!([succeeded["event_id"], completed["event_id"]]);
    let deliveries = sandbox_post(
        "/_sandbox/deliver",
        json!({"event_ids": events, "times": 5, "concurrent": true, "order": "shuffle"}),
    )
    .await;
    let statuses: Vec<i64> = deliveries
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses.len(), 10);
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");

    assert_eq!(balance(&owner).await, 600 + 6000);
    let paid = owner
        .get(&format!("/api/billing/purchases/{purchase}"))
        .await;
    assert_eq!(paid.json["status"], "paid");
    let ledger = owner.get("/api/credits/ledger").await;
    let kinds: Vec<&str> = ledger.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["purchase", "signup_grant"]);
}

#[tokio::test]
async fn a_partial_refund_claws_back_its_share_once() {
    let (owner, _) = signed_up_owner("refund").await;
    let (_, session) = start_checkout(&owner).await;
    sandbox_post(
        &format!("/_sandbox/checkout/sessions/{session}/complete"),
        json!({"payment_status": "paid", "deliver": true}),
    )
    .await;
    wait_for_balance(&owner, 6600).await;
    let details = sandbox_get(&format!("/_sandbox/checkout/sessions/{session}")).await;
    let charge = details["charge"]["id"]
        .as_str()
        .or(details["charge"].as_str())
        .unwrap_or_else(|| panic!("the sandbox names the session's charge: {details}"))
        .to_string();
    let refund = sandbox_post(
        &format!("/_sandbox/charges/{charge}/refund"),
        json!({"amount": 1250, "deliver": false}),
    )
    .await;
    let deliveries = sandbox_post(
        "/_sandbox/deliver",
        json!({"event_ids": [refund["event_id"]], "times": 3, "concurrent": true}),
    )
    .await;
    assert_eq!(deliveries.as_array().unwrap().len(), 3);
    assert_eq!(
        balance(&owner).await,
        6600 - 3000,
        "half the money back takes half the minutes, once"
    );
}

#[tokio::test]
async fn the_stripe_webhook_refuses_unsigned_and_tampered_events() {
    let client = Client::new();
    let body = json!({"id": "evt_forged", "type": "checkout.session.completed", "data": {"object": {"id": "cs_x", "payment_status": "paid"}}});
    let unsigned = client.post("/api/webhooks/stripe", body.clone()).await;
    assert_eq!(
        (unsigned.status, unsigned.error_code()),
        (400, "invalid_signature"),
        "{}",
        unsigned.text
    );
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    headers.insert(
        "stripe-signature",
        "t=1767225600,v1=f3e74f3f82c055a2bfff5aa8e281c49d647a2d03c0722b2640bc9edaaf9efe89"
            .parse()
            .unwrap(),
    );
    let stale = client
        .send(
            reqwest::Method::POST,
            "/api/webhooks/stripe",
            headers,
            Some(body.to_string().into_bytes()),
        )
        .await;
    assert_eq!(stale.status, 400);
}

#[tokio::test]
async fn billing_bad_input_and_other_accounts_are_refused() {
    let (owner, _) = signed_up_owner("billing-bad").await;
    let unknown = owner
        .post(
            "/api/billing/checkout",
            json!({"pack_id": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.field_error("pack_id").is_some(), "{}", unknown.text);
    let not_uuid = owner
        .post("/api/billing/checkout", json!({"pack_id": "starter"}))
        .await;
    assert_eq!(not_uuid.status, 400);

    let (purchase, _) = start_checkout(&owner).await;
    let (stranger, _) = signed_up_owner("stranger").await;
    assert_eq!(
        stranger
            .get(&format!("/api/billing/purchases/{purchase}"))
            .await
            .status,
        404
    );
    let me = owner.get("/api/me").await;
    let account = me.json["account"]["id"].as_str().unwrap();
    assert_eq!(
        stranger
            .get(&format!("/api/admin/accounts/{account}/ledger"))
            .await
            .status,
        403
    );
    assert_eq!(stranger.get("/api/credits/ledger?page=0").await.status, 400);
}

#[tokio::test]
async fn an_admin_adjusts_an_account_with_a_reason_and_edits_packs() {
    let (owner, _) = signed_up_owner("adjusted").await;
    let account = owner.get("/api/me").await.json["account"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = admin_client().await;
    let no_reason = admin
        .post(
            &format!("/api/admin/accounts/{account}/credits/adjust"),
            json!({"amount_seconds": 600, "reason": ""}),
        )
        .await;
    assert_eq!(no_reason.status, 400);
    assert!(no_reason.field_error("reason").is_some());
    let overflow = admin
        .post(
            &format!("/api/admin/accounts/{account}/credits/adjust"),
            json!({"amount_seconds": i64::MAX, "reason": "x"}),
        )
        .await;
    assert_eq!(overflow.status, 400);
    let adjusted = admin
        .post(
            &format!("/api/admin/accounts/{account}/credits/adjust"),
            json!({"amount_seconds": 150, "reason": "Goodwill for a dropped call"}),
        )
        .await;
    assert_eq!(adjusted.status, 201, "{}", adjusted.text);
    assert_eq!(balance(&owner).await, 750);
    let ledger = admin
        .get(&format!("/api/admin/accounts/{account}/ledger"))
        .await;
    assert_eq!(ledger.json["entries"][0]["kind"], "admin_adjustment");

    let created = admin
        .post(
            "/api/admin/packs",
            json!({"name": "Trial Plus", "seconds": 1200, "price_cents": 500}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap();
    let hidden = admin
        .send(
            reqwest::Method::PATCH,
            &format!("/api/admin/packs/{id}"),
            json_header(),
            Some(json!({"active": false}).to_string().into_bytes()),
        )
        .await;
    assert_eq!(hidden.status, 200, "{}", hidden.text);
    let on_sale = owner.get("/api/billing/packs").await;
    assert!(on_sale.json["packs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["name"] != "Trial Plus"));
    let bought = owner
        .post("/api/billing/checkout", json!({"pack_id": id}))
        .await;
    assert_eq!(bought.status, 400, "an inactive pack cannot be bought");
}

fn json_header() -> reqwest::header::HeaderMap {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("content-type", "application/json".parse().unwrap());
    h
}
