//! The HMAC signature the sandbox puts on deliveries in `--auth hmac` mode:
//! `x-vapi-timestamp: <epoch ms>` and
//! `x-vapi-signature: <lowercase hex HMAC-SHA256(secret, "{timestamp}.{raw body}")>`
//! (a Vapi custom credential with an HMAC authentication plan, reference §2).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Header carrying the epoch-milliseconds timestamp.
pub const TIMESTAMP_HEADER: &str = "x-vapi-timestamp";
/// Header carrying the hex signature.
pub const SIGNATURE_HEADER: &str = "x-vapi-signature";

/// `hex(HMAC-SHA256(secret, "{timestamp_ms}.{body}"))`, lowercase.
pub fn sign(secret: &str, timestamp_ms: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp_ms.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::sign;

    // Vectors computed with `printf '%s' '<ts>.<body>' | openssl dgst -sha256 -hmac <secret>`.
    #[test]
    fn matches_openssl_vectors() {
        assert_eq!(
            sign(
                "vapi_sandbox_webhook_secret",
                1767268800123,
                br#"{"message":{"type":"status-update"}}"#
            ),
            "130ff6539b1727f350f96cfd579ae0bd6aaeed9081e452430c3d41218b527260"
        );
        assert_eq!(
            sign("k", 0, b""),
            "6b4a4b8b3c40f1e8f53a3d36682e5f99f7ad2ac1df1c93dfe336f329167641e7"
        );
    }
}
