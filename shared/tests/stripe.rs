//! The Stripe webhook (signed events crediting purchases, refunds and
//! disputes) and the credit packs, against a real PostgreSQL.

use chrono::Utc;
use shared::api::{self, AccountId, ErrorCode, LedgerKind, PackId, PurchaseId, PurchaseStatus};
use shared::app::App;
use shared::billing::{self, signature};
use shared::credits;
use shared::error::Error;
use shared::testing::{self, an_owner, scalar};
use uuid::Uuid;

fn signed(body: &str) -> String {
    let t = Utc::now().timestamp();
    format!(
        "t={t},v1={}",
        signature::v1(testing::STRIPE_WEBHOOK_SECRET, t, body.as_bytes())
    )
}

/// A pending purchase of the Starter pack with Checkout Session `session`,
/// inserted as a row: [`billing::checkout`], which makes it, creates the
/// session at Stripe (the network), which these tests replace with the
/// events they sign themselves.
async fn insert_pending_purchase(app: &App, account: AccountId, session: &str) -> PurchaseId {
    let db = app.db.get().await.unwrap();
    db.query_one(
        "INSERT INTO purchases (account_id, pack_id, pack_name, seconds, price_cents, currency, stripe_session_id)
         SELECT $1, id, name, seconds, price_cents, currency, $2 FROM credit_packs WHERE name = 'Starter'
         RETURNING id",
        &[&account, &session],
    )
    .await
    .unwrap()
    .get(0)
}

fn completed_event(event: &str, session: &str, account: AccountId, payment_status: &str) -> String {
    serde_json::json!({
        "id": event, "object": "event", "type": "checkout.session.completed", "api_version": "2026-09-30.endive",
        "created": Utc::now().timestamp(), "livemode": false, "pending_webhooks": 1, "request": {"id": null, "idempotency_key": null},
        "data": {"object": {"id": session, "object": "checkout.session", "mode": "payment", "status": "complete",
            "payment_status": payment_status, "amount_total": 2500, "currency": "usd",
            "client_reference_id": account.to_string(), "payment_intent": format!("pi_{session}"), "metadata": {}}}
    })
    .to_string()
}

fn charge_refunded(event: &str, session: &str, refunded: i64) -> String {
    serde_json::json!({
        "id": event, "object": "event", "type": "charge.refunded", "created": Utc::now().timestamp(), "livemode": false,
        "data": {"object": {"id": format!("ch_{session}"), "object": "charge", "amount": 2500, "amount_refunded": refunded,
            "refunded": refunded == 2500, "payment_intent": format!("pi_{session}"), "currency": "usd"}}
    })
    .to_string()
}

async fn deliver(app: &App, body: &str) -> Result<billing::Receipt, Error> {
    billing::receive_webhook(app, Some(&signed(body)), body.as_bytes()).await
}

#[tokio::test]
async fn a_paid_checkout_credits_once_whatever_the_duplicates_and_concurrency() {
    let app = testing::app().await;
    let account = an_owner(&app).await.me.account.id;
    insert_pending_purchase(&app, account, "cs_1").await;
    let completed = completed_event("evt_1", "cs_1", account, "paid");
    let succeeded = completed_event("evt_2", "cs_1", account, "paid").replace(
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    );
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let app = app.clone();
            let body = if i % 2 == 0 {
                completed.clone()
            } else {
                succeeded.clone()
            };
            tokio::spawn(async move { deliver(&app, &body).await.unwrap() })
        })
        .collect();
    let receipts: Vec<_> = futures_join(tasks).await;
    assert_eq!(
        receipts.iter().filter(|r| !r.duplicate).count(),
        2,
        "each event id is stored once"
    );
    assert_eq!(
        credits::balance(&app, account)
            .await
            .unwrap()
            .balance_seconds,
        600 + 6000
    );
    let events: i64 = scalar(&app, "SELECT count(*) FROM stripe_events", &[]).await;
    assert_eq!(events, 2);
}

async fn futures_join<T: Send + 'static>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test]
async fn a_delayed_payment_credits_only_when_it_succeeds_and_a_failure_marks_the_purchase() {
    let app = testing::app().await;
    let account = an_owner(&app).await.me.account.id;
    let ok = insert_pending_purchase(&app, account, "cs_ok").await;
    let bad = insert_pending_purchase(&app, account, "cs_bad").await;
    deliver(&app, &completed_event("evt_a", "cs_ok", account, "unpaid"))
        .await
        .unwrap();
    assert_eq!(
        credits::balance(&app, account)
            .await
            .unwrap()
            .balance_seconds,
        600
    );
    let later = completed_event("evt_b", "cs_ok", account, "paid").replace(
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    );
    deliver(&app, &later).await.unwrap();
    assert_eq!(
        credits::balance(&app, account)
            .await
            .unwrap()
            .balance_seconds,
        6600
    );
    assert_eq!(
        billing::purchase(&app, account, ok).await.unwrap().status,
        PurchaseStatus::Paid
    );
    let failed = completed_event("evt_c", "cs_bad", account, "unpaid").replace(
        "checkout.session.completed",
        "checkout.session.async_payment_failed",
    );
    deliver(&app, &failed).await.unwrap();
    assert_eq!(
        billing::purchase(&app, account, bad).await.unwrap().status,
        PurchaseStatus::Failed
    );
    let other = an_owner(&app).await.me.account.id;
    assert_eq!(
        billing::purchase(&app, other, ok)
            .await
            .unwrap_err()
            .status(),
        404,
        "tenants are isolated"
    );
}

