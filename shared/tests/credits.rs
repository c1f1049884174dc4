//! The credit ledger against a real PostgreSQL (the Stripe webhook that
//! credits it: `stripe.rs`).

use chrono::Utc;
use proptest::prelude::*;
use shared::api::{self, AccountId, CreditSignal, CreditState, LedgerKind, UserId};
use shared::app::App;
use shared::credits::{self, Movement};
use shared::error::Error;
use shared::testing::{self, an_admin, an_owner, execute, scalar};
use std::sync::Arc;
use uuid::Uuid;

fn call(n: u64) -> Movement {
    Movement::new(
        LedgerKind::Call,
        0,
        format!("call:{n}:{}", Uuid::new_v4()),
        "Call",
    )
}

async fn ledger_sum(app: &App, account: AccountId) -> (i64, i64, i64) {
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
    let account = an_owner(&app).await.me.account.id;
    let view = credits::balance(&app, account).await.unwrap();
    assert_eq!(view.balance_seconds, 600);
    assert_eq!(view.state, CreditState::Ok);
    let page = credits::ledger(&app, account, Default::default())
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.entries[0].kind, LedgerKind::SignupGrant);
    let mut db = app.db.get().await.unwrap();
    let tx = db.transaction().await.unwrap();
    assert!(
        credits::grant_signup_in(&tx, account)
            .await
            .unwrap()
            .duplicate,
        "the grant is one-time"
    );
}

#[tokio::test]
async fn the_same_cause_never_moves_the_balance_twice() {
    let app = testing::app().await;
    let account = an_owner(&app).await.me.account.id;
    let movement = Movement::new(LedgerKind::Call, 0, "call:abc", "Call abc");
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
    let account = an_owner(&app).await.me.account.id;
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
    let account = an_owner(&app).await.me.account.id;
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
    let account = an_owner(&app).await.me.account.id;
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
    let buy = Movement::new(
        LedgerKind::Purchase,
        6000,
        "purchase:test",
        "Bought Starter",
    );
    let bought = credits::apply_in(&tx, account, buy).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        bought.entry.balance_after_seconds, 5100,
        "the overage is paid first"
    );
    let view = credits::balance(&app, account).await.unwrap();
    assert_eq!(view.state, CreditState::Ok);
    assert_eq!(view.grace_deadline, None);
    assert_eq!(view.low_threshold_seconds, 1200, "20% of the last pack");
    let kinds: Vec<CreditSignal> = view.recent_events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            CreditSignal::Ok,
            CreditSignal::Blocked,
            CreditSignal::Grace,
            CreditSignal::Low
        ],
        "newest first"
    );
}

#[tokio::test]
async fn a_lapsed_grace_period_blocks_the_account() {
    let app = testing::app().await;
    let account = an_owner(&app).await.me.account.id;
    credits::debit(&app, account, 660, call(1)).await.unwrap();
    execute(
        &app,
        "UPDATE accounts SET overdrawn_since = now() - interval '7 days 1 minute' WHERE id = $1",
        &[&account],
    )
    .await;
    let view = credits::balance(&app, account).await.unwrap();
    assert_eq!(view.state, CreditState::Blocked);
    assert_eq!(
        view.recent_events[0].kind,
        CreditSignal::Blocked,
        "the time-based block is recorded"
    );
}

#[tokio::test]
async fn admin_adjustments_need_a_reason_record_the_admin_and_may_go_below_the_overage() {
    let app = testing::app().await;
    let account = an_owner(&app).await.me.account.id;
    let admin = an_admin(&app).await;
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
    let by: UserId = scalar(
        &app,
        "SELECT admin_user_id FROM ledger_entries WHERE id = $1",
        &[&entry.id],
    )
    .await;
    assert_eq!(by, admin);
    let missing_account = credits::adjust(
        &app,
        admin,
        AccountId(Uuid::new_v4()),
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
    let account = an_owner(&app).await.me.account.id;
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
            let account = an_owner(&app).await.me.account.id;
            let admin = an_admin(&app).await;
            let mut last_key = None;
            for (i, op) in ops.iter().enumerate() {
                let before = credits::standing_of(&app.db.get().await.unwrap(), account).await.unwrap();
                match op {
                    Op::Debit(s) => {
                        let key = format!("op:{i}");
                        last_key = Some((key.clone(), *s));
                        credits::debit(&app, account, *s, Movement::new(LedgerKind::Call, 0, key, "call")).await.unwrap();
                        let after = credits::standing_of(&app.db.get().await.unwrap(), account).await.unwrap();
                        assert!(after.balance >= before.floor().min(before.balance), "{after:?} after {op:?} from {before:?}");
                    }
                    Op::Credit(s) => {
                        credits::credit(&app, account, *s, Movement::new(LedgerKind::Refund, 0, format!("op:{i}"), "credit")).await.unwrap();
                    }
                    Op::Adjust(s) => {
                        credits::adjust(&app, admin, account, api::AdjustCreditsRequest { amount_seconds: *s, reason: "test".into() }).await.unwrap();
                    }
                    Op::Replay => {
                        if let Some((key, s)) = &last_key {
                            let d = credits::debit(&app, account, *s, Movement::new(LedgerKind::Call, 0, key.clone(), "call")).await.unwrap();
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
