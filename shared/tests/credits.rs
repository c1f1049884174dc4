//! The credit ledger and the Stripe webhook against a real PostgreSQL.

use chrono::Utc;
use proptest::prelude::*;
use shared::accounts::{self, ClientInfo};
use shared::api::{self, CreditState};
use shared::app::App;
use shared::billing::{self, signature};
use shared::credits::{self, Kind, Movement};
use shared::error::Error;
use shared::testing;
use std::sync::Arc;
use uuid::Uuid;

async fn new_account(app: &App) -> (Uuid, Uuid) {
    let email = format!("{}@credits.example.com", Uuid::new_v4().simple());
    let s = accounts::signup(
        app,
        api::SignupRequest {
            email,
            password: "blue-harbour-lantern".into(),
            business_name: "Ann's Salon".into(),
        },
        &ClientInfo::default(),
    )
    .await
    .unwrap();
    (s.me.account.id, s.me.user.id)
}

async fn admin(app: &App) -> Uuid {
    accounts::upsert_user(
        app,
        &format!("{}@kametrix.example", Uuid::new_v4().simple()),
        "admin-pass-phrase",
        "Kametrix",
        api::Role::Admin,
    )
    .await
    .unwrap()
}

fn call(n: u64) -> Movement {
    Movement::new(
        Kind::Call,
        0,
        format!("call:{n}:{}", Uuid::new_v4()),
        "Call",
    )
}

async fn ledger_sum(app: &App, account: Uuid) -> (i64, i64, i64) {
    let db = app.db.get().await.unwrap();
    let row = db
        .query_one(
            "SELECT (SELECT balance_seconds FROM accounts WHERE id = $1),
                    (SELECT coalesce(sum(amount_seconds), 0)::bigint FROM ledger_entries WHERE account_id = $1),
                    (SELECT balance_after FROM ledger_entries WHERE account_id = $1 ORDER BY id DESC LIMIT 1)",
            &[&account],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1), row.get(2))
}

#[tokio::test]
async fn a_new_account_starts_with_a_ten_minute_trial_grant_once() {
    let app = testing::app().await;
    let (account, _) = new_account(&app).await;
    let view = credits::balance(&app, account).await.unwrap();
    assert_eq!(view.balance_seconds, 600);
    assert_eq!(view.state, CreditState::Ok);
    let page = credits::ledger(&app, account, Default::default())
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.entries[0].kind, "signup_grant");
    let mut db = app.db.get().await.unwrap();
    let tx = db.transaction().await.unwrap();
    assert!(
        credits::grant_signup(&tx, account).await.unwrap().duplicate,
        "the grant is one-time"
    );
}

#[tokio::test]
async fn the_same_cause_never_moves_the_balance_twice() {
    let app = testing::app().await;
    let (account, _) = new_account(&app).await;
    let movement = Movement::new(Kind::Call, 0, "call:abc", "Call abc");
    let first = credits::debit(&app, account, 120, movement.clone())
        .await
        .unwrap();
    let again = credits::debit(&app, account, 120, movement).await.unwrap();
    assert_eq!((first.charged, first.duplicate), (120, false));
    assert!(again.duplicate);
    assert_eq!(again.balance_seconds, 480);
    assert_eq!(ledger_sum(&app, account).await.0, 480);
}

