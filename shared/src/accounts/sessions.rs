//! Sessions: a random 256-bit token in an HttpOnly cookie, only its hash in
//! the database, 30-day sliding expiry, revoked on logout and on password
//! change. Each session carries its own CSRF token for the SPA.

use super::tokens::{hash_token, random_token};
use crate::api::{self, UserId};
use crate::config::{Config, Secret};
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};
use deadpool_postgres::Pool;
use uuid::Uuid;

pub const COOKIE_NAME: &str = "kmx_session";
pub const LIFETIME_DAYS: i64 = 30;
/// The expiry slides forward at most once per this period, so that reading
/// pages does not write to the database on every request.
const SLIDE_EVERY: Duration = Duration::hours(1);

/// A signed-in session as the functions see it.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: Uuid,
    pub token: Secret,
    pub csrf_token: String,
    pub user: api::User,
    pub account: api::Account,
    /// Whether this request moved the expiry (the cookie is then re-sent).
    pub extended: bool,
}

impl Session {
    pub fn is_admin(&self) -> bool {
        self.user.role == api::Role::Admin
    }

    pub fn me(&self) -> api::Me {
        api::Me {
            user: self.user.clone(),
            account: self.account.clone(),
            csrf_token: self.csrf_token.clone(),
        }
    }

    /// The `Set-Cookie` value carrying this session.
    pub fn cookie(&self, config: &Config) -> String {
        cookie_header(config, self.token.expose(), LIFETIME_DAYS * 86400)
    }
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(config: &Config) -> String {
    cookie_header(config, "", 0)
}

fn cookie_header(config: &Config, value: &str, max_age: i64) -> String {
    let secure = if config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE_NAME}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// Starts a session for `user_id`; returns the new session's token and CSRF token.
pub async fn create_in(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: UserId,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<(Secret, String)> {
    let token = random_token();
    let csrf = random_token();
    let expires_at = Utc::now() + Duration::days(LIFETIME_DAYS);
    let user_agent = user_agent.map(|ua| ua.chars().take(300).collect::<String>());
    tx.execute(
        "INSERT INTO sessions (user_id, token_hash, csrf_token, expires_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &user_id,
            &hash_token(&token),
            &csrf,
            &expires_at,
            &ip,
            &user_agent,
        ],
    )
    .await?;
    Ok((Secret::new(token), csrf))
}

/// The live session of `token`, sliding its expiry forward when due.
pub async fn authenticate(pool: &Pool, token: &str) -> Result<Option<Session>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let client = pool.get().await?;
    let statement = client
        .prepare_cached(concat!(
            "SELECT s.id, s.csrf_token, s.expires_at, ",
            super::user_columns!(),
            "              FROM sessions s
             JOIN users u ON u.id = s.user_id
             JOIN accounts a ON a.id = u.account_id
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()"
        ))
        .await?;
    let Some(row) = client.query_opt(&statement, &[&hash_token(token)]).await? else {
        return Ok(None);
    };
    let id: Uuid = row.try_get("id")?;
    let expires_at: DateTime<Utc> = row.try_get("expires_at")?;
    let full = Utc::now() + Duration::days(LIFETIME_DAYS);
    let extended = full - expires_at > SLIDE_EVERY;
    if extended {
        client
            .execute(
                "UPDATE sessions SET expires_at = $2 WHERE id = $1",
                &[&id, &full],
            )
            .await?;
    }
    let (user, account) = super::user_of(&row)?;
    Ok(Some(Session {
        id,
        token: Secret::new(token),
        csrf_token: row.try_get("csrf_token")?,
        user,
        account,
        extended,
    }))
}

pub async fn revoke(
    client: &impl deadpool_postgres::GenericClient,
    session_id: Uuid,
) -> Result<()> {
    client
        .execute(
            "UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
            &[&session_id],
        )
        .await?;
    Ok(())
}

pub async fn revoke_all_in(
    client: &impl deadpool_postgres::GenericClient,
    user_id: UserId,
) -> Result<u64> {
    Ok(client
        .execute(
            "UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
            &[&user_id],
        )
        .await?)
}
