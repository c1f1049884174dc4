//! The messages inbox: what callers left with `take_message`, per account.

use crate::api::{
    AccountId, AgentId, CallerMessage, MessageFilter, MessageId, MessagePage, MessageQuery,
    MessageUrgency,
};
use crate::app::App;
use crate::error::{Error, Result, Validator};
use tokio_postgres::Row;

/// A message a caller leaves during a call.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub account_id: AccountId,
    pub agent_id: AgentId,
    pub vapi_call_id: String,
    /// Unique per message (the Vapi call and tool call ids): a redelivered
    /// tool call adds nothing.
    pub dedup_key: String,
    pub caller_name: String,
    pub caller_number: String,
    pub reason: String,
    pub urgency: MessageUrgency,
}

/// Stores a message once per `dedup_key`.
pub async fn record(app: &App, m: &NewMessage) -> Result<()> {
    let db = app.db.get().await?;
    db.execute(
        "INSERT INTO caller_messages (account_id, agent_id, vapi_call_id, dedup_key, caller_name,
                                      caller_number, reason, urgency)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedup_key) DO NOTHING",
        &[
            &m.account_id,
            &m.agent_id,
            &m.vapi_call_id,
            &m.dedup_key,
            &m.caller_name,
            &m.caller_number,
            &m.reason,
            &m.urgency,
        ],
    )
    .await?;
    Ok(())
}

/// The inbox's read model: a message with its agent's name and its call.
macro_rules! select {
    () => {
        "SELECT m.id, m.agent_id, a.name AS agent_name, c.id AS call_id, m.caller_name,
                m.caller_number, m.reason, m.urgency, m.handled_at, m.created_at
         FROM caller_messages m LEFT JOIN agents a ON a.id = m.agent_id
         LEFT JOIN calls c ON c.vapi_call_id = m.vapi_call_id"
    };
}

/// Which of the account's messages a filter keeps (`$1` the account, `$2`
/// the filter).
macro_rules! filter {
    () => {
        "m.account_id = $1 AND ($2 = 'all' OR ($2 = 'handled') = (m.handled_at IS NOT NULL))"
    };
}

fn message(row: &Row) -> Result<CallerMessage> {
    Ok(CallerMessage {
        id: row.try_get("id")?,
        agent_id: row.try_get("agent_id")?,
        agent_name: row.try_get("agent_name")?,
        call_id: row.try_get("call_id")?,
        caller_name: row.try_get("caller_name")?,
        caller_number: row.try_get("caller_number")?,
        reason: row.try_get("reason")?,
        urgency: row.try_get("urgency")?,
        handled_at: row.try_get("handled_at")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The account's messages, newest first.
pub async fn list(app: &App, account_id: AccountId, q: MessageQuery) -> Result<MessagePage> {
    let mut v = Validator::new();
    let (page, per_page) = v.page(q.page, q.per_page, 25);
    let status = v
        .choice(
            "status",
            q.status.as_deref(),
            "Choose unhandled, handled or all.",
        )
        .unwrap_or(MessageFilter::Unhandled);
    v.finish()?;
    let db = app.db.get().await?;
    let counts = db
        .query_one(
            concat!(
                "SELECT count(*) FILTER (WHERE ",
                filter!(),
                ") AS total, count(*) FILTER (WHERE m.handled_at IS NULL) AS unhandled
                 FROM caller_messages m WHERE m.account_id = $1"
            ),
            &[&account_id, &status],
        )
        .await?;
    let rows = db
        .query(
            concat!(
                select!(),
                " WHERE ",
                filter!(),
                " ORDER BY m.created_at DESC, m.id LIMIT $3 OFFSET $4"
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
        messages: rows.iter().map(message).collect::<Result<_>>()?,
        total: counts.try_get("total")?,
        unhandled: counts.try_get("unhandled")?,
        page,
        per_page,
    })
}

/// Marks one of the account's messages handled (again is harmless).
pub async fn mark_handled(
    app: &App,
    account_id: AccountId,
    id: MessageId,
) -> Result<CallerMessage> {
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
        .query_one(concat!(select!(), " WHERE m.id = $1"), &[&id])
        .await?;
    message(&row)
}
