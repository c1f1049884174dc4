//! Calls: one row per Vapi call, upserted by whichever message arrives
//! first (assistant-request, status-update, hang, end-of-call-report), so
//! duplicates and any order are harmless; the end-of-call report fills the
//! history and charges the ledger exactly once (key `call:<vapi call id>`).

pub mod billing;

use crate::api::{
    AccountId, AgentId, CallDetail, CallId, CallOutcome, CallPage, CallQuery, CallStatus,
    CallSummary, LedgerKind, NumberId, Refusal, Turn, TurnRole,
};
use crate::app::App;
use crate::credits::{self, Movement};
use crate::error::{Error, Result, Validator};
use crate::vapi::message::Message;
use chrono::{DateTime, TimeZone, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;
use tokio_postgres::Row;

/// Who a call is for: the agent answering it and the call, as the tools
/// see it.
#[derive(Debug, Clone)]
pub struct CallContext {
    pub agent_id: AgentId,
    pub account_id: AccountId,
    pub vapi_call_id: String,
    /// The caller's number as Vapi saw it.
    pub caller: Option<String>,
}

/// The agent a Vapi call was routed to, if it was.
pub async fn agent_of(client: &impl GenericClient, vapi_call_id: &str) -> Result<Option<AgentId>> {
    Ok(client
        .query_opt(
            "SELECT agent_id FROM calls WHERE vapi_call_id = $1",
            &[&vapi_call_id],
        )
        .await?
        .map(|row| row.try_get("agent_id"))
        .transpose()?
        .flatten())
}

/// A call assistant-request routed (or refused, and why).
pub struct Opened<'a> {
    pub vapi_call_id: &'a str,
    pub account_id: AccountId,
    pub agent_id: AgentId,
    pub phone_number_id: NumberId,
    pub vapi_phone_number_id: &'a str,
    pub caller: Option<&'a str>,
    pub refusal: Option<Refusal>,
}

/// Records the call as routed by assistant-request.
pub async fn open(client: &impl GenericClient, c: &Opened<'_>) -> Result<()> {
    let outcome = if c.refusal.is_some() {
        CallOutcome::Refused
    } else {
        CallOutcome::Unknown
    };
    client
        .execute(
            "INSERT INTO calls (vapi_call_id, account_id, agent_id, phone_number_id, vapi_phone_number_id,
                                caller, refused_reason, outcome)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (vapi_call_id) DO UPDATE SET
                account_id = coalesce(calls.account_id, EXCLUDED.account_id),
                agent_id = coalesce(calls.agent_id, EXCLUDED.agent_id),
                phone_number_id = coalesce(calls.phone_number_id, EXCLUDED.phone_number_id),
                vapi_phone_number_id = coalesce(calls.vapi_phone_number_id, EXCLUDED.vapi_phone_number_id),
                caller = coalesce(calls.caller, EXCLUDED.caller),
                refused_reason = coalesce(calls.refused_reason, EXCLUDED.refused_reason),
                outcome = CASE WHEN EXCLUDED.refused_reason IS NOT NULL THEN 'refused' ELSE calls.outcome END,
                updated_at = now()",
            &[
                &c.vapi_call_id,
                &c.account_id,
                &c.agent_id,
                &c.phone_number_id,
                &c.vapi_phone_number_id,
                &c.caller,
                &c.refusal,
                &outcome,
            ],
        )
        .await?;
    Ok(())
}

/// Makes sure the call has a row (routed through its number when the
/// first message about it is not assistant-request).
async fn touch(client: &impl GenericClient, vapi_call_id: &str, m: &Message) -> Result<()> {
    client
        .execute(
            "INSERT INTO calls (vapi_call_id, vapi_phone_number_id, caller, account_id, agent_id, phone_number_id)
             SELECT $1, $2, $3, n.account_id, n.agent_id, n.id
             FROM (SELECT 1) AS one LEFT JOIN phone_numbers n ON n.vapi_id = $2
             ON CONFLICT (vapi_call_id) DO UPDATE SET
                caller = coalesce(calls.caller, EXCLUDED.caller),
                vapi_phone_number_id = coalesce(calls.vapi_phone_number_id, EXCLUDED.vapi_phone_number_id)",
            &[&vapi_call_id, &m.phone_number_id(), &m.caller()],
        )
        .await?;
    Ok(())
}

