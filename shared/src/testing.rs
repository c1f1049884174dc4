//! Helpers for integration tests: a fresh, migrated PostgreSQL database per
//! test, made by copying a template that is migrated once per migration set.
//!
//! `TEST_DATABASE_URL` names a server where the test may create databases
//! (`make test` starts a throwaway cluster and sets it).

use crate::app::App;
use crate::config::Config;
use crate::db;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tokio_postgres::NoTls;

/// The admin URL of the test server.
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!("TEST_DATABASE_URL is not set: run the tests with `make test`, or point it at a PostgreSQL server where tests may create databases")
    })
}

fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    format!("{}/{database}{query}", &base[..host_end])
}

/// Creates a fresh migrated database and returns its URL.
pub async fn fresh_database() -> String {
    let server = server_url();
    let (admin, connection) = tokio_postgres::connect(&server, NoTls)
        .await
        .expect("connect to TEST_DATABASE_URL");
    tokio::spawn(connection);
    let fingerprint = hex::encode(
        &Sha256::digest(
            db::MIGRATIONS
                .iter()
                .map(|(n, s)| format!("{n}\n{s}\n"))
                .collect::<String>(),
        )[..6],
    );
    let template = format!("kmx_template_{fingerprint}");
    admin
        .batch_execute("SELECT pg_advisory_lock(727275)")
        .await
        .unwrap();
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&template])
        .await
        .unwrap()
        .is_some();
    if !exists {
        let building = format!("{template}_building");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {building}"))
            .await
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {building}"))
            .await
            .unwrap();
        let pool = db::pool(&with_database(&server, &building), 1).unwrap();
        db::migrate(&pool)
            .await
            .expect("migrations apply to an empty database");
        pool.close();
        drop(pool);
        admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .await
            .unwrap();
    }
    admin
        .batch_execute("SELECT pg_advisory_unlock(727275)")
        .await
        .unwrap();
    let name = format!("kmx_test_{}", uuid::Uuid::new_v4().simple());
    admin
        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .await
        .unwrap();
    with_database(&server, &name)
}

/// The Stripe webhook secret of [`app`].
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_kametrix_test";

/// The Vapi webhook secret of [`app`] (sent as `X-Vapi-Secret`).
pub const VAPI_WEBHOOK_SECRET: &str = "vapi_test_secret";

/// An [`App`] on a fresh database, with email links on `http://127.0.0.1:8080`
/// and no inline outbox relay (tests read the outbox table instead).
pub async fn app() -> Arc<App> {
    let url = fresh_database().await;
    let config = Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some(url.clone()),
        "KMX_OUTBOX_RELAY_INLINE" => Some("false".into()),
        "DATABASE_POOL_SIZE" => Some("16".into()),
        "STRIPE_WEBHOOK_SECRET" => Some(STRIPE_WEBHOOK_SECRET.into()),
        "VAPI_WEBHOOK_SECRET" => Some(VAPI_WEBHOOK_SECRET.into()),
        _ => None,
    })
    .expect("test config");
    Arc::new(App::new(config).expect("test app"))
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_replace_the_path_and_keep_options() {
        assert_eq!(
            with_database("postgres://u@h:5/postgres?sslmode=disable", "x"),
            "postgres://u@h:5/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
    }
}
