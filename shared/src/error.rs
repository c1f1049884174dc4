//! The one error type of every service, and its mapping to HTTP.
//!
//! Services return [`Error`]; the runtime turns it into
//! `{"error": {"code", "message", "fields"?}}` with the status from
//! [`Error::status`]. Nothing else maps errors to HTTP.

use crate::api::{ErrorBody, ErrorCode, ErrorDetail};
use std::collections::BTreeMap;

/// Field name → what is wrong with it, in words for the user.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("validation failed: {0:?}")]
    Validation(FieldErrors),
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("not signed in")]
    Unauthenticated,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("wrong current password")]
    WrongPassword,
    #[error("forbidden")]
    Forbidden,
    #[error("CSRF check failed")]
    CsrfFailed,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("email already registered")]
    EmailTaken,
    #[error("invalid or expired token")]
    InvalidToken,
    #[error("webhook signature rejected: {0}")]
    InvalidSignature(String),
    #[error("webhook request not authenticated: {0}")]
    WebhookUnauthorized(String),
    #[error("no numbers available in the pool")]
    NoNumbersAvailable,
    #[error("too many attempts, retry after {retry_after}s")]
    TooManyAttempts { retry_after: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {}", db_detail(.0))]
    Database(#[from] tokio_postgres::Error),
    /// Something on our side: `context` says what was being done, `source`
    /// (when there is one) is the error that stopped it.
    #[error("internal error: {context}")]
    Internal {
        context: String,
        #[source]
        source: Option<BoxError>,
    },
}

/// Any error kept as the cause of an [`Error::Internal`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<deadpool_postgres::PoolError> for Error {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Error::Unavailable(format!("database pool: {e}"))
    }
}

impl Error {
    pub fn field(name: &str, message: &str) -> Error {
        Error::Validation(FieldErrors::from([(name.to_string(), message.to_string())]))
    }

    /// An internal error with nothing underneath it (an invariant broken).
    pub fn internal(context: impl std::fmt::Display) -> Error {
        Error::Internal {
            context: context.to_string(),
            source: None,
        }
    }

    /// An internal error caused by `source`, while doing `context`.
    pub fn internal_from(context: impl std::fmt::Display, source: impl Into<BoxError>) -> Error {
        Error::Internal {
            context: context.to_string(),
            source: Some(source.into()),
        }
    }

    /// The error and its causes, for the log: `a: b: c`.
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(e) = cause {
            out.push_str(": ");
            out.push_str(&e.to_string());
            cause = e.source();
        }
        out
    }

    pub fn status(&self) -> u16 {
        match self {
            Error::Validation(_) | Error::MalformedJson(_) | Error::BadRequest(_) => 400,
            Error::InvalidToken | Error::InvalidSignature(_) => 400,
            Error::Unauthenticated | Error::InvalidCredentials | Error::WrongPassword => 401,
            Error::Forbidden | Error::CsrfFailed => 403,
            Error::NotFound => 404,
            Error::MethodNotAllowed => 405,
            Error::WebhookUnauthorized(_) => 401,
            Error::EmailTaken | Error::NoNumbersAvailable => 409,
            Error::PayloadTooLarge => 413,
            Error::UnsupportedMediaType => 415,
            Error::TooManyAttempts { .. } => 429,
            Error::Unavailable(_) => 503,
            Error::Database(e) if is_connection_error(e) => 503,
            Error::Database(_) | Error::Internal { .. } => 500,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Validation(_) => ErrorCode::ValidationFailed,
            Error::MalformedJson(_) => ErrorCode::MalformedJson,
            Error::BadRequest(_) => ErrorCode::BadRequest,
            Error::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Error::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Error::Unauthenticated => ErrorCode::Unauthenticated,
            Error::InvalidCredentials => ErrorCode::InvalidCredentials,
            Error::WrongPassword => ErrorCode::WrongPassword,
            Error::Forbidden => ErrorCode::Forbidden,
            Error::CsrfFailed => ErrorCode::CsrfFailed,
            Error::NotFound => ErrorCode::NotFound,
            Error::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Error::EmailTaken => ErrorCode::EmailTaken,
            Error::InvalidToken => ErrorCode::InvalidToken,
            Error::InvalidSignature(_) => ErrorCode::InvalidSignature,
            Error::WebhookUnauthorized(_) => ErrorCode::Unauthorized,
            Error::NoNumbersAvailable => ErrorCode::NoNumbersAvailable,
            Error::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            Error::Unavailable(_) => ErrorCode::Unavailable,
            Error::Database(_) | Error::Internal { .. } if self.status() == 503 => {
                ErrorCode::Unavailable
            }
            Error::Database(_) | Error::Internal { .. } => ErrorCode::Internal,
        }
    }

    /// What the user is told. Internal details stay in the logs.
    pub fn public_message(&self) -> String {
        match self {
            Error::Validation(_) => "Some fields need attention.".into(),
            Error::MalformedJson(detail) => format!("The request body is not valid JSON: {detail}"),
            Error::BadRequest(detail) => detail.clone(),
            Error::UnsupportedMediaType => "Send the body as application/json.".into(),
            Error::PayloadTooLarge => "The request body is too large.".into(),
            Error::Unauthenticated => "Please sign in.".into(),
            Error::InvalidCredentials => "That email and password do not match an account.".into(),
            Error::WrongPassword => "Your current password is not correct.".into(),
            Error::Forbidden => "You do not have access to this.".into(),
            Error::CsrfFailed => "This request did not come from the Kametrix dashboard. Reload the page and try again.".into(),
            Error::NotFound => "Not found.".into(),
            Error::MethodNotAllowed => "This route does not accept that method.".into(),
            Error::EmailTaken => "An account with this email already exists. Sign in instead.".into(),
            Error::InvalidToken => "This link is invalid, expired or already used.".into(),
            Error::InvalidSignature(why) => format!("The webhook signature was rejected: {why}."),
            Error::WebhookUnauthorized(_) => "This webhook request is not authenticated.".into(),
            Error::NoNumbersAvailable => "No phone numbers are available right now. Please try again later or contact support.".into(),
            Error::TooManyAttempts { retry_after } => format!(
                "Too many failed attempts. Try again in {} minute(s).",
                retry_after.div_ceil(60).max(1)
            ),
            _ if self.status() == 503 => "The service is briefly unavailable. Please try again.".into(),
            _ => "Something went wrong on our side. Please try again.".into(),
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.public_message(),
                fields: match self {
                    Error::Validation(fields) => fields.clone(),
                    _ => FieldErrors::new(),
                },
            },
        }
    }
}

