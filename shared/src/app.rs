//! What a function process holds for its whole life: the config, the
//! database pool and (lazily) the queue client and the mailer; and the
//! unit of work every write that queues side effects goes through.

use crate::config::Config;
use crate::error::Result;
use crate::outbox::{self, OutboxMessage};
use crate::{db, email::Mailer, queue::Queues};
use deadpool_postgres::{Client, Pool, Transaction};
use tokio::sync::OnceCell;

pub struct App {
    pub config: Config,
    pub db: Pool,
    queues: OnceCell<Queues>,
    mailer: OnceCell<Mailer>,
}

impl App {
    /// Builds the app from a validated config. Nothing connects yet.
    pub fn new(config: Config) -> Result<App> {
        let db = db::pool(config.database_url.expose(), config.database_pool_size)?;
        Ok(App {
            config,
            db,
            queues: OnceCell::new(),
            mailer: OnceCell::new(),
        })
    }

    pub async fn queues(&self) -> &Queues {
        self.queues
            .get_or_init(|| async { Queues::new(&self.config) })
            .await
    }

    pub async fn mailer(&self) -> Result<&Mailer> {
        self.mailer
            .get_or_try_init(|| async { Mailer::new(&self.config) })
            .await
    }

    /// Relays outbox messages (all unsent ones, or just `only`).
    pub async fn relay(&self, only: Option<&[i64]>) -> Result<outbox::RelayReport> {
        outbox::relay(&self.db, self.queues().await, only).await
    }

    /// Starts a unit of work on `client` (a connection from [`App::db`]).
    pub async fn begin<'c>(&'c self, client: &'c mut Client) -> Result<UnitOfWork<'c>> {
        Ok(UnitOfWork {
            app: self,
            tx: client.transaction().await?,
            queued: Vec::new(),
        })
    }
}

/// A transaction that remembers the outbox messages written in it and
/// relays them right after it commits (best effort: the `outbox-relay`
/// schedule sends whatever that misses). Dropped without [`commit`], it
/// rolls back and nothing is sent.
///
/// It derefs to the transaction, so the `*_in(tx, …)` functions of every
/// aggregate take `&uow` as they take any transaction.
///
/// [`commit`]: UnitOfWork::commit
pub struct UnitOfWork<'c> {
    app: &'c App,
    tx: Transaction<'c>,
    queued: Vec<i64>,
}

impl<'c> std::ops::Deref for UnitOfWork<'c> {
    type Target = Transaction<'c>;
    fn deref(&self) -> &Transaction<'c> {
        &self.tx
    }
}

impl UnitOfWork<'_> {
    /// Queues `message` with this transaction; a `dedup_key` written before
    /// queues nothing (so a retried operation never sends twice).
    pub async fn enqueue<M: OutboxMessage>(&mut self, dedup_key: &str, message: &M) -> Result<()> {
        if let Some(id) = outbox::enqueue_in(&self.tx, dedup_key, message).await? {
            self.queued.push(id);
        }
        Ok(())
    }

    /// Commits, then relays what was queued. A failed relay is logged and
    /// left to the schedule, never reported to the user whose request
    /// caused it.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        if self.queued.is_empty() || !self.app.config.relay_inline {
            return Ok(());
        }
        if let Err(e) = self.app.relay(Some(&self.queued)).await {
            tracing::warn!(error = %e.chain(), "immediate outbox relay failed; the schedule will retry");
        }
        Ok(())
    }
}
