//! Stripe's webhook signature: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`
//! where each `v1` is HMAC-SHA256(secret, "<t>.<raw body>"). Any matching
//! `v1` is accepted (secrets roll), compared in constant time, within a
//! tolerance of the timestamp.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

fn sign(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `v1` signature of `body` at `timestamp`, in hex.
pub fn v1(secret: &str, timestamp: i64, body: &[u8]) -> String {
    hex::encode(sign(secret, timestamp, body).finalize().into_bytes())
}

/// Verifies `header` for `body` against any of `secrets` at time `now`.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[&str],
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            return Err(SignatureError::Malformed);
        };
        match key {
            "t" => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                )
            }
            "v1" => candidates.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?),
            _ => {} // v0 and future schemes are ignored
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    for secret in secrets {
        for candidate in &candidates {
            // `verify_slice` compares in constant time.
            if sign(secret, timestamp, body)
                .verify_slice(candidate)
                .is_ok()
            {
                return Ok(());
            }
        }
    }
    Err(SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The reference vectors (shared/reference, Stripe §1.4).
    const SECRET: &str = "whsec_test_kametrix_5f2b8c1e9d";
    const T: i64 = 1767225600;
    const PAYLOAD: &str = r#"{"id":"evt_test_1","object":"event","type":"checkout.session.completed","data":{"object":{"id":"cs_test_1","object":"checkout.session","client_reference_id":"biz_42","payment_status":"paid"}}}"#;
    const V1: &str = "f3e74f3f82c055a2bfff5aa8e281c49d647a2d03c0722b2640bc9edaaf9efe89";
    const ROTATED_OLD: &str = "696c5281f3f8fac9be8708e21fe16b8a91b56ebdaf2dbfa35edfa019a151f1a5";
    const TAMPERED: &str = "c8ba3d2584d08b2c228a72c04dc3f85a723cc8f1eb53406a2487d064550b2bdc";

    #[test]
    fn the_reference_vector_signs_and_verifies() {
        assert_eq!(PAYLOAD.len(), 192);
        assert_eq!(v1(SECRET, T, PAYLOAD.as_bytes()), V1);
        let header = format!("t={T},v1={V1}");
        assert_eq!(
            verify(Some(&header), PAYLOAD.as_bytes(), &[SECRET], T + 10),
            Ok(())
        );
    }

    #[test]
    fn a_header_with_two_v1_during_secret_rotation_verifies_with_the_new_secret() {
        assert_eq!(
            v1("whsec_old_rotated_secret", T, PAYLOAD.as_bytes()),
            ROTATED_OLD
        );
        let header = format!("t={T},v1={ROTATED_OLD},v1={V1}");
        assert_eq!(
            verify(Some(&header), PAYLOAD.as_bytes(), &[SECRET], T),
            Ok(())
        );
    }

    #[test]
    fn a_tampered_body_fails() {
        let tampered = format!("{PAYLOAD} ");
        assert_eq!(v1(SECRET, T, tampered.as_bytes()), TAMPERED);
        let header = format!("t={T},v1={V1}");
        assert_eq!(
            verify(Some(&header), tampered.as_bytes(), &[SECRET], T),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_stale_timestamp_fails_either_way() {
        let header = format!("t={T},v1={V1}");
        assert_eq!(
            verify(Some(&header), PAYLOAD.as_bytes(), &[SECRET], T + 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(Some(&header), PAYLOAD.as_bytes(), &[SECRET], T - 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(Some(&header), PAYLOAD.as_bytes(), &[SECRET], T + 300),
            Ok(())
        );
    }

    #[test]
    fn missing_or_malformed_headers_fail() {
        assert_eq!(
            verify(None, b"{}", &[SECRET], T),
            Err(SignatureError::Missing)
        );
        for bad in [
            "",
            "t=abc,v1=00",
            "v1=00",
            &format!("t={T}"),
            &format!("t={T},v1=zz"),
        ] {
            assert!(verify(Some(bad), b"{}", &[SECRET], T).is_err(), "{bad}");
        }
        let v0_only = format!("t={T},v0={V1}");
        assert_eq!(
            verify(Some(&v0_only), PAYLOAD.as_bytes(), &[SECRET], T),
            Err(SignatureError::Malformed)
        );
    }
}