fn timestamp(m: &Message) -> DateTime<Utc> {
    m.timestamp
        .and_then(|ms| Utc.timestamp_millis_opt(ms as i64).single())
        .unwrap_or_else(Utc::now)
}

/// `status-update`: the status only moves forward (ringing → in-progress →
/// forwarding → ended), whatever order the deliveries come in.
pub async fn status_update(app: &App, m: &Message) -> Result<()> {
    let Some(call_id) = m.call_id() else {
        return Ok(());
    };
    // A status this build does not know never moves the stored one.
    let Some(status) = m
        .status
        .as_deref()
        .or_else(|| m.call.as_ref().and_then(|c| c.status.as_deref()))
        .and_then(|s| s.parse::<CallStatus>().ok())
    else {
        let db = app.db.get().await?;
        return touch(&db, call_id, m).await;
    };
    let at = timestamp(m);
    let db = app.db.get().await?;
    touch(&db, call_id, m).await?;
    db.execute(
        "UPDATE calls SET
            status = CASE WHEN $5 > coalesce(array_position($6::text[], status), 0)
                          THEN $2 ELSE status END,
            started_at = CASE WHEN $2 = 'in-progress' AND report_at IS NULL THEN coalesce(started_at, $3) ELSE started_at END,
            ended_at = CASE WHEN $2 = 'ended' AND report_at IS NULL THEN coalesce(ended_at, $3) ELSE ended_at END,
            ended_reason = coalesce(ended_reason, $4),
            updated_at = now()
         WHERE vapi_call_id = $1",
        &[
            &call_id,
            &status,
            &at,
            &m.ended_reason(),
            &status_rank(status),
            &CallStatus::ALL,
        ],
    )
    .await?;
    Ok(())
}

/// Where `status` stands in [`CallStatus::ALL`]'s forward order, from 1.
fn status_rank(status: CallStatus) -> i32 {
    CallStatus::ALL
        .iter()
        .position(|s| *s == status)
        .map_or(0, |i| i as i32 + 1)
}

/// `hang`: the assistant stalled (often on a slow tool server); noted in the log.
pub async fn hang(app: &App, m: &Message) -> Result<()> {
    let Some(call_id) = m.call_id() else {
        return Ok(());
    };
    tracing::warn!(
        vapi_call_id = call_id,
        "Vapi reports the assistant stalled (hang)"
    );
    let db = app.db.get().await?;
    touch(&db, call_id, m).await
}

