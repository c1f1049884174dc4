//! Random secrets and their stored form: emailed single-use tokens (verify
//! email, reset password). Only SHA-256 hashes are stored.

use crate::api::UserId;
use crate::error::{Error, Result};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// 256 random bits, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

crate::api::values::text_enum! {
    /// What an emailed link is for.
    TokenKind { VerifyEmail => "verify_email", ResetPassword => "reset_password" }
}

impl TokenKind {
    /// How long an emailed link of this kind works.
    pub fn lifetime(self) -> Duration {
        match self {
            TokenKind::VerifyEmail => Duration::days(7),
            TokenKind::ResetPassword => Duration::hours(1),
        }
    }
}

/// Stores a new token for `user_id`; returns `(token id, token)`.
pub async fn issue_in(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: UserId,
    kind: TokenKind,
) -> Result<(Uuid, String)> {
    let token = random_token();
    let expires_at: DateTime<Utc> = Utc::now() + kind.lifetime();
    let row = tx
        .query_one(
            "INSERT INTO auth_tokens (user_id, kind, token_hash, expires_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
            &[&user_id, &kind, &hash_token(&token), &expires_at],
        )
        .await?;
    Ok((row.get(0), token))
}

/// Marks the token used and returns its user, if it is of `kind`, unexpired
/// and unused; concurrent uses of one token succeed at most once.
pub async fn consume_in(
    tx: &deadpool_postgres::Transaction<'_>,
    token: &str,
    kind: TokenKind,
) -> Result<UserId> {
    if token.is_empty() || token.len() > 256 {
        return Err(Error::InvalidToken);
    }
    let row = tx
        .query_opt(
            "UPDATE auth_tokens SET used_at = now()
             WHERE token_hash = $1 AND kind = $2 AND used_at IS NULL AND expires_at > now()
             RETURNING user_id",
            &[&hash_token(token), &kind],
        )
        .await?;
    row.map(|r| r.get(0)).ok_or(Error::InvalidToken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_256_random_bits() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(hash_token(&a).len(), 32);
    }
}
