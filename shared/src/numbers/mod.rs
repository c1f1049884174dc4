//! The phone number pool (minimal lifecycle): admins provision numbers
//! through Vapi into the pool; an owner takes one for an agent and can
//! release it back. Numbers carry no assistant in Vapi: each call is routed
//! by our `assistant-request` answer, from the number to its agent.

use crate::api::{Agent, NumberPool, PhoneNumber, ProvisionNumbers, TakeNumber};
use crate::app::App;
use crate::error::{Error, Result, Validator};
use crate::vapi::client;
use deadpool_postgres::Transaction;
use uuid::Uuid;

/// Area code used when none is asked for.
pub const DEFAULT_AREA_CODE: &str = "415";

fn is_area_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with(['0', '1'])
}

fn area_code_arg(v: &mut Validator, code: Option<String>) -> Option<String> {
    let code = code.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    if let Some(c) = &code {
        v.check(
            is_area_code(c),
            "area_code",
            "Enter a 3-digit US area code, like 415.",
        );
    }
    code
}

const POOL_COLUMNS: &str = "n.id, n.number, n.area_code, n.status, n.account_id, ac.business_name,
     n.agent_id, a.name, n.created_at";
const POOL_FROM: &str = "FROM phone_numbers n LEFT JOIN accounts ac ON ac.id = n.account_id
     LEFT JOIN agents a ON a.id = n.agent_id";

fn number(row: &tokio_postgres::Row) -> PhoneNumber {
    PhoneNumber {
        id: row.get(0),
        number: row.get(1),
        area_code: row.get(2),
        status: row.get(3),
        account_id: row.get(4),
        business_name: row.get(5),
        agent_id: row.get(6),
        agent_name: row.get(7),
        created_at: row.get(8),
    }
}

/// Asks Vapi about numbers still activating (all, or just `only`) and
/// stores the status it answers. Vapi being unreachable is not an error
/// here: the stored status stays until the next look.
pub async fn refresh_activating(app: &App, only: Option<Uuid>) -> Result<()> {
    // No connection is held while Vapi is asked.
    let activating: Vec<(Uuid, String)> = app
        .db
        .get()
        .await?
        .query(
            "SELECT id, vapi_id FROM phone_numbers
             WHERE status = 'activating' AND ($1::uuid IS NULL OR id = $1)",
            &[&only],
        )
        .await?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    for (id, vapi_id) in activating {
        match client::get_number(app, &vapi_id).await {
            Ok(n) => {
                if let Some(status) = n.status.filter(|s| s != "activating") {
                    app.db
                        .get()
                        .await?
                        .execute(
                            "UPDATE phone_numbers SET status = $2 WHERE id = $1",
                            &[&id, &status],
                        )
                        .await?;
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not refresh a number's status"),
        }
    }
    Ok(())
}

/// The whole pool. Numbers still activating are asked about at Vapi first.
pub async fn pool(app: &App) -> Result<NumberPool> {
    refresh_activating(app, None).await?;
    let db = app.db.get().await?;
    let rows = db
        .query(
            &format!("SELECT {POOL_COLUMNS} {POOL_FROM} ORDER BY n.created_at, n.number"),
            &[],
        )
        .await?;
    let numbers: Vec<PhoneNumber> = rows.iter().map(number).collect();
    Ok(NumberPool {
        available: numbers.iter().filter(|n| n.agent_id.is_none()).count() as i64,
        numbers,
    })
}

/// Provisions `count` (1 to 5) new numbers through Vapi into the pool.
pub async fn provision(app: &App, request: ProvisionNumbers) -> Result<NumberPool> {
    let mut v = Validator::new();
    let area_code =
        area_code_arg(&mut v, request.area_code).unwrap_or_else(|| DEFAULT_AREA_CODE.to_string());
    let count = request.count.unwrap_or(1);
    v.check(
        (1..=5).contains(&count),
        "count",
        "Provision 1 to 5 numbers at a time.",
    );
    v.finish()?;
    for _ in 0..count {
        let created = client::create_number(app, &area_code).await?;
        let e164 = created
            .number
            .ok_or_else(|| Error::internal("Vapi returned a number without its digits"))?;
        let status = match created.status.as_deref() {
            Some("active") => "active",
            Some("blocked") => "blocked",
            _ => "activating",
        };
        app.db
            .get()
            .await?
            .execute(
                "INSERT INTO phone_numbers (vapi_id, number, area_code, status) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (vapi_id) DO NOTHING",
                &[&created.id, &e164, &area_code, &status],
            )
            .await?;
        tracing::info!(number = %e164, "number provisioned into the pool");
    }
    pool(app).await
}

/// Gives the agent a number from the pool (preferably in `area_code`,
/// preferably already active). An agent that has a number keeps it.
pub async fn take(
    app: &App,
    account_id: Uuid,
    agent_id: Uuid,
    request: TakeNumber,
) -> Result<Agent> {
    let mut v = Validator::new();
    let area_code = area_code_arg(&mut v, request.area_code);
    v.finish()?;
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    lock_agent(&tx, account_id, agent_id).await?;
    let has_one = tx
        .query_opt(
            "SELECT 1 FROM phone_numbers WHERE agent_id = $1",
            &[&agent_id],
        )
        .await?
        .is_some();
    if !has_one {
        let free = tx
            .query_opt(
                "SELECT id FROM phone_numbers WHERE agent_id IS NULL AND status <> 'blocked'
                 ORDER BY (area_code = $1) DESC, (status = 'active') DESC, created_at
                 LIMIT 1 FOR UPDATE SKIP LOCKED",
                &[&area_code.unwrap_or_default()],
            )
            .await?
            .ok_or(Error::NoNumbersAvailable)?;
        let id: Uuid = free.get(0);
        tx.execute(
            "UPDATE phone_numbers SET agent_id = $2, account_id = $3, assigned_at = now() WHERE id = $1",
            &[&id, &agent_id, &account_id],
        )
        .await?;
        tracing::info!(%account_id, %agent_id, number_id = %id, "number taken from the pool");
    }
    tx.commit().await?;
    drop(db);
    crate::agents::get(app, account_id, agent_id).await
}

/// Puts the agent's number back in the pool.
pub async fn release(app: &App, account_id: Uuid, agent_id: Uuid) -> Result<Agent> {
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    lock_agent(&tx, account_id, agent_id).await?;
    release_in(&tx, agent_id).await?;
    tx.commit().await?;
    drop(db);
    crate::agents::get(app, account_id, agent_id).await
}

/// Locks one of the account's agents for a change of its number (404 for
/// any other agent).
async fn lock_agent(tx: &Transaction<'_>, account_id: Uuid, agent_id: Uuid) -> Result<()> {
    tx.query_opt(
        "SELECT 1 FROM agents WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL FOR UPDATE",
        &[&agent_id, &account_id],
    )
    .await?
    .map(|_| ())
    .ok_or(Error::NotFound)
}

/// Detaches the agent's number, if any, inside `tx`.
pub async fn release_in(tx: &Transaction<'_>, agent_id: Uuid) -> Result<()> {
    tx.execute(
        "UPDATE phone_numbers SET agent_id = NULL, account_id = NULL, assigned_at = NULL WHERE agent_id = $1",
        &[&agent_id],
    )
    .await?;
    Ok(())
}
