//! Credits: the append-only ledger and the balance it keeps.
//!
//! Every movement is one `ledger_entries` row with a unique idempotency key
//! (the cause: a Stripe session, a call, an admin action…), written in the
//! same transaction as the account's new balance, under a row lock on the
//! account so that concurrent movements on one account serialize. Debits
//! stop at the allowed overage (the database refuses to go lower, except
//! for an explicit admin adjustment); crossing into and out of low, zero,
//! grace and blocked is recorded as account events.

pub mod policy;

use crate::api::{
    self, AccountId, CreditSignal, CreditState, LedgerEntry, LedgerKind, LedgerPage, PageQuery,
    PurchaseId, UserId,
};
use crate::app::App;
use crate::error::{Error, Result, Validator};
use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Transaction};
use policy::Standing;
use uuid::Uuid;

/// Largest single movement accepted (about 31 years of talk).
pub const MAX_MOVEMENT_SECONDS: i64 = 1_000_000_000;

/// One movement of the balance and what caused it.
#[derive(Debug, Clone)]
pub struct Movement {
    pub kind: LedgerKind,
    /// Signed seconds: positive adds, negative takes.
    pub amount: i64,
    /// Unique per cause; applying the same key twice changes nothing.
    pub key: String,
    pub description: String,
    pub purchase_id: Option<PurchaseId>,
    pub stripe_event_id: Option<String>,
    pub call_id: Option<String>,
    pub admin_user_id: Option<UserId>,
    pub reason: Option<String>,
}

impl Movement {
    pub fn new(
        kind: LedgerKind,
        amount: i64,
        key: impl Into<String>,
        description: impl Into<String>,
    ) -> Movement {
        Movement {
            kind,
            amount,
            key: key.into(),
            description: description.into(),
            purchase_id: None,
            stripe_event_id: None,
            call_id: None,
            admin_user_id: None,
            reason: None,
        }
    }
}

/// What a movement did.
#[derive(Debug, Clone)]
pub struct Applied {
    pub entry: LedgerEntry,
    /// The key had been applied before; `entry` is that earlier entry.
    pub duplicate: bool,
    /// Seconds of a debit that did not fit above the floor.
    pub unbilled: i64,
    pub state: CreditState,
    pub standing: Standing,
}

/// The columns [`ledger_entry`] reads.
macro_rules! ledger_columns {
    () => {
        "id, kind, amount_seconds, balance_after, description, created_at"
    };
}

fn ledger_entry(row: &tokio_postgres::Row) -> Result<LedgerEntry> {
    Ok(LedgerEntry {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        amount_seconds: row.try_get("amount_seconds")?,
        balance_after_seconds: row.try_get("balance_after")?,
        description: row.try_get("description")?,
        created_at: row.try_get("created_at")?,
    })
}

fn standing(row: &tokio_postgres::Row) -> Result<Standing> {
    Ok(Standing {
        balance: row.try_get("balance_seconds")?,
        overage_limit: row.try_get("overage_limit_seconds")?,
        overdrawn_since: row.try_get("overdrawn_since")?,
        last_pack_seconds: row.try_get("last_pack_seconds")?,
    })
}

/// An account's standing and its recorded signal (`$1` the account).
macro_rules! standing_select {
    () => {
        "SELECT balance_seconds, overage_limit_seconds, overdrawn_since, last_pack_seconds,
                credit_signal FROM accounts WHERE id = $1"
    };
}

/// Locks the account row; returns its standing and its recorded signal.
async fn lock_standing(
    tx: &Transaction<'_>,
    account_id: AccountId,
) -> Result<(Standing, CreditSignal)> {
    let row = tx
        .query_opt(concat!(standing_select!(), " FOR UPDATE"), &[&account_id])
        .await?
        .ok_or(Error::NotFound)?;
    Ok((standing(&row)?, row.try_get("credit_signal")?))
}

