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

// ------------------------------------------------------------- agents ----

/// A day of the week, as the hours editor and the prompt name it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Weekday::Mon => "Monday",
            Weekday::Tue => "Tuesday",
            Weekday::Wed => "Wednesday",
            Weekday::Thu => "Thursday",
            Weekday::Fri => "Friday",
            Weekday::Sat => "Saturday",
            Weekday::Sun => "Sunday",
        }
    }
}

/// One opening period: `day` from `open` to `close` ("HH:MM", 24-hour, local
/// time of the business). A day may have several periods (a lunch break).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OpeningPeriod {
    pub day: Weekday,
    pub open: String,
    pub close: String,
}

/// A closure: a holiday or a day off, from `date` to `end_date` (inclusive;
/// one day when absent).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub date: chrono::NaiveDate,
    #[serde(default)]
    pub end_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub name: String,
    /// Minutes; `None` when it varies.
    #[serde(default)]
    pub duration_minutes: Option<i32>,
    /// As the owner writes it ("from $40", "free quote"): never computed.
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// What the receptionist does outside opening hours.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AfterHours {
    /// Answer questions and offer to take a message.
    #[default]
    TakeMessage,
    /// Answer questions only.
    AnswerOnly,
}

/// The business the agent speaks for.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct BusinessProfile {
    pub business_name: String,
    pub description: String,
    pub address: String,
    pub phone: String,
    /// IANA name, e.g. `America/New_York`.
    pub timezone: String,
    pub hours: Vec<OpeningPeriod>,
    pub closures: Vec<Closure>,
    pub services: Vec<Service>,
    pub faqs: Vec<Faq>,
    /// E.164 number calls are transferred to when the agent cannot answer.
    pub fallback_phone: String,
    pub after_hours: AfterHours,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AgentStatus {
    Active,
    Paused,
}

/// The number an agent answers, if it has one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AgentNumber {
    pub id: Uuid,
    /// E.164.
    pub number: String,
    /// `activating` or `active`.
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Agent {
    pub id: Uuid,
    pub name: String,
    /// A template id, or `custom`.
    pub template: String,
    pub status: AgentStatus,
    pub voice_id: String,
    pub greeting: String,
    /// BCP-47 language of the conversation, e.g. `en`.
    pub language: String,
    pub instructions: String,
    /// Names of the tools the agent may use.
    pub tools: Vec<String>,
    pub profile: BusinessProfile,
    pub number: Option<AgentNumber>,
    /// Where a test call can be placed (the Vapi sandbox's simulator), when
    /// the platform runs on the sandbox and the agent has a number.
    pub test_call_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AgentList {
    pub agents: Vec<Agent>,
}

/// `POST /api/agents`: from a template (its greeting, tools and voice), or
/// `custom` (blank). Fields given override the template's.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub template: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub voice_id: Option<String>,
    #[serde(default)]
    pub greeting: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub instructions: Option<String>,
    #[serde(default)]
    pub tools: Option<Vec<String>>,
    #[serde(default)]
    pub profile: Option<BusinessProfile>,
}

/// `PATCH /api/agents/{id}`: fields given are replaced (the profile whole).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AgentPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub voice_id: Option<String>,
    #[serde(default)]
    pub greeting: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub instructions: Option<String>,
    #[serde(default)]
    pub tools: Option<Vec<String>>,
    #[serde(default)]
    pub profile: Option<BusinessProfile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Voice {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ToolInfo {
    pub name: String,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Template {
    /// `appointments`, `support`, `after_hours`, `home_services` or `custom`.
    pub id: String,
    pub name: String,
    pub description: String,
    pub greeting: String,
    pub voice_id: String,
    pub tools: Vec<String>,
    pub after_hours: AfterHours,
}

/// `GET /api/templates`: templates, and the voices, tools and languages an
/// agent may use.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Catalog {
    pub templates: Vec<Template>,
    pub voices: Vec<Voice>,
    pub tools: Vec<ToolInfo>,
    /// (code, name)
    pub languages: Vec<(String, String)>,
}

/// An agent as admins see it: with its account.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AdminAgent {
    pub id: Uuid,
    pub name: String,
    pub template: String,
    pub status: AgentStatus,
    pub account_id: Uuid,
    pub business_name: String,
    pub number: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AdminAgentPage {
    pub agents: Vec<AdminAgent>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query of `GET /api/admin/agents`: `q` matches the agent or business name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdminAgentQuery {
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

// ------------------------------------------------------------ numbers ----

/// A number of the Kametrix pool.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PhoneNumber {
    pub id: Uuid,
    /// E.164.
    pub number: String,
    pub area_code: String,
    /// `activating` or `active`.
    pub status: String,
    pub account_id: Option<Uuid>,
    pub business_name: Option<String>,
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NumberPool {
    pub numbers: Vec<PhoneNumber>,
    /// Numbers not taken by any agent.
    pub available: i64,
}

/// `POST /api/admin/numbers`: provision `count` (1 to 5) numbers through Vapi.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProvisionNumbers {
    #[serde(default)]
    pub area_code: Option<String>,
    #[serde(default)]
    pub count: Option<u32>,
}

/// `POST /api/agents/{id}/number`: take a pool number, preferably in `area_code`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TakeNumber {
    #[serde(default)]
    pub area_code: Option<String>,
}

// -------------------------------------------------------------- calls ----

/// One turn of a call's conversation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Turn {
    /// `assistant`, `caller`, `tool` (a lookup the agent made) or `system`.
    pub role: String,
    pub text: String,
    /// Milliseconds from the start of the call.
    pub at_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CallSummary {
    pub id: Uuid,
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    pub caller: Option<String>,
    /// `ringing`, `in-progress`, `ended`, …
    pub status: String,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: i64,
    /// `answered`, `message_taken`, `transferred`, `refused`, `no_conversation` or `unknown`.
    pub outcome: String,
    pub ended_reason: Option<String>,
    pub summary: Option<String>,
    /// Seconds taken from the balance for this call.
    pub charged_seconds: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CallDetail {
    #[serde(flatten)]
    pub call: CallSummary,
    pub number: Option<String>,
    pub recording_url: Option<String>,
    pub transcript: Vec<Turn>,
    /// Seconds billed under the rules (what the ledger was asked to take).
    pub billed_seconds: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CallPage {
    pub calls: Vec<CallSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query of `GET /api/calls`; `from` and `to` are inclusive UTC dates.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CallQuery {
    pub agent_id: Option<Uuid>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub outcome: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// A message a caller left with the receptionist.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CallerMessage {
    pub id: Uuid,
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    pub call_id: Option<Uuid>,
    pub caller_name: String,
    pub caller_number: String,
    pub reason: String,
    /// `low`, `normal` or `urgent`.
    pub urgency: String,
    pub handled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MessagePage {
    pub messages: Vec<CallerMessage>,
    pub total: i64,
    pub unhandled: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query of `GET /api/messages`: `status` is `unhandled` (default), `handled` or `all`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MessageQuery {
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}
