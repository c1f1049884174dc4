//! The messages inbox: what callers left with `take_message`, per account.

use crate::api::{CallerMessage, MessagePage, MessageQuery};
use crate::app::App;
use crate::error::{Error, Result, Validator};
use crate::tools::CallContext;
use uuid::Uuid;

/// Stores a message once per `dedup_key` (the Vapi call and tool call ids).
pub async fn record(
    app: &App,
    cx: &CallContext,
    dedup_key: &str,
    caller_name: &str,
    caller_number: &str,
    reason: &str,
    urgency: &str,
) -> Result<()> {
    let db = app.db.get().await?;
    db.execute(
        "INSERT INTO caller_messages (account_id, agent_id, vapi_call_id, dedup_key, caller_name,
                                      caller_number, reason, urgency)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedup_key) DO NOTHING",
        &[
            &cx.account_id,
            &cx.agent_id,
            &cx.vapi_call_id,
            &dedup_key,
            &caller_name,
            &caller_number,
            &reason,
            &urgency,
        ],
    )
    .await?;
    Ok(())
}

const COLUMNS: &str = "m.id, m.agent_id, a.name, c.id, m.caller_name, m.caller_number, m.reason,
     m.urgency, m.handled_at, m.created_at";
const FROM: &str = "FROM caller_messages m LEFT JOIN agents a ON a.id = m.agent_id
     LEFT JOIN calls c ON c.vapi_call_id = m.vapi_call_id";

fn message(row: &tokio_postgres::Row) -> CallerMessage {
    CallerMessage {
        id: row.get(0),
        agent_id: row.get(1),
        agent_name: row.get(2),
        call_id: row.get(3),
        caller_name: row.get(4),
        caller_number: row.get(5),
        reason: row.get(6),
        urgency: row.get(7),
        handled_at: row.get(8),
        created_at: row.get(9),
    }
}

/// The account's messages, newest first.
pub async fn list(app: &App, account_id: Uuid, q: MessageQuery) -> Result<MessagePage> {
    let mut v = Validator::new();
    let (page, per_page) = v.page(q.page, q.per_page, 25);
    let status = q.status.unwrap_or_else(|| "unhandled".into());
    v.check(
        ["unhandled", "handled", "all"].contains(&status.as_str()),
        "status",
        "Choose unhandled, handled or all.",
    );
    v.finish()?;
    let filter =
        "m.account_id = $1 AND ($2 = 'all' OR ($2 = 'handled') = (m.handled_at IS NOT NULL))";
    let db = app.db.get().await?;
    let counts = db
        .query_one(
            &format!(
                "SELECT count(*) FILTER (WHERE {filter}), count(*) FILTER (WHERE m.handled_at IS NULL)
                 FROM caller_messages m WHERE m.account_id = $1"
            ),
            &[&account_id, &status],
        )
        .await?;
    let rows = db
        .query(
            &format!(
                "SELECT {COLUMNS} {FROM} WHERE {filter}
                 ORDER BY m.created_at DESC, m.id LIMIT $3 OFFSET $4"
            ),
            &[
                &account_id,
                &status,
                &per_page,
                &((page - 1).saturating_mul(per_page)),
            ],
        )
        .await?;
    Ok(MessagePage {
        messages: rows.iter().map(message).collect(),
        total: counts.get(0),
        unhandled: counts.get(1),
        page,
        per_page,
    })
}

/// Marks one of the account's messages handled (again is harmless).
pub async fn mark_handled(app: &App, account_id: Uuid, id: Uuid) -> Result<CallerMessage> {
    let db = app.db.get().await?;
    let changed = db
        .execute(
            "UPDATE caller_messages SET handled_at = coalesce(handled_at, now())
             WHERE id = $1 AND account_id = $2",
            &[&id, &account_id],
        )
        .await?;
    if changed == 0 {
        return Err(Error::NotFound);
    }
    let row = db
        .query_one(&format!("SELECT {COLUMNS} {FROM} WHERE m.id = $1"), &[&id])
        .await?;
    Ok(message(&row))
}
