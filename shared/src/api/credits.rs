//! Credits: packs, the balance, the ledger, purchases.

use super::values::{text_enum, PackId, PurchaseId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A credit pack as sold (seconds of talk time for a price in cents).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct Pack {
    pub id: PackId,
    pub name: String,
    pub seconds: i64,
    pub price_cents: i64,
    pub currency: String,
    pub active: bool,
    pub sort: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct PackList {
    pub packs: Vec<Pack>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PackPatch {
    pub name: Option<String>,
    pub seconds: Option<i64>,
    pub price_cents: Option<i64>,
    pub active: Option<bool>,
    pub sort: Option<i32>,
}

text_enum! {
    /// Where an account's balance stands, as the owner is shown it.
    CreditState { Ok => "ok", Low => "low", Grace => "grace", Blocked => "blocked" }
}

text_enum! {
    /// The balance signals recorded as account events: entering low, zero,
    /// grace or blocked, and `ok` for leaving them.
    CreditSignal { Ok => "ok", Low => "low", Zero => "zero", Grace => "grace", Blocked => "blocked" }
}

impl CreditSignal {
    pub fn state(self) -> CreditState {
        match self {
            CreditSignal::Ok => CreditState::Ok,
            CreditSignal::Low => CreditState::Low,
            CreditSignal::Zero | CreditSignal::Grace => CreditState::Grace,
            CreditSignal::Blocked => CreditState::Blocked,
        }
    }
}

text_enum! {
    /// What caused a ledger entry.
    LedgerKind {
        SignupGrant => "signup_grant",
        Purchase => "purchase",
        Call => "call",
        NumberRental => "number_rental",
        Refund => "refund",
        Dispute => "dispute",
        AdminAdjustment => "admin_adjustment",
    }
}

text_enum! {
    /// Where a Stripe Checkout purchase stands.
    PurchaseStatus { Pending => "pending", Paid => "paid", Failed => "failed", Expired => "expired" }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct AccountEvent {
    pub kind: CreditSignal,
    pub balance_seconds: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct LedgerEntry {
    pub id: i64,
    pub kind: LedgerKind,
    pub amount_seconds: i64,
    pub balance_after_seconds: i64,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query of the paginated lists.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    pub pack_id: PackId,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct CheckoutResponse {
    pub url: String,
    pub purchase_id: PurchaseId,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct Purchase {
    pub id: PurchaseId,
    pub status: PurchaseStatus,
    pub seconds: i64,
    pub price_cents: i64,
    pub currency: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AdjustCreditsRequest {
    /// Signed seconds (the form takes minutes with one decimal).
    pub amount_seconds: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
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
