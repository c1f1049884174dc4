//! The phone number pool (minimal lifecycle): admins provision numbers
//! through Vapi into the pool; an owner takes one for an agent and can
//! release it back (through [`crate::agents`], which locks the agent and
//! asks this module to assign or detach). Numbers carry no assistant in
//! Vapi: each call is routed by our `assistant-request` answer, from the
//! number to its agent.

use crate::api::{
    AccountId, AgentId, AreaCode, NumberId, NumberPool, NumberStatus, PhoneNumber,
    ProvisionNumbers, E164,
};
use crate::app::App;
use crate::error::{Error, Result, Validator};
use crate::vapi::client;
use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;

/// Area code used when none is asked for.
pub const DEFAULT_AREA_CODE: &str = "415";

/// An optional area code from a form: blank is none, anything else must
/// be a valid one (a field error otherwise).
pub fn area_code_arg(code: Option<String>) -> Result<Option<AreaCode>> {
    let mut v = Validator::new();
    let code = area_code_in(&mut v, code);
    v.finish()?;
    Ok(code)
}

fn area_code_in(v: &mut Validator, code: Option<String>) -> Option<AreaCode> {
    code.as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .and_then(|c| v.take("area_code", AreaCode::parse(c)))
}

/// The pool's read model: each number with who holds it.
macro_rules! pool_select {
    () => {
        "SELECT n.id, n.number, n.area_code, n.status, n.account_id, ac.business_name,
                n.agent_id, a.name AS agent_name, n.created_at
         FROM phone_numbers n LEFT JOIN accounts ac ON ac.id = n.account_id
         LEFT JOIN agents a ON a.id = n.agent_id"
    };
}

fn number(row: &Row) -> Result<PhoneNumber> {
    Ok(PhoneNumber {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        area_code: row.try_get("area_code")?,
        status: row.try_get("status")?,
        account_id: row.try_get("account_id")?,
        business_name: row.try_get("business_name")?,
        agent_id: row.try_get("agent_id")?,
        agent_name: row.try_get("agent_name")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The status Vapi reports, as ours; `None` while it is unknown to us.
fn status_of(vapi_status: Option<&str>) -> Option<NumberStatus> {
    vapi_status.and_then(|s| s.parse().ok())
}

/// Asks Vapi about numbers still activating (all, or just `only`) and
/// stores the status it answers. Vapi being unreachable is not an error
/// here: the stored status stays until the next look.
pub async fn refresh_activating(app: &App, only: Option<NumberId>) -> Result<()> {
    // No connection is held while Vapi is asked.
    let activating: Vec<(NumberId, String)> = app
        .db
        .get()
        .await?
        .query(
            "SELECT id, vapi_id FROM phone_numbers
             WHERE status = $2 AND ($1::uuid IS NULL OR id = $1)",
            &[&only, &NumberStatus::Activating],
        )
        .await?
        .iter()
        .map(|row| Ok((row.try_get("id")?, row.try_get("vapi_id")?)))
        .collect::<Result<_>>()?;
    for (id, vapi_id) in activating {
        match client::get_number(app, &vapi_id).await {
            Ok(n) => {
                if let Some(status) =
                    status_of(n.status.as_deref()).filter(|s| *s != NumberStatus::Activating)
                {
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
            concat!(pool_select!(), " ORDER BY n.created_at, n.number"),
            &[],
        )
        .await?;
    let numbers: Vec<PhoneNumber> = rows.iter().map(number).collect::<Result<_>>()?;
    Ok(NumberPool {
        available: numbers.iter().filter(|n| n.agent_id.is_none()).count() as i64,
        numbers,
    })
}

/// Provisions `count` (1 to 5) new numbers through Vapi into the pool.
pub async fn provision(app: &App, request: ProvisionNumbers) -> Result<NumberPool> {
    let mut v = Validator::new();
    let area_code = area_code_in(&mut v, request.area_code);
    let count = request.count.unwrap_or(1);
    v.check(
        (1..=5).contains(&count),
        "count",
        "Provision 1 to 5 numbers at a time.",
    );
    v.finish()?;
    let area_code = area_code.unwrap_or_else(|| {
        AreaCode::parse(DEFAULT_AREA_CODE).expect("the default area code is valid")
    });
    for _ in 0..count {
        let created = client::create_number(app, area_code.as_str()).await?;
        let e164 = created
            .number
            .as_deref()
            .map(E164::parse)
            .ok_or_else(|| Error::internal("Vapi returned a number without its digits"))?
            .map_err(|e| Error::internal_from("Vapi returned a number we cannot read", e))?;
        let status = match status_of(created.status.as_deref()) {
            Some(NumberStatus::Active) => NumberStatus::Active,
            Some(NumberStatus::Blocked) => NumberStatus::Blocked,
            _ => NumberStatus::Activating,
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

/// The agent a Vapi number is assigned to.
pub async fn agent_of(
    client: &impl GenericClient,
    vapi_number_id: &str,
) -> Result<Option<AgentId>> {
    Ok(client
        .query_opt(
            "SELECT agent_id FROM phone_numbers WHERE vapi_id = $1",
            &[&vapi_number_id],
        )
        .await?
        .map(|row| row.try_get("agent_id"))
        .transpose()?
        .flatten())
}

/// Inside `tx`, in which the caller has locked the agent: gives it a free
/// number (preferably in `area_code`, preferably already active) unless it
/// has one already.
pub async fn assign_in(
    tx: &Transaction<'_>,
    account_id: AccountId,
    agent_id: AgentId,
    area_code: Option<&AreaCode>,
) -> Result<()> {
    let has_one = tx
        .query_opt(
            "SELECT 1 FROM phone_numbers WHERE agent_id = $1",
            &[&agent_id],
        )
        .await?
        .is_some();
    if has_one {
        return Ok(());
    }
    let free = tx
        .query_opt(
            "SELECT id FROM phone_numbers WHERE agent_id IS NULL AND status <> $2
             ORDER BY (area_code = $1) DESC, (status = $3) DESC, created_at
             LIMIT 1 FOR UPDATE SKIP LOCKED",
            &[
                &area_code.map(AreaCode::as_str).unwrap_or_default(),
                &NumberStatus::Blocked,
                &NumberStatus::Active,
            ],
        )
        .await?
        .ok_or(Error::NoNumbersAvailable)?;
    let id: NumberId = free.try_get("id")?;
    tx.execute(
        "UPDATE phone_numbers SET agent_id = $2, account_id = $3, assigned_at = now() WHERE id = $1",
        &[&id, &agent_id, &account_id],
    )
    .await?;
    tracing::info!(%account_id, %agent_id, number_id = %id, "number taken from the pool");
    Ok(())
}

/// Detaches the agent's number, if any, inside `tx`.
pub async fn release_in(tx: &Transaction<'_>, agent_id: AgentId) -> Result<()> {
    tx.execute(
        "UPDATE phone_numbers SET agent_id = NULL, account_id = NULL, assigned_at = NULL WHERE agent_id = $1",
        &[&agent_id],
    )
    .await?;
    Ok(())
}
