//! The number pool.

use super::values::{text_enum, AccountId, AgentId, NumberId, E164};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

text_enum! {
    /// A pool number: being set up at the provider, answering, or blocked.
    NumberStatus { Activating => "activating", Active => "active", Blocked => "blocked" }
}

/// A number of the Kametrix pool.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct PhoneNumber {
    pub id: NumberId,
    pub number: E164,
    pub area_code: String,
    pub status: NumberStatus,
    pub account_id: Option<AccountId>,
    pub business_name: Option<String>,
    pub agent_id: Option<AgentId>,
    pub agent_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct NumberPool {
    pub numbers: Vec<PhoneNumber>,
    /// Numbers not taken by any agent.
    pub available: i64,
}

/// `POST /api/admin/numbers`: provision `count` (1 to 5) numbers through Vapi.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProvisionNumbers {
    #[serde(default)]
    pub area_code: Option<String>,
    #[serde(default)]
    pub count: Option<u32>,
}

/// `POST /api/agents/{id}/number`: take a pool number, preferably in `area_code`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TakeNumber {
    #[serde(default)]
    pub area_code: Option<String>,
}