/// `end-of-call-report`: stores the history and charges the call, once.
pub async fn end_of_call_report(app: &App, m: &Message) -> Result<()> {
    let Some(call_id) = m.call_id() else {
        tracing::warn!("end-of-call-report without a call id");
        return Ok(());
    };
    let report = billing::Report::from_message(m);
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    touch(&tx, call_id, m).await?;
    let row = tx
        .query_one(
            "SELECT id, account_id, refused_reason, report_at IS NOT NULL AS reported,
                    coalesce(caller, '') AS caller,
                    EXISTS (SELECT 1 FROM caller_messages WHERE vapi_call_id = $1) AS message_taken
             FROM calls WHERE vapi_call_id = $1 FOR UPDATE",
            &[&call_id],
        )
        .await?;
    let id: CallId = row.try_get("id")?;
    let account_id: Option<AccountId> = row.try_get("account_id")?;
    let refused: Option<Refusal> = row.try_get("refused_reason")?;
    let already: bool = row.try_get("reported")?;
    if already {
        tracing::info!(
            vapi_call_id = call_id,
            "duplicate end-of-call-report ignored"
        );
        return Ok(());
    }
    let caller: String = row.try_get("caller")?;
    let message_taken: bool = row.try_get("message_taken")?;
    let billed = billing::billable_seconds(&report, refused.is_some());
    let outcome = billing::outcome(&report, refused.is_some(), message_taken);
    let mut charged = 0;
    if let (Some(account_id), true) = (account_id, billed > 0) {
        let mut movement = Movement::new(
            LedgerKind::Call,
            -billed,
            format!("call:{call_id}"),
            format!(
                "Call from {} ({}:{:02})",
                if caller.is_empty() {
                    "unknown"
                } else {
                    &caller
                },
                billed / 60,
                billed % 60
            ),
        );
        movement.call_id = Some(call_id.to_string());
        let applied = credits::apply_in(&tx, account_id, movement).await?;
        charged = -applied.entry.amount_seconds;
    }
    tx.execute(
        "UPDATE calls SET status = $15, started_at = coalesce($2, started_at),
            ended_at = coalesce($3, ended_at), ended_reason = coalesce($4, ended_reason),
            transcript = $5, messages = $6, recording_url = $7, summary = $8, structured_data = $9,
            vapi_cost_micros = $10, duration_ms = $11, billed_seconds = $12, charged_seconds = $13,
            outcome = $14, report_at = now(), updated_at = now()
         WHERE id = $1",
        &[
            &id,
            &report.started_at,
            &report.ended_at,
            &report.ended_reason,
            &report.transcript,
            &report.messages,
            &report.recording_url,
            &report.summary,
            &report.structured_data,
            &report.cost_micros,
            &report.duration_ms,
            &billed,
            &charged,
            &outcome,
            &CallStatus::Ended,
        ],
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        vapi_call_id = call_id,
        billed,
        charged,
        %outcome,
        "call ended"
    );
    Ok(())
}

// ---------------------------------------------------------------- reads ----

/// A call as the history lists it (`calls` aliased `c`, its agent `a`).
macro_rules! summary_select {
    () => {
        "SELECT c.id, c.agent_id, a.name AS agent_name, c.caller, c.status, c.started_at,
                c.ended_at, coalesce(c.duration_ms, 0) AS duration_ms, c.outcome, c.ended_reason,
                c.summary, c.charged_seconds, c.created_at"
    };
}
macro_rules! calls_from {
    () => {
        " FROM calls c LEFT JOIN agents a ON a.id = c.agent_id"
    };
}

