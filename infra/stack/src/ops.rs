//! Operations on a database: the one migrate step (used by `make dev`, the
//! tests and deploys), creating admins (`make admin`) and the dev seed.
//! `Seed::default()` / `Seed::from_env()` live in `stack.rs`.

use shared::api::Role;
use shared::app::App;
use shared::config::Config;
use shared::{accounts, db};

/// The logins `kmx dev` makes sure exist.
#[derive(Debug, Clone)]
pub struct Seed {
    pub admin_email: String,
    pub admin_password: String,
    pub demo_email: String,
    pub demo_password: String,
    pub demo_business: String,
}

/// What was done, one line each, printed in the `kmx dev` banner.
#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub lines: Vec<String>,
}

fn app(database_url: &str) -> anyhow::Result<App> {
    let config = Config::from_lookup(|k| match k {
        "DATABASE_URL" => Some(database_url.to_string()),
        "DATABASE_POOL_SIZE" => Some("2".into()),
        "KMX_OUTBOX_RELAY_INLINE" => Some("false".into()),
        _ => std::env::var(k).ok(),
    })?;
    Ok(App::new(config)?)
}

/// Provisions `count` numbers through the Vapi API of `env` (the functions'
/// environment) when the pool is empty, so that a fresh `kmx dev` can give
/// an agent a number at once. Returns what it did.
pub async fn fill_pool(
    env: &std::collections::HashMap<String, String>,
    count: u32,
) -> anyhow::Result<Option<String>> {
    let config = Config::from_lookup(|k| env.get(k).cloned())?;
    let app = App::new(config)?;
    let pool = shared::numbers::pool(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{}", describe(e)))?;
    if !pool.numbers.is_empty() {
        return Ok(None);
    }
    let pool = shared::numbers::provision(
        &app,
        shared::api::ProvisionNumbers {
            area_code: None,
            count: Some(count),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{}", describe(e)))?;
    Ok(Some(format!(
        "number pool {}",
        pool.numbers
            .iter()
            .map(|n| n.number.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// Applies pending migrations; returns their names.
pub async fn migrate(database_url: &str) -> anyhow::Result<Vec<String>> {
    let app = app(database_url)?;
    Ok(db::migrate(&app.db).await?)
}

/// Creates an admin, or makes an existing user an admin with this password.
pub async fn create_admin(database_url: &str, email: &str, password: &str) -> anyhow::Result<()> {
    let app = app(database_url)?;
    db::migrate(&app.db).await?;
    accounts::upsert_user(&app, email, password, "Kametrix", Role::Admin)
        .await
        .map_err(|e| anyhow::anyhow!("{}", describe(e)))?;
    Ok(())
}

/// Migrates, then makes sure the seed admin and demo owner exist with the
/// seed passwords (everything else they have is kept across runs).
pub async fn prepare(database_url: &str, seed: &Seed) -> anyhow::Result<SeedReport> {
    let app = app(database_url)?;
    let applied = db::migrate(&app.db).await?;
    let mut report = SeedReport::default();
    report.lines.push(if applied.is_empty() {
        "database is up to date".to_string()
    } else {
        format!("applied migrations: {}", applied.join(", "))
    });
    accounts::upsert_user(
        &app,
        &seed.admin_email,
        &seed.admin_password,
        "Kametrix",
        Role::Admin,
    )
    .await
    .map_err(|e| anyhow::anyhow!("seed admin: {}", describe(e)))?;
    report.lines.push(format!(
        "admin       {}  /  {}",
        seed.admin_email, seed.admin_password
    ));
    accounts::upsert_user(
        &app,
        &seed.demo_email,
        &seed.demo_password,
        &seed.demo_business,
        Role::Owner,
    )
    .await
    .map_err(|e| anyhow::anyhow!("seed demo owner: {}", describe(e)))?;
    report.lines.push(format!(
        "demo owner  {}  /  {}",
        seed.demo_email, seed.demo_password
    ));
    Ok(report)
}

fn describe(e: shared::error::Error) -> String {
    match e {
        shared::error::Error::Validation(fields) => fields
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
