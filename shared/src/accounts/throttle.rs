//! Login throttling: 10 failed logins per email or per IP address within 15
//! minutes, and further attempts are refused (429) until the oldest failure
//! in the window ages out.

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};

pub const MAX_FAILURES: i64 = 10;
pub const WINDOW_SECONDS: i64 = 15 * 60;

/// Refuses the attempt when the email or the IP already has too many failures.
pub async fn check(
    client: &impl deadpool_postgres::GenericClient,
    email: &str,
    ip: Option<&str>,
) -> Result<()> {
    let row = client
        .query_one(
            "WITH recent AS (
                 SELECT email, ip, at FROM login_failures
                 WHERE at > now() - make_interval(secs => $3) AND (email = $1 OR ip = $2)
             ),
             by_email AS (
                 SELECT at FROM recent WHERE email = $1 ORDER BY at DESC LIMIT $4
             ),
             by_ip AS (
                 SELECT at FROM recent WHERE ip = $2 ORDER BY at DESC LIMIT $4
             )
             SELECT (SELECT count(*) FROM by_email), (SELECT min(at) FROM by_email),
                    (SELECT count(*) FROM by_ip), (SELECT min(at) FROM by_ip)",
            &[&email, &ip, &(WINDOW_SECONDS as f64), &MAX_FAILURES],
        )
        .await?;
    let blocked_until = |count: i64, oldest: Option<DateTime<Utc>>| {
        (count >= MAX_FAILURES)
            .then_some(oldest)
            .flatten()
            .map(|t| t + chrono::Duration::seconds(WINDOW_SECONDS))
    };
    let until = [
        blocked_until(row.get(0), row.get(1)),
        blocked_until(row.get(2), row.get(3)),
    ]
    .into_iter()
    .flatten()
    .max();
    match until {
        Some(until) => Err(Error::TooManyAttempts {
            retry_after: (until - Utc::now()).num_seconds().max(1) as u64,
        }),
        None => Ok(()),
    }
}

pub async fn record_failure(
    client: &impl deadpool_postgres::GenericClient,
    email: &str,
    ip: Option<&str>,
) -> Result<()> {
    client
        .execute(
            "INSERT INTO login_failures (email, ip) VALUES ($1, $2)",
            &[&email, &ip],
        )
        .await?;
    Ok(())
}
