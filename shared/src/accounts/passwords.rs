//! argon2id hashing with OWASP's parameters (m = 19 MiB, t = 2, p = 1), off
//! the async runtime's threads.

use crate::error::{Error, Result};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// Each hash takes 19 MiB and a core for tens of milliseconds; running more
/// at once than there are cores only adds memory (50 concurrent logins would
/// hold ~1 GiB). Extra requests wait their turn.
fn hashing_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        Semaphore::new(
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
        )
    })
}

async fn run_hashing<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let _slot = hashing_slots()
        .acquire()
        .await
        .map_err(|e| Error::internal_from("password hashing slot", e))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::internal_from("password hashing task", e))?
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash(password: &str) -> Result<String> {
    let password = password.to_string();
    run_hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(format!("hashing a password: {e}")))
    })
    .await
}

/// Whether `password` matches `stored` (a PHC string). A malformed stored
/// hash never matches.
pub async fn verify(password: &str, stored: &str) -> Result<bool> {
    let (password, stored) = (password.to_string(), stored.to_string());
    run_hashing(move || {
        Ok(PasswordHash::new(&stored)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false))
    })
    .await
}

/// A real hash of a random password, verified against when the email is
/// unknown so that an unknown email costs as long as a wrong password.
pub async fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return h;
    }
    let h = hash(&super::tokens::random_token())
        .await
        .unwrap_or_default();
    DUMMY.get_or_init(|| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let h = hash("correct horse battery staple").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery staple", &h).await.unwrap());
        assert!(!verify("correct horse battery stapler", &h).await.unwrap());
        assert!(!verify("anything", "not a hash").await.unwrap());
    }
}
