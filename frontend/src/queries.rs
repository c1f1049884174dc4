//! Query strings of routes that other pages link to with filters set.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shared::api::{AgentId, CallQuery};

/// Calls per page of `/calls`.
pub const CALLS_PER_PAGE: i64 = 25;

/// The state of `/calls` in the URL (`?agent_id=&from=&to=&outcome=&page=`).
/// Also what `/agents/:id` links with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<i64>,
}

impl CallsQuery {
    /// Empty filters dropped, so they don't show as `?outcome=`.
    pub fn cleaned(mut self) -> Self {
        let keep = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        self.agent_id = keep(self.agent_id);
        self.from = keep(self.from);
        self.to = keep(self.to);
        self.outcome = keep(self.outcome);
        self.page = self.page.filter(|p| *p > 1);
        self
    }

    /// The API's query; values that don't parse are left out.
    pub fn api(&self) -> CallQuery {
        let date = |v: &Option<String>| v.as_deref().and_then(|s| s.parse::<NaiveDate>().ok());
        CallQuery {
            agent_id: self
                .agent_id
                .as_deref()
                .and_then(|s| s.parse::<AgentId>().ok()),
            from: date(&self.from),
            to: date(&self.to),
            outcome: self.outcome.clone().filter(|o| !o.is_empty()),
            page: Some(self.page.unwrap_or(1).max(1)),
            per_page: Some(CALLS_PER_PAGE),
        }
    }

    pub fn has_filters(&self) -> bool {
        self.agent_id.is_some()
            || self.from.is_some()
            || self.to.is_some()
            || self.outcome.is_some()
    }
}
