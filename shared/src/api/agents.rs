//! Agents: the receptionists, their business profile, templates, voices
//! and tools.

use super::values::{text_enum, AccountId, AgentId, NumberId, E164};
use super::NumberStatus;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A day of the week, as the hours editor and the prompt name it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OpeningPeriod {
    pub day: Weekday,
    pub open: String,
    pub close: String,
}

/// A closure: a holiday or a day off, from `date` to `end_date` (inclusive;
/// one day when absent).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub date: chrono::NaiveDate,
    #[serde(default)]
    pub end_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// What the receptionist does outside opening hours.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
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

text_enum! {
    /// A paused agent's calls are refused (or transferred).
    AgentStatus { Active => "active", Paused => "paused" }
}

text_enum! {
    /// Where an agent started from.
    TemplateId {
        Appointments => "appointments",
        Support => "support",
        AfterHours => "after_hours",
        HomeServices => "home_services",
        /// Blank: no greeting, no tools; the owner picks them.
        Custom => "custom",
    }
}

text_enum! {
    /// The tools an agent's model can call through Vapi.
    ToolName {
        LookupBusinessInfo => "lookup_business_info",
        TakeMessage => "take_message",
    }
}

/// The number an agent answers, if it has one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct AgentNumber {
    pub id: NumberId,
    pub number: E164,
    pub status: NumberStatus,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct Agent {
    pub id: AgentId,
    pub name: String,
    pub template: TemplateId,
    pub status: AgentStatus,
    pub voice_id: String,
    pub greeting: String,
    /// BCP-47 language of the conversation, e.g. `en`.
    pub language: String,
    pub instructions: String,
    /// The tools the agent may use.
    pub tools: Vec<ToolName>,
    pub profile: BusinessProfile,
    pub number: Option<AgentNumber>,
    /// Where a test call can be placed (the Vapi sandbox's simulator), when
    /// the platform runs on the sandbox and the agent has a number.
    pub test_call_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct AgentList {
    pub agents: Vec<Agent>,
}

/// `POST /api/agents`: from a template (its greeting, tools and voice), or
/// `custom` (blank). Fields given override the template's.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct Voice {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct ToolInfo {
    pub name: ToolName,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct Template {
    pub id: TemplateId,
    pub name: String,
    pub description: String,
    pub greeting: String,
    pub voice_id: String,
    pub tools: Vec<ToolName>,
    pub after_hours: AfterHours,
}

/// `GET /api/templates`: templates, and the voices, tools and languages an
/// agent may use.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct Catalog {
    pub templates: Vec<Template>,
    pub voices: Vec<Voice>,
    pub tools: Vec<ToolInfo>,
    /// (code, name)
    pub languages: Vec<(String, String)>,
}

/// An agent as admins see it: with its account.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct AdminAgent {
    pub id: AgentId,
    pub name: String,
    pub template: TemplateId,
    pub status: AgentStatus,
    pub account_id: AccountId,
    pub business_name: String,
    pub number: Option<E164>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
pub struct AdminAgentPage {
    pub agents: Vec<AdminAgent>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Query of `GET /api/admin/agents`: `q` matches the agent or business name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AdminAgentQuery {
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}
