//! The transactional outbox. A message is written to `outbox` in the same
//! transaction as the change that caused it, then relayed to its SQS queue:
//! at once after the commit (best effort, by the function that wrote it) and
//! by the `outbox-relay` schedule for anything left behind. A crash between
//! commit and send therefore delays a message but never loses it.

use crate::app::App;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What travels on the queue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Envelope {
    pub outbox_id: i64,
    /// Unique per logical message; workers use it to act once.
    pub dedup_key: String,
    pub payload: Value,
}

/// Writes a message; returns its id, or `None` if `dedup_key` was already
/// written (so retrying the causing operation never sends twice).
pub async fn enqueue(
    tx: &deadpool_postgres::Transaction<'_>,
    queue: &str,
    dedup_key: &str,
    payload: &Value,
) -> Result<Option<i64>> {
    let row = tx
        .query_opt(
            "INSERT INTO outbox (queue, dedup_key, payload) VALUES ($1, $2, $3)
             ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
            &[&queue, &dedup_key, payload],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct RelayReport {
    pub sent: u32,
    pub failed: u32,
}

/// Relays unsent messages (all of them, or just `only`) to their queues.
/// Rows are locked while sent, so concurrent relays never send one twice.
pub async fn relay(app: &App, only: Option<&[i64]>) -> Result<RelayReport> {
    let mut report = RelayReport::default();
    loop {
        let mut client = app.db.get().await?;
        let tx = client.transaction().await?;
        let rows = tx
            .query(
                "SELECT id, queue, dedup_key, payload FROM outbox
                 WHERE sent_at IS NULL AND ($1::bigint[] IS NULL OR id = ANY($1))
                 ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED",
                &[&only],
            )
            .await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(report);
        }
        let batch = rows.len();
        let mut progressed = false;
        for row in rows {
            let id: i64 = row.get(0);
            let queue: String = row.get(1);
            let envelope = Envelope {
                outbox_id: id,
                dedup_key: row.get(2),
                payload: row.get(3),
            };
            let body = serde_json::to_string(&envelope).expect("JSON values serialize");
            match app.queues().await.send(&queue, body).await {
                Ok(()) => {
                    tx.execute(
                        "UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = $1",
                        &[&id],
                    )
                    .await?;
                    report.sent += 1;
                    progressed = true;
                }
                Err(e) => {
                    tracing::warn!(outbox_id = id, %queue, error = %e, "outbox relay failed; will retry");
                    tx.execute(
                        "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1",
                        &[&id, &e.to_string()],
                    )
                    .await?;
                    report.failed += 1;
                }
            }
        }
        tx.commit().await?;
        if !progressed || batch < 100 || only.is_some() {
            return Ok(report);
        }
    }
}

/// Relays just-committed messages; a failure is logged and left to the
/// schedule, never reported to the user whose request caused them.
pub async fn relay_now(app: &App, ids: &[i64]) {
    if ids.is_empty() || !app.config.relay_inline {
        return;
    }
    if let Err(e) = relay(app, Some(ids)).await {
        tracing::warn!(error = %e, "immediate outbox relay failed; the schedule will retry");
    }
}
