//! PostgreSQL: the connection pool and the one migrate step used by
//! `make dev`, the tests and deploys.

use crate::error::{Error, Result};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::time::Duration;
use tokio_postgres::NoTls;

pub use deadpool_postgres::{Client, Transaction};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

/// Every migration, `(name, sql)`, in the order they apply.
pub const MIGRATIONS: &[(&str, &str)] = embedded::MIGRATIONS;

/// A pool that connects lazily: creating it never touches the network, so a
/// function that never needs the database never waits for it.
pub fn pool(database_url: &str, size: usize) -> Result<Pool> {
    let pg: tokio_postgres::Config = database_url
        .parse()
        .map_err(|e| Error::internal_from("DATABASE_URL", e))?;
    let manager = Manager::from_config(
        pg,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(5)))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .build()
        .map_err(|e| Error::internal_from("database pool", e))
}

/// Applies the migrations not yet applied, each in its own transaction, under
/// an advisory lock so that concurrent migrators wait for each other.
/// Returns the names it applied.
pub async fn migrate(pool: &Pool) -> Result<Vec<String>> {
    let mut client = pool.get().await?;
    client
        .batch_execute(
            "SELECT pg_advisory_lock(727274);
             CREATE TABLE IF NOT EXISTS schema_migrations (
                 name text PRIMARY KEY,
                 applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .await?;
    let result = apply_pending(&mut client).await;
    client
        .batch_execute("SELECT pg_advisory_unlock(727274)")
        .await?;
    result
}

async fn apply_pending(client: &mut Client) -> Result<Vec<String>> {
    let applied: Vec<String> = client
        .query("SELECT name FROM schema_migrations", &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut done = Vec::new();
    for (name, sql) in MIGRATIONS {
        if applied.iter().any(|a| a == name) {
            continue;
        }
        let tx = client.transaction().await?;
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO schema_migrations (name) VALUES ($1)", &[name])
            .await?;
        tx.commit().await?;
        done.push(name.to_string());
    }
    Ok(done)
}

/// A `LIKE`/`ILIKE` pattern matching any text that contains `text`
/// literally (its `%`, `_` and `\` escaped).
pub fn contains_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}
