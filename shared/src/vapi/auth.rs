//! Authenticates Vapi's server-URL requests with the scheme of the
//! credential attached in Vapi (`VAPI_WEBHOOK_AUTH`): the `X-Vapi-Secret`
//! header, a bearer token, or an HMAC over the raw body. Every comparison is
//! constant-time; what failed is logged with the header names received,
//! never their values.

use crate::config::{HmacAlgorithm, VapiAuthMode, VapiConfig};
use crate::error::{Error, Result};
use crate::http::{HeaderMap, Signed};
use base64::Engine;
use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;

/// How far a signed timestamp may be from now.
pub const TOLERANCE_SECONDS: i64 = 300;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

fn same(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

fn refuse(headers: &HeaderMap, why: &str) -> Error {
    let names: Vec<&str> = headers.keys().map(|k| k.as_str()).collect();
    tracing::warn!(why, headers = ?names, "Vapi webhook request refused");
    Error::WebhookUnauthorized(why.into())
}

/// The HMAC of `payload` with `secret`, encoded as configured.
pub fn signature(config: &VapiConfig, secret: &str, payload: &[u8]) -> String {
    let raw = match config.hmac_algorithm {
        HmacAlgorithm::Sha256 => {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes keys of any size");
            mac.update(payload);
            mac.finalize().into_bytes().to_vec()
        }
        HmacAlgorithm::Sha512 => {
            let mut mac = Hmac::<sha2::Sha512>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes keys of any size");
            mac.update(payload);
            mac.finalize().into_bytes().to_vec()
        }
    };
    if config.hmac_base64 {
        base64::engine::general_purpose::STANDARD.encode(raw)
    } else {
        hex::encode(raw)
    }
}

/// A timestamp in seconds or milliseconds (Vapi does not document which).
fn timestamp_seconds(text: &str) -> Option<i64> {
    let n: i64 = text.parse().ok()?;
    Some(if n > 100_000_000_000 { n / 1000 } else { n })
}

/// Checks the request against the configured scheme at `now` (epoch s).
pub fn verify<'a>(
    config: &VapiConfig,
    headers: &HeaderMap,
    body: &'a [u8],
    now: i64,
) -> Result<Signed<'a>> {
    let secret = config
        .webhook_secret
        .as_ref()
        .ok_or_else(|| Error::Unavailable("VAPI_WEBHOOK_SECRET is not set".into()))?;
    let secret = secret.expose();
    match config.auth {
        VapiAuthMode::Secret => {
            let sent = header(headers, "x-vapi-secret")
                .ok_or_else(|| refuse(headers, "no X-Vapi-Secret header"))?;
            if !same(sent.as_bytes(), secret.as_bytes()) {
                return Err(refuse(headers, "wrong X-Vapi-Secret"));
            }
        }
        VapiAuthMode::Bearer => {
            let sent = header(headers, "authorization")
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
                .ok_or_else(|| refuse(headers, "no bearer token"))?;
            if !same(sent.trim().as_bytes(), secret.as_bytes()) {
                return Err(refuse(headers, "wrong bearer token"));
            }
        }
        VapiAuthMode::Hmac => {
            let sent = header(headers, &config.hmac_signature_header)
                .ok_or_else(|| refuse(headers, "no signature header"))?;
            let sent = sent.strip_prefix(&config.hmac_prefix).unwrap_or(sent);
            let expected = if config.hmac_timestamp_header.is_empty() {
                signature(config, secret, body)
            } else {
                let ts_text = header(headers, &config.hmac_timestamp_header)
                    .ok_or_else(|| refuse(headers, "no timestamp header"))?;
                let ts = timestamp_seconds(ts_text)
                    .ok_or_else(|| refuse(headers, "malformed timestamp"))?;
                if (now - ts).abs() > TOLERANCE_SECONDS {
                    return Err(refuse(headers, "timestamp outside the tolerance"));
                }
                let mut payload = Vec::with_capacity(ts_text.len() + 1 + body.len());
                payload.extend_from_slice(ts_text.as_bytes());
                payload.push(b'.');
                payload.extend_from_slice(body);
                signature(config, secret, &payload)
            };
            let matches = if config.hmac_base64 {
                same(sent.as_bytes(), expected.as_bytes())
            } else {
                same(sent.to_ascii_lowercase().as_bytes(), expected.as_bytes())
            };
            if !matches {
                return Err(refuse(headers, "wrong signature"));
            }
        }
    }
    Ok(Signed::verified(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::http::HeaderValue;

    fn config(pairs: &[(&str, &str)]) -> VapiConfig {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| {
            if k == "DATABASE_URL" {
                return Some("postgres://x".into());
            }
            pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
        .unwrap()
        .vapi
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    const BODY: &[u8] = br#"{"message":{"type":"status-update"}}"#;

    #[test]
    fn the_x_vapi_secret_header_must_match_exactly() {
        let c = config(&[("VAPI_WEBHOOK_SECRET", "s3cret")]);
        assert!(verify(&c, &headers(&[("x-vapi-secret", "s3cret")]), BODY, 0).is_ok());
        let e = verify(&c, &headers(&[("x-vapi-secret", "s3cre")]), BODY, 0).unwrap_err();
        assert_eq!(e.status(), 401);
        assert_eq!(
            verify(&c, &headers(&[]), BODY, 0).unwrap_err().status(),
            401
        );
        assert_eq!(
            verify(&c, &headers(&[("authorization", "Bearer s3cret")]), BODY, 0)
                .unwrap_err()
                .status(),
            401,
            "a bearer token is not the configured scheme"
        );
    }

    #[test]
    fn a_bearer_credential_is_checked_in_the_authorization_header() {
        let c = config(&[
            ("VAPI_WEBHOOK_SECRET", "tok"),
            ("VAPI_WEBHOOK_AUTH", "bearer"),
        ]);
        assert!(verify(&c, &headers(&[("authorization", "Bearer tok")]), BODY, 0).is_ok());
        assert!(verify(&c, &headers(&[("authorization", "Bearer nope")]), BODY, 0).is_err());
        assert!(verify(&c, &headers(&[("x-vapi-secret", "tok")]), BODY, 0).is_err());
    }

    #[test]
    fn an_hmac_over_timestamp_and_raw_body_verifies_in_seconds_or_milliseconds() {
        let c = config(&[
            ("VAPI_WEBHOOK_SECRET", "hmac-key"),
            ("VAPI_WEBHOOK_AUTH", "hmac"),
        ]);
        let now = 1_767_268_800;
        for ts in [now.to_string(), (now * 1000 + 123).to_string()] {
            let mut payload = format!("{ts}.").into_bytes();
            payload.extend_from_slice(BODY);
            let sig = signature(&c, "hmac-key", &payload);
            let h = headers(&[("x-vapi-signature", &sig), ("x-vapi-timestamp", &ts)]);
            assert!(verify(&c, &h, BODY, now).is_ok(), "{ts}");
            assert!(
                verify(&c, &h, br#"{"message":{"type":"status-update "}}"#, now).is_err(),
                "a changed body fails"
            );
            assert!(
                verify(&c, &h, BODY, now + 301).is_err(),
                "a stale timestamp fails"
            );
        }
    }

    #[test]
    fn an_hmac_without_timestamp_with_a_prefix_and_base64_can_be_configured() {
        let c = config(&[
            ("VAPI_WEBHOOK_SECRET", "k"),
            ("VAPI_WEBHOOK_AUTH", "hmac"),
            ("VAPI_HMAC_TIMESTAMP_HEADER", "none"),
            ("VAPI_HMAC_PREFIX", "sha256="),
            ("VAPI_HMAC_ENCODING", "base64"),
            ("VAPI_HMAC_SIGNATURE_HEADER", "X-Signature"),
        ]);
        let sig = format!("sha256={}", signature(&c, "k", BODY));
        assert!(verify(&c, &headers(&[("x-signature", &sig)]), BODY, 0).is_ok());
        assert!(verify(&c, &headers(&[("x-signature", "sha256=AAAA")]), BODY, 0).is_err());
    }

    #[test]
    fn without_a_configured_secret_the_webhook_is_unavailable_not_open() {
        let c = config(&[]);
        assert_eq!(
            verify(&c, &headers(&[("x-vapi-secret", "")]), BODY, 0)
                .unwrap_err()
                .status(),
            503
        );
    }
}
