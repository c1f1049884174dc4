//! Request and response bodies of the HTTP API (see `docs/api.md`).
//!
//! Compiled for the server and for the wasm dashboard alike, so it depends on
//! serde, uuid and chrono only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Header carrying the per-session CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// `{"error": {...}}`, the body of every error response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// Field name → what is wrong with it; only on `validation_failed`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Account {
    pub id: Uuid,
    pub business_name: String,
}

/// The signed-in user, their account and the session's CSRF token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Me {
    pub user: User,
    pub account: Account,
    pub csrf_token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub email: String,
    pub password: String,
    pub business_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    pub token: String,
    pub new_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    pub token: String,
}

/// A plain acknowledgement, shown to the user as is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MessageResponse {
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VerifyEmailResponse {
    pub message: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AdminUser {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
    pub account_id: Uuid,
    pub business_name: String,
    pub last_login_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AdminUserDetail {
    #[serde(flatten)]
    pub user: AdminUser,
    pub active_sessions: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AdminUserPage {
    pub users: Vec<AdminUser>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query of `GET /api/admin/users`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AdminUserQuery {
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hello {
    pub hello: String,
}

// ------------------------------------------------------------ credits ----

/// A credit pack as sold (seconds of talk time for a price in cents).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Pack {
    pub id: Uuid,
    pub name: String,
    pub seconds: i64,
    pub price_cents: i64,
    pub currency: String,
    pub active: bool,
    pub sort: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PackList {
    pub packs: Vec<Pack>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewPack {
    pub name: String,
    pub seconds: i64,
    pub price_cents: i64,
    #[serde(default = "default_true")]
    pub active: bool,
    #[serde(default)]
    pub sort: i32,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PackPatch {
    pub name: Option<String>,
    pub seconds: Option<i64>,
    pub price_cents: Option<i64>,
    pub active: Option<bool>,
    pub sort: Option<i32>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CreditState {
    Ok,
    Low,
    Grace,
    Blocked,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AccountEvent {
    /// `low`, `zero`, `grace`, `blocked` or `ok` (left a signal state).
    pub kind: String,
    pub balance_seconds: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Credits {
    pub balance_seconds: i64,
    pub state: CreditState,
    pub overage_limit_seconds: i64,
    pub grace_deadline: Option<DateTime<Utc>>,
    pub low_threshold_seconds: i64,
    #[serde(default)]
    pub recent_events: Vec<AccountEvent>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LedgerEntry {
    pub id: i64,
    pub kind: String,
    pub amount_seconds: i64,
    pub balance_after_seconds: i64,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query of the paginated lists.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    pub pack_id: Uuid,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CheckoutResponse {
    pub url: String,
    pub purchase_id: Uuid,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Purchase {
    pub id: Uuid,
    /// `pending`, `paid`, `failed` or `expired`.
    pub status: String,
    pub seconds: i64,
    pub price_cents: i64,
    pub currency: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdjustCreditsRequest {
    /// Signed seconds (the form takes minutes with one decimal).
    pub amount_seconds: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OverageRequest {
    /// `null` goes back to the default (900 s = 15 minutes).
    pub overage_limit_seconds: Option<i64>,
}

/// Seconds as the dashboard shows them: minutes with one decimal.
pub fn minutes(seconds: i64) -> String {
    let tenths = (seconds as f64 / 6.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{} min", tenths.abs() / 10, tenths.abs() % 10)
}