/// Applies `movement` to `account_id` inside `tx` (which the caller commits).
pub async fn apply_in(
    tx: &Transaction<'_>,
    account_id: AccountId,
    movement: Movement,
) -> Result<Applied> {
    let now = Utc::now();
    let (before, stored_signal) = lock_standing(tx, account_id).await?;
    if let Some(existing) = tx
        .query_opt(
            concat!(
                "SELECT ",
                ledger_columns!(),
                ", account_id FROM ledger_entries WHERE idempotency_key = $1"
            ),
            &[&movement.key],
        )
        .await?
    {
        let owner: AccountId = existing.try_get("account_id")?;
        if owner != account_id {
            return Err(Error::internal(format!(
                "idempotency key {} belongs to another account",
                movement.key
            )));
        }
        return Ok(Applied {
            entry: ledger_entry(&existing)?,
            duplicate: true,
            unbilled: 0,
            state: before.state(now),
            standing: before,
        });
    }
    if movement.amount.abs() > MAX_MOVEMENT_SECONDS {
        return Err(Error::field("amount_seconds", "That amount is too large."));
    }
    let (delta, unbilled) = if movement.amount < 0 && movement.kind != LedgerKind::AdminAdjustment {
        let plan = before.plan_debit(-movement.amount);
        (-plan.charged, plan.unbilled)
    } else {
        (movement.amount, 0)
    };
    let balance = before
        .balance
        .checked_add(delta)
        .filter(|b| b.abs() <= i64::MAX / 4)
        .ok_or_else(|| Error::field("amount_seconds", "That amount would overflow the balance."))?;
    let mut after = before.moved_to(balance, now);
    if movement.kind == LedgerKind::Purchase && movement.amount > 0 {
        after.last_pack_seconds = Some(movement.amount);
    }
    if movement.kind == LedgerKind::AdminAdjustment {
        tx.batch_execute("SET LOCAL kametrix.admin_adjustment = 'on'")
            .await?;
    }
    tx.execute(
        "UPDATE accounts SET balance_seconds = $2, overdrawn_since = $3, last_pack_seconds = $4 WHERE id = $1",
        &[&account_id, &after.balance, &after.overdrawn_since, &after.last_pack_seconds],
    )
    .await?;
    let description = if unbilled > 0 {
        format!(
            "{} ({} s over the allowed overage, not charged)",
            movement.description, unbilled
        )
    } else {
        movement.description.clone()
    };
    let entry = tx
        .query_one(
            concat!(
                "INSERT INTO ledger_entries (account_id, kind, amount_seconds, balance_after, idempotency_key,
                     description, purchase_id, stripe_event_id, call_id, admin_user_id, reason)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ",
                ledger_columns!()
            ),
            &[
                &account_id,
                &movement.kind,
                &delta,
                &after.balance,
                &movement.key,
                &description,
                &movement.purchase_id,
                &movement.stripe_event_id,
                &movement.call_id,
                &movement.admin_user_id,
                &movement.reason,
            ],
        )
        .await?;
    record_signal(tx, account_id, &after, stored_signal, now).await?;
    Ok(Applied {
        entry: ledger_entry(&entry)?,
        duplicate: false,
        unbilled,
        state: after.state(now),
        standing: after,
    })
}

/// Records an account event when the balance signal changed.
async fn record_signal(
    client: &impl GenericClient,
    account_id: AccountId,
    standing: &Standing,
    stored: CreditSignal,
    now: DateTime<Utc>,
) -> Result<()> {
    let signal = standing.signal(now);
    if signal != stored {
        client
            .execute(
                "INSERT INTO account_events (account_id, kind, balance_seconds) VALUES ($1, $2, $3)",
                &[&account_id, &signal, &standing.balance],
            )
            .await?;
        client
            .execute(
                "UPDATE accounts SET credit_signal = $2 WHERE id = $1",
                &[&account_id, &signal],
            )
            .await?;
    }
    Ok(())
}

/// The one-time trial grant of a new account.
pub async fn grant_signup_in(tx: &Transaction<'_>, account_id: AccountId) -> Result<Applied> {
    apply_in(
        tx,
        account_id,
        Movement::new(
            LedgerKind::SignupGrant,
            policy::SIGNUP_GRANT_SECONDS,
            format!("signup_grant:{account_id}"),
            "Welcome: 10 free minutes",
        ),
    )
    .await
}

/// What a debit did, for the caller to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebitOutcome {
    pub state: CreditState,
    pub balance_seconds: i64,
    pub charged: i64,
    pub unbilled: i64,
    pub duplicate: bool,
}

/// Takes `seconds` from the account in its own transaction, applying the
/// grace rules; the same `key` never takes twice.
pub async fn debit(
    app: &App,
    account_id: AccountId,
    seconds: i64,
    mut movement: Movement,
) -> Result<DebitOutcome> {
    if seconds < 0 {
        return Err(Error::field(
            "amount_seconds",
            "A debit takes a positive number of seconds.",
        ));
    }
    movement.amount = -seconds;
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    let applied = apply_in(&tx, account_id, movement).await?;
    tx.commit().await?;
    Ok(DebitOutcome {
        state: applied.state,
        balance_seconds: applied.standing.balance,
        charged: -applied.entry.amount_seconds,
        unbilled: applied.unbilled,
        duplicate: applied.duplicate,
    })
}

/// Adds `seconds` to the account in its own transaction.
pub async fn credit(
    app: &App,
    account_id: AccountId,
    seconds: i64,
    mut movement: Movement,
) -> Result<Applied> {
    if seconds <= 0 {
        return Err(Error::field(
            "amount_seconds",
            "A credit adds a positive number of seconds.",
        ));
    }
    movement.amount = seconds;
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    let applied = apply_in(&tx, account_id, movement).await?;
    tx.commit().await?;
    Ok(applied)
}

/// The account's standing as the rules see it now.
pub async fn standing_of(client: &impl GenericClient, account_id: AccountId) -> Result<Standing> {
    let row = client
        .query_opt(standing_select!(), &[&account_id])
        .await?
        .ok_or(Error::NotFound)?;
    standing(&row)
}

