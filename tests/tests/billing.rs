//! Buying credits end to end: the gateway, the functions, and the Stripe
//! sandbox (Checkout Sessions, hosted page, signed webhook deliveries).

use e2e::*;
use serde_json::Value;
use shared::api::{self, ErrorCode, LedgerKind, PurchaseId, PurchaseStatus};
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
async fn start_checkout(owner: &Client) -> (PurchaseId, String) {
    let packs = owner.get("/api/billing/packs").await;
    assert_eq!(packs.status, 200, "{}", packs.text);
    let packs: api::PackList = packs.json_as().unwrap();
    let starter = packs
        .packs
        .iter()
        .find(|p| p.name == "Starter")
        .expect("the Starter pack is on sale");
    assert_eq!((starter.seconds, starter.price_cents), (6000, 2500));
    let checkout = owner
        .post("/api/billing/checkout", json!({"pack_id": starter.id}))
        .await;
    assert_eq!(checkout.status, 201, "{}", checkout.text);
    let checkout: api::CheckoutResponse = checkout.json_as().unwrap();
    assert!(
        checkout.url.starts_with(&sandbox()),
        "the owner is sent to Stripe Checkout: {}",
        checkout.url
    );
    let session = checkout
        .url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert!(session.starts_with("cs_"), "{session}");
    (checkout.purchase_id, session)
}

async fn purchase_status(owner: &Client, purchase: PurchaseId) -> PurchaseStatus {
    let answer = owner
        .get(&format!("/api/billing/purchases/{purchase}"))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json_as::<api::Purchase>().unwrap().status
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
    assert_eq!(
        purchase_status(&owner, purchase).await,
        PurchaseStatus::Pending
    );

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
    assert_eq!(
        purchase_status(&owner, purchase).await,
        PurchaseStatus::Paid
    );
    let kinds: Vec<LedgerKind> = ledger(&owner)
        .await
        .entries
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [LedgerKind::Purchase, LedgerKind::SignupGrant]);
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
        (400, ErrorCode::InvalidSignature),
        "{}",
        unsigned.text
    );
    let mut headers = json_headers();
    headers.insert(
        "stripe-signature",
        "t=1767225600,v1=f3e74f3f82c055a2bfff5aa8e281c49d647a2d03c0722b2640bc9edaaf9efe89"
            .parse()
            .unwrap(),
    );
    let stale = client
        .post_raw(
            "/api/webhooks/stripe",
            headers,
            body.to_string().into_bytes(),
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
    let account = me(&owner).await.account.id;
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
async fn an_admin_adjusts_an_account_with_a_reason_and_edits_packs() -> anyhow::Result<()> {
    let (owner, _) = signed_up_owner("adjusted").await;
    let account = me(&owner).await.account.id;
    let admin = admin_client().await;
    let no_reason = adjust_credits(&admin, account, 600, "").await;
    assert_eq!(no_reason.status, 400);
    assert!(no_reason.field_error("reason").is_some());
    let overflow = adjust_credits(&admin, account, i64::MAX, "x").await;
    assert_eq!(overflow.status, 400);
    let adjusted = adjust_credits(&admin, account, 150, "Goodwill for a dropped call").await;
    assert_eq!(adjusted.status, 201, "{}", adjusted.text);
    let entry: api::LedgerEntry = adjusted.json_as()?;
    assert_eq!(
        (entry.kind, entry.amount_seconds),
        (LedgerKind::AdminAdjustment, 150)
    );
    assert_eq!(balance(&owner).await, 750);
    let ledger = admin
        .get(&format!("/api/admin/accounts/{account}/ledger"))
        .await;
    assert_eq!(ledger.status, 200, "{}", ledger.text);
    let ledger: api::LedgerPage = ledger.json_as()?;
    assert_eq!(ledger.entries[0].kind, LedgerKind::AdminAdjustment);

    let created = admin
        .post(
            "/api/admin/packs",
            json!({"name": "Trial Plus", "seconds": 1200, "price_cents": 500}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let created: api::Pack = created.json_as()?;
    let id = created.id;
    let hidden = admin
        .patch(&format!("/api/admin/packs/{id}"), json!({"active": false}))
        .await;
    assert_eq!(hidden.status, 200, "{}", hidden.text);
    assert!(!hidden.json_as::<api::Pack>()?.active);
    let on_sale: api::PackList = owner.get("/api/billing/packs").await.json_as()?;
    assert!(on_sale.packs.iter().all(|p| p.name != "Trial Plus"));
    let bought = owner
        .post("/api/billing/checkout", json!({"pack_id": id}))
        .await;
    assert_eq!(bought.status, 400, "an inactive pack cannot be bought");
    Ok(())
}