#[tokio::test]
async fn concurrent_debits_on_one_account_serialize_and_add_up_exactly() {
    let app = testing::app().await;
    let (account, _) = new_account(&app).await;
    let tasks: Vec<_> = (0..40)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move { credits::debit(&app, account, 10, call(n)).await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let (balance, sum, last) = ledger_sum(&app, account).await;
    assert_eq!(balance, 600 - 400);
    assert_eq!((sum, last), (balance, balance));
}

#[tokio::test]
async fn the_database_refuses_a_balance_below_the_overage_outside_admin_adjustments() {
    let app = testing::app().await;
    let (account, _) = new_account(&app).await;
    let db = app.db.get().await.unwrap();
    let e = db
        .execute(
            "UPDATE accounts SET balance_seconds = -901 WHERE id = $1",
            &[&account],
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some(&tokio_postgres::error::SqlState::CHECK_VIOLATION),
        "{e}"
    );
    db.execute(
        "UPDATE accounts SET balance_seconds = -900 WHERE id = $1",
        &[&account],
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn debits_run_into_fifteen_minutes_of_grace_then_block_and_a_purchase_pays_the_overage() {
    let app = testing::app().await;
    let (account, _) = new_account(&app).await;
    let low = credits::debit(&app, account, 60, call(1)).await.unwrap();
    assert_eq!(low.state, CreditState::Low);
    let grace = credits::debit(&app, account, 600, call(2)).await.unwrap();
    assert_eq!(
        (grace.state, grace.balance_seconds),
        (CreditState::Grace, -60)
    );
    let view = credits::balance(&app, account).await.unwrap();
    let deadline = view.grace_deadline.expect("a grace deadline below zero");
    assert!(
        (deadline - Utc::now() - chrono::Duration::days(7))
            .num_seconds()
            .abs()
            < 10
    );
    let blocked = credits::debit(&app, account, 1000, call(3)).await.unwrap();
    assert_eq!(blocked.state, CreditState::Blocked);
    assert_eq!(
        blocked.balance_seconds, -900,
        "never below the allowed overage"
    );
    assert_eq!((blocked.charged, blocked.unbilled), (840, 160));

    let mut db = app.db.get().await.unwrap();
    let tx = db.transaction().await.unwrap();
    let buy = Movement::new(Kind::Purchase, 6000, "purchase:test", "Bought Starter");
    let bought = credits::apply(&tx, account, buy).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        bought.entry.balance_after_seconds, 5100,
        "the overage is paid first"
    );
    let view = credits::balance(&app, account).await.unwrap();
    assert_eq!(view.state, CreditState::Ok);
    assert_eq!(view.grace_deadline, None);
    assert_eq!(view.low_threshold_seconds, 1200, "20% of the last pack");
    let kinds: Vec<String> = view.recent_events.iter().map(|e| e.kind.clone()).collect();
    assert_eq!(kinds, ["ok", "blocked", "grace", "low"], "newest first");
}

#[tokio::test]
async fn a_lapsed_grace_period_blocks_the_account() {
    let app = testing::app().await;
    let (account, _) = new_account(&app).await;
    credits::debit(&app, account, 660, call(1)).await.unwrap();
    app.db.get().await.unwrap()
        .execute("UPDATE accounts SET overdrawn_since = now() - interval '7 days 1 minute' WHERE id = $1", &[&account])
        .await
        .unwrap();
    let view = credits::balance(&app, account).await.unwrap();
    assert_eq!(view.state, CreditState::Blocked);
    assert_eq!(
        view.recent_events[0].kind, "blocked",
        "the time-based block is recorded"
    );
}

#[tokio::test]
async fn admin_adjustments_need_a_reason_record_the_admin_and_may_go_below_the_overage() {
    let app = testing::app().await;
    let (account, _) = new_account(&app).await;
    let admin = admin(&app).await;
    let missing = credits::adjust(
        &app,
        admin,
        account,
        api::AdjustCreditsRequest {
            amount_seconds: 60,
            reason: "  ".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(missing, Error::Validation(ref f) if f.contains_key("reason")));
    let huge = credits::adjust(
        &app,
        admin,
        account,
        api::AdjustCreditsRequest {
            amount_seconds: i64::MAX,
            reason: "x".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(huge.status(), 400);
    let entry = credits::adjust(
        &app,
        admin,
        account,
        api::AdjustCreditsRequest {
            amount_seconds: -3000,
            reason: "Chargeback".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(entry.balance_after_seconds, -2400);
    let by: Uuid = app
        .db
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT admin_user_id FROM ledger_entries WHERE id = $1",
            &[&entry.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(by, admin);
    let missing_account = credits::adjust(
        &app,
        admin,
        Uuid::new_v4(),
        api::AdjustCreditsRequest {
            amount_seconds: 60,
            reason: "x".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(missing_account.status(), 404);
}

#[tokio::test]
async fn an_overage_override_changes_when_the_account_blocks() {
    let app = testing::app().await;
    let (account, _) = new_account(&app).await;
    let view = credits::set_overage(
        &app,
        account,
        api::OverageRequest {
            overage_limit_seconds: Some(0),
        },
    )
    .await
    .unwrap();
    assert_eq!(view.overage_limit_seconds, 0);
    let d = credits::debit(&app, account, 700, call(1)).await.unwrap();
    assert_eq!((d.balance_seconds, d.state), (0, CreditState::Blocked));
    let view = credits::set_overage(
        &app,
        account,
        api::OverageRequest {
            overage_limit_seconds: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (view.overage_limit_seconds, view.state),
        (900, CreditState::Grace)
    );
}

#[derive(Debug, Clone)]
enum Op {
    Debit(i64),
    Credit(i64),
    Adjust(i64),
    Replay,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1i64..2000).prop_map(Op::Debit),
        2 => (1i64..3000).prop_map(Op::Credit),
        1 => (-3000i64..3000).prop_filter("non-zero", |a| *a != 0).prop_map(Op::Adjust),
        1 => Just(Op::Replay),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn any_sequence_keeps_the_balance_equal_to_the_ledger_and_above_the_overage(ops in proptest::collection::vec(op(), 1..25)) {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let app: Arc<App> = testing::app().await;
            let (account, _) = new_account(&app).await;
            let admin = admin(&app).await;
            let mut last_key = None;
            for (i, op) in ops.iter().enumerate() {
                let before = credits::standing_of(&app.db.get().await.unwrap(), account).await.unwrap();
                match op {
                    Op::Debit(s) => {
                        let key = format!("op:{i}");
                        last_key = Some((key.clone(), *s));
                        credits::debit(&app, account, *s, Movement::new(Kind::Call, 0, key, "call")).await.unwrap();
                        let after = credits::standing_of(&app.db.get().await.unwrap(), account).await.unwrap();
                        assert!(after.balance >= before.floor().min(before.balance), "{after:?} after {op:?} from {before:?}");
                    }
                    Op::Credit(s) => {
                        credits::credit(&app, account, *s, Movement::new(Kind::Refund, 0, format!("op:{i}"), "credit")).await.unwrap();
                    }
                    Op::Adjust(s) => {
                        credits::adjust(&app, admin, account, api::AdjustCreditsRequest { amount_seconds: *s, reason: "test".into() }).await.unwrap();
                    }
                    Op::Replay => {
                        if let Some((key, s)) = &last_key {
                            let d = credits::debit(&app, account, *s, Movement::new(Kind::Call, 0, key.clone(), "call")).await.unwrap();
                            assert!(d.duplicate);
                            let after = credits::standing_of(&app.db.get().await.unwrap(), account).await.unwrap();
                            assert_eq!(after.balance, before.balance, "a replay changes nothing");
                        }
                    }
                }
                let (balance, sum, last) = ledger_sum(&app, account).await;
                assert_eq!(balance, sum, "balance = sum of entries");
                assert_eq!(balance, last, "the last entry's balance_after is the balance");
            }
        });
    }
}

// ---------------------------------------------------------------- Stripe ----

fn signed(body: &str) -> String {
    let t = Utc::now().timestamp();
    format!(
        "t={t},v1={}",
        signature::v1(testing::STRIPE_WEBHOOK_SECRET, t, body.as_bytes())
    )
}

async fn pending_purchase(app: &App, account: Uuid, session: &str) -> Uuid {
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

fn completed_event(event: &str, session: &str, account: Uuid, payment_status: &str) -> String {
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
    let (account, _) = new_account(&app).await;
    pending_purchase(&app, account, "cs_1").await;
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
    let events: i64 = app
        .db
        .get()
        .await
        .unwrap()
        .query_one("SELECT count(*) FROM stripe_events", &[])
        .await
        .unwrap()
        .get(0);
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
    let (account, _) = new_account(&app).await;
    let ok = pending_purchase(&app, account, "cs_ok").await;
    let bad = pending_purchase(&app, account, "cs_bad").await;
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
        "paid"
    );
    let failed = completed_event("evt_c", "cs_bad", account, "unpaid").replace(
        "checkout.session.completed",
        "checkout.session.async_payment_failed",
    );
    deliver(&app, &failed).await.unwrap();
    assert_eq!(
        billing::purchase(&app, account, bad).await.unwrap().status,
        "failed"
    );
    let (other, _) = new_account(&app).await;
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
    let (account, _) = new_account(&app).await;
    pending_purchase(&app, account, "cs_r").await;
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
    let kinds: Vec<String> = credits::ledger(&app, account, Default::default())
        .await
        .unwrap()
        .entries
        .iter()
        .map(|e| e.kind.clone())
        .collect();
    assert_eq!(kinds, ["dispute", "refund", "purchase", "signup_grant"]);
}

#[tokio::test]
async fn bad_signatures_and_malformed_events_are_refused_and_nothing_is_stored() {
    let app = testing::app().await;
    let (account, _) = new_account(&app).await;
    pending_purchase(&app, account, "cs_x").await;
    let body = completed_event("evt_x", "cs_x", account, "paid");
    let unsigned = billing::receive_webhook(&app, None, body.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(
        (unsigned.status(), unsigned.code()),
        (400, "invalid_signature")
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
        (400, "malformed_json")
    );
    let shapeless = deliver(&app, "{\"id\": \"evt_z\", \"type\": \"charge.refunded\"}")
        .await
        .unwrap_err();
    assert_eq!(shapeless.status(), 400);
    let stored: i64 = app
        .db
        .get()
        .await
        .unwrap()
        .query_one("SELECT count(*) FROM stripe_events", &[])
        .await
        .unwrap()
        .get(0);
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
    let (account, _) = new_account(&app).await;
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
    let stored: i64 = app
        .db
        .get()
        .await
        .unwrap()
        .query_one("SELECT count(*) FROM stripe_events", &[])
        .await
        .unwrap()
        .get(0);
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
        billing::update_pack(&app, Uuid::new_v4(), Default::default())
            .await
            .unwrap_err()
            .status(),
        404
    );
}