/// Balance, state, grace deadline and the recent balance signals. A state
/// reached by time alone (the grace period ran out) is recorded here.
pub async fn balance(app: &App, account_id: AccountId) -> Result<api::Credits> {
    let db = app.db.get().await?;
    let row = db
        .query_opt(standing_select!(), &[&account_id])
        .await?
        .ok_or(Error::NotFound)?;
    let now = Utc::now();
    let standing = standing(&row)?;
    let stored: CreditSignal = row.try_get("credit_signal")?;
    if standing.signal(now) != stored {
        record_signal(&db, account_id, &standing, stored, now).await?;
    }
    let events = db
        .query(
            "SELECT kind, balance_seconds, created_at FROM account_events
             WHERE account_id = $1 ORDER BY id DESC LIMIT 5",
            &[&account_id],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(api::AccountEvent {
                kind: r.try_get("kind")?,
                balance_seconds: r.try_get("balance_seconds")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(credits_view(&standing, now, events))
}

fn credits_view(
    standing: &Standing,
    now: DateTime<Utc>,
    recent_events: Vec<api::AccountEvent>,
) -> api::Credits {
    api::Credits {
        balance_seconds: standing.balance,
        state: standing.state(now),
        overage_limit_seconds: standing.overage_limit(),
        grace_deadline: standing.grace_deadline(),
        low_threshold_seconds: standing.low_threshold(),
        recent_events,
    }
}

/// The account's ledger, newest first.
pub async fn ledger(app: &App, account_id: AccountId, query: PageQuery) -> Result<LedgerPage> {
    let mut v = Validator::new();
    let (page, per_page) = v.page(query.page, query.per_page, 20);
    v.finish()?;
    let db = app.db.get().await?;
    let total: i64 = db
        .query_one(
            "SELECT count(*) FROM ledger_entries WHERE account_id = $1",
            &[&account_id],
        )
        .await?
        .get(0);
    let rows = db
        .query(
            concat!(
                "SELECT ",
                ledger_columns!(),
                " FROM ledger_entries WHERE account_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
            ),
            &[
                &account_id,
                &per_page,
                &((page - 1).saturating_mul(per_page)),
            ],
        )
        .await?;
    Ok(LedgerPage {
        entries: rows.iter().map(ledger_entry).collect::<Result<_>>()?,
        total,
        page,
        per_page,
    })
}

async fn account_exists(client: &impl GenericClient, account_id: AccountId) -> Result<()> {
    client
        .query_opt("SELECT 1 FROM accounts WHERE id = $1", &[&account_id])
        .await?
        .map(|_| ())
        .ok_or(Error::NotFound)
}

/// An admin's correction of an account's balance, with the required reason
/// and the admin's id on the entry. May take the balance below the overage.
pub async fn adjust(
    app: &App,
    admin_user_id: UserId,
    account_id: AccountId,
    request: api::AdjustCreditsRequest,
) -> Result<LedgerEntry> {
    let reason = request.reason.trim().to_string();
    let mut v = Validator::new();
    v.check(
        request.amount_seconds != 0,
        "amount_seconds",
        "Enter a non-zero amount.",
    );
    v.check(
        request.amount_seconds.abs() <= MAX_MOVEMENT_SECONDS,
        "amount_seconds",
        "That amount is too large.",
    );
    v.check(
        !reason.is_empty(),
        "reason",
        "Say why you adjust the balance.",
    );
    v.check(
        reason.chars().count() <= 500,
        "reason",
        "Use at most 500 characters.",
    );
    v.finish()?;
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    account_exists(&tx, account_id).await?;
    let mut movement = Movement::new(
        LedgerKind::AdminAdjustment,
        request.amount_seconds,
        format!("admin_adjustment:{}", Uuid::new_v4()),
        format!("Adjustment by Kametrix: {reason}"),
    );
    movement.admin_user_id = Some(admin_user_id);
    movement.reason = Some(reason);
    let applied = apply_in(&tx, account_id, movement).await?;
    tx.commit().await?;
    tracing::info!(%account_id, %admin_user_id, amount = request.amount_seconds, "credits adjusted by an admin");
    Ok(applied.entry)
}

/// Sets (or, with `None`, resets to the default) the account's allowed overage.
pub async fn set_overage(
    app: &App,
    account_id: AccountId,
    request: api::OverageRequest,
) -> Result<api::Credits> {
    if let Some(limit) = request.overage_limit_seconds {
        let mut v = Validator::new();
        v.check(
            (0..=MAX_MOVEMENT_SECONDS).contains(&limit),
            "overage_limit_seconds",
            "Choose 0 or more seconds.",
        );
        v.finish()?;
    }
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    let (before, stored) = lock_standing(&tx, account_id).await?;
    tx.execute(
        "UPDATE accounts SET overage_limit_seconds = $2 WHERE id = $1",
        &[&account_id, &request.overage_limit_seconds],
    )
    .await?;
    let now = Utc::now();
    let standing = Standing {
        overage_limit: request.overage_limit_seconds,
        ..before
    };
    record_signal(&tx, account_id, &standing, stored, now).await?;
    tx.commit().await?;
    balance(app, account_id).await
}
