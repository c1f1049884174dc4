//! The transactional outbox. A message is written to `outbox` in the same
//! transaction as the change that caused it, then relayed to its SQS queue:
//! at once after the commit (best effort, see [`crate::app::UnitOfWork`])
//! and by the `outbox-relay` schedule for anything left behind. A crash
//! between commit and send therefore delays a message but never loses it.
//!
//! Each queue carries one payload type ([`OutboxMessage`]). Workers act on
//! a message at most once through [`deliver_once`], whatever the
//! redeliveries.

use crate::error::{Error, Result};
use crate::queue::{QueueMessage, Queues};
use deadpool_postgres::{GenericClient, Pool};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::future::Future;

/// A payload type and the queue that carries it.
pub trait OutboxMessage: Serialize + DeserializeOwned {
    /// The manifest's name of the queue.
    const QUEUE: &'static str;
}

/// What travels on the queue: the outbox row's id and dedup key around the
/// payload (a typed `P` for the worker, raw JSON for the relay).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Envelope<P = Value> {
    pub outbox_id: i64,
    /// Unique per logical message; workers use it to act once.
    pub dedup_key: String,
    pub payload: P,
}

impl<P: OutboxMessage> Envelope<P> {
    /// Reads a queue message body of `P`'s queue.
    pub fn decode(message: &QueueMessage) -> Result<Envelope<P>> {
        serde_json::from_str(&message.body)
            .map_err(|e| Error::BadRequest(format!("not an outbox envelope of {}: {e}", P::QUEUE)))
    }
}

/// Writes `message` in the caller's transaction; returns its id, or `None`
/// if `dedup_key` was already written (so retrying the causing operation
/// never sends twice). [`crate::app::UnitOfWork::enqueue`] also relays it
/// after the commit.
pub async fn enqueue_in<M: OutboxMessage>(
    tx: &deadpool_postgres::Transaction<'_>,
    dedup_key: &str,
    message: &M,
) -> Result<Option<i64>> {
    let payload = serde_json::to_value(message)
        .map_err(|e| Error::internal_from("serializing an outbox message", e))?;
    let row = tx
        .query_opt(
            "INSERT INTO outbox (queue, dedup_key, payload) VALUES ($1, $2, $3)
             ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
            &[&M::QUEUE, &dedup_key, &payload],
        )
        .await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct RelayReport {
    pub sent: u32,
    pub failed: u32,
}

/// Relays unsent messages (all of them, or just `only`) to their queues.
/// Rows are locked while sent, so concurrent relays never send one twice.
pub async fn relay(db: &Pool, queues: &Queues, only: Option<&[i64]>) -> Result<RelayReport> {
    let mut report = RelayReport::default();
    loop {
        let mut client = db.get().await?;
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
            let id: i64 = row.try_get("id")?;
            let queue: String = row.try_get("queue")?;
            let envelope = Envelope::<Value> {
                outbox_id: id,
                dedup_key: row.try_get("dedup_key")?,
                payload: row.try_get("payload")?,
            };
            let body = serde_json::to_string(&envelope).expect("JSON values serialize");
            match queues.send(&queue, body).await {
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

/// What [`deliver_once`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// The work ran now and succeeded.
    Now,
    /// It had been done before: a duplicate delivery, acknowledged.
    Before,
}

/// How long a claim holds before another worker may take it over (a
/// worker that died mid-work).
const CLAIM_TIMEOUT: &str = "2 minutes";

/// Runs `work` for the message `dedup_key` of `queue` at most once.
///
/// The delivery is claimed in `deliveries` first. A message already done is
/// acknowledged without running; one claimed by another worker within the
/// claim timeout is left for a later redelivery (`Unavailable`); a stale
/// claim is taken over. When `work` fails, the claim is released so that
/// the redelivery can try at once.
pub async fn deliver_once<F, Fut>(
    db: &Pool,
    queue: &str,
    dedup_key: &str,
    work: F,
) -> Result<Delivered>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let client = db.get().await?;
    if !claim(&client, queue, dedup_key).await? {
        let done: bool = client
            .query_one(
                "SELECT done_at IS NOT NULL AS done FROM deliveries
                 WHERE queue = $1 AND dedup_key = $2",
                &[&queue, &dedup_key],
            )
            .await?
            .try_get("done")?;
        if done {
            tracing::info!(queue, dedup_key, "already delivered; duplicate ignored");
            return Ok(Delivered::Before);
        }
        return Err(Error::Unavailable(format!(
            "{queue} message is being handled by another worker"
        )));
    }
    if let Err(e) = work().await {
        client
            .execute(
                "UPDATE deliveries SET claimed_at = '-infinity' WHERE queue = $1 AND dedup_key = $2",
                &[&queue, &dedup_key],
            )
            .await?;
        return Err(e);
    }
    client
        .execute(
            "UPDATE deliveries SET done_at = now() WHERE queue = $1 AND dedup_key = $2",
            &[&queue, &dedup_key],
        )
        .await?;
    Ok(Delivered::Now)
}

/// Claims the delivery; `false` if it is done or held by a live claim.
async fn claim(client: &impl GenericClient, queue: &str, dedup_key: &str) -> Result<bool> {
    Ok(client
        .query_opt(
            "INSERT INTO deliveries (queue, dedup_key) VALUES ($1, $2)
             ON CONFLICT (queue, dedup_key) DO UPDATE
                 SET claimed_at = now(), attempts = deliveries.attempts + 1
                 WHERE deliveries.done_at IS NULL
                   AND deliveries.claimed_at < now() - $3::text::interval
             RETURNING attempts",
            &[&queue, &dedup_key, &CLAIM_TIMEOUT],
        )
        .await?
        .is_some())
}