/// The server's message (and constraint) rather than tokio-postgres's bare "db error".
fn db_detail(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!(
            "{} ({}){}",
            db.message(),
            db.code().code(),
            db.constraint()
                .map(|c| format!(" constraint {c}"))
                .unwrap_or_default()
        ),
        None => e.to_string(),
    }
}

fn is_connection_error(e: &tokio_postgres::Error) -> bool {
    e.is_closed() || e.as_db_error().is_none() && e.code().is_none()
}

/// Collects field errors, then fails once with all of them.
#[derive(Debug, Default)]
pub struct Validator(FieldErrors);

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn check(&mut self, ok: bool, field: &str, message: &str) -> &mut Self {
        if !ok && !self.0.contains_key(field) {
            self.0.insert(field.into(), message.into());
        }
        self
    }

    /// Records the error of a parse step, keeping the first per field.
    pub fn take<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.check(false, field, &message);
                None
            }
        }
    }

    /// An optional choice from a closed set (`outcome=answered`): absent is
    /// `None`, a value that is not one of the set is a field error.
    pub fn choice<T: std::str::FromStr>(
        &mut self,
        field: &str,
        value: Option<&str>,
        message: &str,
    ) -> Option<T> {
        let parsed = value?.parse::<T>();
        self.take(field, parsed.map_err(|_| message.to_string()))
    }

    /// Checks a page number (from 1) and a page size (1 to 100), with
    /// defaults; returns the pair.
    pub fn page(
        &mut self,
        page: Option<i64>,
        per_page: Option<i64>,
        default_per_page: i64,
    ) -> (i64, i64) {
        let (page, per_page) = (page.unwrap_or(1), per_page.unwrap_or(default_per_page));
        self.check(page >= 1, "page", "Pages start at 1.");
        self.check(
            (1..=100).contains(&per_page),
            "per_page",
            "Choose 1 to 100 per page.",
        );
        (page, per_page)
    }

    pub fn finish(&mut self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(std::mem::take(&mut self.0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_render_the_documented_shape() {
        let e = Error::field("email", "Enter a valid email address.");
        assert_eq!(e.status(), 400);
        let json = serde_json::to_value(e.body()).unwrap();
        assert_eq!(json["error"]["code"], "validation_failed");
        assert_eq!(e.code(), ErrorCode::ValidationFailed);
        assert_eq!(
            json["error"]["fields"]["email"],
            "Enter a valid email address."
        );
    }

    #[test]
    fn internal_details_are_not_shown_to_users() {
        let e = Error::internal("connection to 10.0.0.5 refused, password=hunter2");
        assert_eq!(e.status(), 500);
        let json = serde_json::to_string(&e.body()).unwrap();
        assert!(!json.contains("hunter2"));
        assert!(!json.contains("fields"));
    }

    #[test]
    fn an_internal_error_keeps_its_cause_for_the_log_only() {
        let cause = std::io::Error::other("disk on fire");
        let e = Error::internal_from("writing the report", cause);
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(
            e.chain(),
            "internal error: writing the report: disk on fire"
        );
        assert!(!serde_json::to_string(&e.body()).unwrap().contains("disk"));
    }

    #[test]
    fn throttling_tells_the_user_when_to_come_back() {
        let e = Error::TooManyAttempts { retry_after: 61 };
        assert_eq!(e.status(), 429);
        assert!(e.public_message().contains("2 minute"));
    }
}
