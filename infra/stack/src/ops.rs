//! PLACEHOLDER — the lead replaces this file (migrations + seed).
//!
//! `kmx::stack` calls [`prepare`] once PostgreSQL is up and before the
//! functions start. Keep `Seed` (pub fields, `Debug + Clone`) and
//! `SeedReport` (`pub lines`: printed verbatim in the `kmx dev` banner).
//! `Seed::default()` / `Seed::from_env()` live in `stack.rs`.

/// The accounts `prepare` makes sure exist.
#[derive(Debug, Clone)]
pub struct Seed {
    pub admin_email: String,
    pub admin_password: String,
    pub demo_email: String,
    pub demo_password: String,
    pub demo_business: String,
}

/// What `prepare` did, one line each (the logins go here).
#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub lines: Vec<String>,
}

/// Applies the migrations and the seed to `database_url`.
pub async fn prepare(database_url: &str, seed: &Seed) -> Result<SeedReport, anyhow::Error> {
    // TODO(lead): migrate + seed. Until then the stack runs without them.
    let _ = (database_url, seed);
    Ok(SeedReport {
        lines: vec!["(no migrations/seed yet: infra/stack/src/ops.rs is a placeholder)".into()],
    })
}