fn summary(row: &Row) -> Result<CallSummary> {
    let duration_ms: i64 = row.try_get("duration_ms")?;
    Ok(CallSummary {
        id: row.try_get("id")?,
        agent_id: row.try_get("agent_id")?,
        agent_name: row.try_get("agent_name")?,
        caller: row.try_get("caller")?,
        status: row.try_get("status")?,
        started_at: row.try_get("started_at")?,
        ended_at: row.try_get("ended_at")?,
        duration_seconds: duration_ms.saturating_add(999) / 1000,
        outcome: row.try_get("outcome")?,
        ended_reason: row.try_get("ended_reason")?,
        summary: row.try_get("summary")?,
        charged_seconds: row.try_get("charged_seconds")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The account's calls, newest first, filtered by agent, dates and outcome.
pub async fn list(app: &App, account_id: AccountId, q: CallQuery) -> Result<CallPage> {
    let mut v = Validator::new();
    let (page, per_page) = v.page(q.page, q.per_page, 25);
    let outcome: Option<CallOutcome> = v.choice(
        "outcome",
        q.outcome.as_deref(),
        "Choose one of the listed outcomes.",
    );
    if let (Some(from), Some(to)) = (q.from, q.to) {
        v.check(
            to >= from,
            "to",
            "The end date cannot be before the start date.",
        );
    }
    v.finish()?;
    let from = q.from.map(|d| d.and_hms_opt(0, 0, 0).unwrap().and_utc());
    let to = q.to.map(|d| {
        (d + chrono::Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
    });
    macro_rules! filter {
        () => {
            " WHERE c.account_id = $1 AND ($2::uuid IS NULL OR c.agent_id = $2)
              AND ($3::timestamptz IS NULL OR c.created_at >= $3)
              AND ($4::timestamptz IS NULL OR c.created_at < $4)
              AND ($5::text IS NULL OR c.outcome = $5)"
        };
    }
    let db = app.db.get().await?;
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
        [&account_id, &q.agent_id, &from, &to, &outcome];
    let total: i64 = db
        .query_one(
            concat!("SELECT count(*)", calls_from!(), filter!()),
            &params,
        )
        .await?
        .try_get(0)?;
    let offset = (page - 1).saturating_mul(per_page);
    let mut all: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params.to_vec();
    all.push(&per_page);
    all.push(&offset);
    let rows = db
        .query(
            concat!(
                summary_select!(),
                calls_from!(),
                filter!(),
                " ORDER BY c.created_at DESC, c.id LIMIT $6 OFFSET $7"
            ),
            &all,
        )
        .await?;
    Ok(CallPage {
        calls: rows.iter().map(summary).collect::<Result<_>>()?,
        total,
        page,
        per_page,
    })
}

/// One of the account's calls with its conversation.
pub async fn get(app: &App, account_id: AccountId, id: CallId) -> Result<CallDetail> {
    let db = app.db.get().await?;
    let row = db
        .query_opt(
            concat!(
                summary_select!(),
                ", n.number, c.recording_url, c.messages, c.transcript, c.billed_seconds",
                calls_from!(),
                " LEFT JOIN phone_numbers n ON n.id = c.phone_number_id
                 WHERE c.id = $1 AND c.account_id = $2"
            ),
            &[&id, &account_id],
        )
        .await?
        .ok_or(Error::NotFound)?;
    let messages: Option<Value> = row.try_get("messages")?;
    let transcript: Option<String> = row.try_get("transcript")?;
    Ok(CallDetail {
        call: summary(&row)?,
        number: row.try_get("number")?,
        recording_url: row.try_get("recording_url")?,
        transcript: turns(messages.as_ref(), transcript.as_deref()),
        billed_seconds: row.try_get("billed_seconds")?,
    })
}

/// The conversation as turns: from Vapi's `messages` (bot, user, tool
/// calls and results), else from the plain transcript's "AI:"/"User:" lines.
pub fn turns(messages: Option<&Value>, transcript: Option<&str>) -> Vec<Turn> {
    let list = messages.and_then(Value::as_array);
    if let Some(list) = list.filter(|l| !l.is_empty()) {
        let first_time = list.iter().find_map(|m| m["time"].as_f64());
        return list
            .iter()
            .filter_map(|m| {
                let at_ms = m["secondsFromStart"]
                    .as_f64()
                    .map(|s| (s * 1000.0).round() as i64)
                    .or_else(|| Some((m["time"].as_f64()? - first_time?) as i64))
                    .unwrap_or(0);
                let (role, text) = match m["role"].as_str()? {
                    "bot" | "assistant" => (
                        TurnRole::Assistant,
                        m["message"].as_str().or(m["content"].as_str())?.to_string(),
                    ),
                    "user" => (
                        TurnRole::Caller,
                        m["message"].as_str().or(m["content"].as_str())?.to_string(),
                    ),
                    "tool_calls" => (
                        TurnRole::Tool,
                        m["toolCalls"]
                            .as_array()?
                            .iter()
                            .map(|c| {
                                let f = &c["function"];
                                let args = match &f["arguments"] {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                };
                                format!("{}({args})", f["name"].as_str().unwrap_or("tool"))
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    "tool_call_result" => (TurnRole::Tool, m["result"].as_str()?.to_string()),
                    _ => return None,
                };
                Some(Turn { role, text, at_ms })
            })
            .collect();
    }
    transcript
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let (role, text) = if let Some(t) = line.strip_prefix("AI:") {
                (TurnRole::Assistant, t)
            } else if let Some(t) = line.strip_prefix("User:") {
                (TurnRole::Caller, t)
            } else {
                return None;
            };
            Some(Turn {
                role,
                text: text.trim().to_string(),
                at_ms: 0,
            })
        })
        .collect()
}
