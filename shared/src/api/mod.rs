//! Request and response bodies of the HTTP API (see `docs/api.md` and the
//! OpenAPI document at `/api/openapi.json`), by domain, and the values they
//! are made of ([`values`]).
//!
//! Compiled for the server and for the wasm dashboard alike, so it depends on
//! serde, uuid and chrono only (the SQL conversions of its values exist on
//! the server side alone).

mod accounts;
mod agents;
mod calls;
mod credits;
mod numbers;
pub mod routes;
pub mod values;

pub use accounts::*;
pub use agents::*;
pub use calls::*;
pub use credits::*;
pub use numbers::*;
pub use values::*;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Header carrying the per-session CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

text_enum! {
    /// The `code` of an error body: what went wrong, for programs (the
    /// dashboard matches on it; people read `message`).
    ErrorCode {
        ValidationFailed => "validation_failed",
        MalformedJson => "malformed_json",
        BadRequest => "bad_request",
        UnsupportedMediaType => "unsupported_media_type",
        PayloadTooLarge => "payload_too_large",
        Unauthenticated => "unauthenticated",
        InvalidCredentials => "invalid_credentials",
        WrongPassword => "wrong_password",
        Forbidden => "forbidden",
        CsrfFailed => "csrf_failed",
        NotFound => "not_found",
        MethodNotAllowed => "method_not_allowed",
        EmailTaken => "email_taken",
        InvalidToken => "invalid_token",
        InvalidSignature => "invalid_signature",
        Unauthorized => "unauthorized",
        NoNumbersAvailable => "no_numbers_available",
        TooManyAttempts => "too_many_attempts",
        Unavailable => "unavailable",
        Internal => "internal",
        /// A code this build does not know (a newer server); treat it as a
        /// plain failure and show the message.
        #[serde(other)]
        Other => "other",
    }
}

/// `{"error": {...}}`, the body of every error response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// Field name → what is wrong with it; only on `validation_failed`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct Hello {
    pub hello: String,
}