#[tokio::test]
async fn partial_refunds_claw_back_their_share_once_in_any_order() {
    let app = testing::app().await;
    let account = an_owner(&app).await.me.account.id;
    insert_pending_purchase(&app, account, "cs_r").await;
    deliver(&app, &completed_event("evt_pay", "cs_r", account, "paid"))
        .await
        .unwrap();
    // A quarter refunded, then half in total; delivered late, duplicated and reordered.
    let quarter = charge_refunded("evt_r1", "cs_r", 625);
    let half = charge_refunded("evt_r2", "cs_r", 1250);
    deliver(&app, &half).await.unwrap();
    deliver(&app, &quarter).await.unwrap();
    deliver(&app, &half).await.unwrap();
    assert_eq!(
        credits::balance(&app, account)
            .await
            .unwrap()
            .balance_seconds,
        6600 - 3000
    );
    let dispute = serde_json::json!({"id": "evt_d", "type": "charge.dispute.created", "object": "event",
        "data": {"object": {"id": "dp_1", "object": "dispute", "amount": 2500, "charge": "ch_cs_r", "payment_intent": "pi_cs_r", "status": "needs_response"}}}).to_string();
    deliver(&app, &dispute).await.unwrap();
    assert_eq!(
        credits::balance(&app, account)
            .await
            .unwrap()
            .balance_seconds,
        600,
        "the dispute takes the rest"
    );
    let kinds: Vec<LedgerKind> = credits::ledger(&app, account, Default::default())
        .await
        .unwrap()
        .entries
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            LedgerKind::Dispute,
            LedgerKind::Refund,
            LedgerKind::Purchase,
            LedgerKind::SignupGrant
        ]
    );
}

#[tokio::test]
async fn bad_signatures_and_malformed_events_are_refused_and_nothing_is_stored() {
    let app = testing::app().await;
    let account = an_owner(&app).await.me.account.id;
    insert_pending_purchase(&app, account, "cs_x").await;
    let body = completed_event("evt_x", "cs_x", account, "paid");
    let unsigned = billing::receive_webhook(&app, None, body.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(
        (unsigned.status(), unsigned.code()),
        (400, ErrorCode::InvalidSignature)
    );
    let tampered = billing::receive_webhook(
        &app,
        Some(&signed(&body)),
        body.replace("paid", "paid ").as_bytes(),
    )
    .await
    .unwrap_err();
    assert_eq!(tampered.status(), 400);
    let stale_t = Utc::now().timestamp() - 301;
    let stale = format!(
        "t={stale_t},v1={}",
        signature::v1(testing::STRIPE_WEBHOOK_SECRET, stale_t, body.as_bytes())
    );
    assert_eq!(
        billing::receive_webhook(&app, Some(&stale), body.as_bytes())
            .await
            .unwrap_err()
            .status(),
        400
    );
    let malformed = deliver(&app, "{\"id\": \"evt_y\"").await.unwrap_err();
    assert_eq!(
        (malformed.status(), malformed.code()),
        (400, ErrorCode::MalformedJson)
    );
    let shapeless = deliver(&app, "{\"id\": \"evt_z\", \"type\": \"charge.refunded\"}")
        .await
        .unwrap_err();
    assert_eq!(shapeless.status(), 400);
    let stored: i64 = scalar(&app, "SELECT count(*) FROM stripe_events", &[]).await;
    assert_eq!(stored, 0);
    assert_eq!(
        credits::balance(&app, account)
            .await
            .unwrap()
            .balance_seconds,
        600
    );
}

#[tokio::test]
async fn unknown_sessions_and_event_types_are_stored_and_ignored() {
    let app = testing::app().await;
    let account = an_owner(&app).await.me.account.id;
    let r = deliver(
        &app,
        &completed_event("evt_u", "cs_unknown", account, "paid"),
    )
    .await
    .unwrap();
    assert!(r.outcome.contains("unknown session"), "{}", r.outcome);
    let other = serde_json::json!({"id": "evt_o", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}).to_string();
    assert!(deliver(&app, &other)
        .await
        .unwrap()
        .outcome
        .contains("ignored"));
    let stored: i64 = scalar(&app, "SELECT count(*) FROM stripe_events", &[]).await;
    assert_eq!(stored, 2);
}

#[tokio::test]
async fn admins_edit_packs_and_owners_see_only_active_ones() {
    let app = testing::app().await;
    let packs = billing::active_packs(&app).await.unwrap().packs;
    let names: Vec<_> = packs
        .iter()
        .map(|p| (p.name.as_str(), p.seconds, p.price_cents))
        .collect();
    assert_eq!(
        names,
        [
            ("Starter", 6000, 2500),
            ("Growth", 30000, 10000),
            ("Pro", 90000, 27000)
        ]
    );
    let bad = billing::create_pack(
        &app,
        api::NewPack {
            name: "".into(),
            seconds: 90,
            price_cents: 0,
            active: true,
            sort: 9,
        },
    )
    .await
    .unwrap_err();
    let Error::Validation(fields) = bad else {
        panic!()
    };
    assert!(
        fields.contains_key("name")
            && fields.contains_key("seconds")
            && fields.contains_key("price_cents")
    );
    billing::create_pack(
        &app,
        api::NewPack {
            name: "Tiny".into(),
            seconds: 600,
            price_cents: 300,
            active: true,
            sort: 0,
        },
    )
    .await
    .unwrap();
    billing::update_pack(
        &app,
        packs[0].id,
        api::PackPatch {
            active: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let active: Vec<_> = billing::active_packs(&app)
        .await
        .unwrap()
        .packs
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(active, ["Tiny", "Growth", "Pro"]);
    assert_eq!(billing::all_packs(&app).await.unwrap().packs.len(), 4);
    assert_eq!(
        billing::update_pack(&app, PackId(Uuid::new_v4()), Default::default())
            .await
            .unwrap_err()
            .status(),
        404
    );
}
