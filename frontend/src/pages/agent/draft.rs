//! The editor's model: the inputs as typed ([`Draft`]), made from an
//! [`Agent`] and turned into the `PATCH` that saves it, and the JSON paths
//! the API reports field errors by.

use std::collections::BTreeMap;

use shared::api::{
    AfterHours, Agent, AgentPatch, BusinessProfile, Closure, Faq, OpeningPeriod, Service, ToolName,
};

use crate::api::ApiError;

// ---- paths and labels ----------------------------------------------------------

/// The `id` of the input for a JSON path: `profile.hours[2].close` →
/// `profile-hours-2-close`.
pub fn path_id(path: &str) -> String {
    let mut id = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '.' | '[' => id.push('-'),
            ']' => {}
            other => id.push(other),
        }
    }
    id
}

/// `profile.hours[2].close` → (`profile.hours`, 2, `close`).
pub fn split_indexed(path: &str) -> Option<(&str, usize, &str)> {
    let (list, rest) = path.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    let index = index.parse().ok()?;
    Some((list, index, rest.trim_start_matches('.')))
}

/// What to call a field in the error summary at the top of the editor.
pub fn path_label(path: &str, draft: &Draft) -> String {
    let simple = match path {
        "name" => Some("Agent name"),
        "voice_id" => Some("Voice"),
        "language" => Some("Language"),
        "greeting" => Some("Greeting"),
        "instructions" => Some("Custom instructions"),
        "tools" => Some("What your agent can do"),
        "profile" => Some("Business profile"),
        "profile.business_name" => Some("Business name"),
        "profile.description" => Some("What your business does"),
        "profile.address" => Some("Address"),
        "profile.phone" => Some("Business phone"),
        "profile.timezone" => Some("Time zone"),
        "profile.fallback_phone" => Some("Transfer calls to"),
        "profile.after_hours" => Some("Outside opening hours"),
        "profile.hours" => Some("Opening hours"),
        "profile.closures" => Some("Closures"),
        "profile.services" => Some("Services"),
        "profile.faqs" => Some("Questions and answers"),
        _ => None,
    };
    if let Some(label) = simple {
        return label.to_string();
    }
    let Some((list, index, field)) = split_indexed(path) else {
        return path.to_string();
    };
    let n = index + 1;
    match list {
        "profile.hours" => {
            let day = draft
                .hours
                .get(index)
                .map(|h| h.day.name().to_string())
                .unwrap_or_else(|| format!("period {n}"));
            let what = match field {
                "open" => " (opens)",
                "close" => " (closes)",
                _ => "",
            };
            format!("Opening hours, {day}{what}")
        }
        "profile.closures" => {
            let what = match field {
                "date" => " (first day)",
                "end_date" => " (last day)",
                "reason" => " (reason)",
                _ => "",
            };
            format!("Closure {n}{what}")
        }
        "profile.services" => {
            let what = match field {
                "name" => " (name)",
                "duration_minutes" => " (duration)",
                "price" => " (price)",
                "description" => " (description)",
                _ => "",
            };
            format!("Service {n}{what}")
        }
        "profile.faqs" => {
            let what = match field {
                "question" => " (question)",
                "answer" => " (answer)",
                _ => "",
            };
            format!("Question {n}{what}")
        }
        "tools" => "What your agent can do".to_string(),
        _ => path.to_string(),
    }
}

/// After item `index` of `list` is removed: its errors go, those of the
/// items after it move up one.
pub fn shift_errors(err: &mut ApiError, list: &str, index: usize) {
    let fields = std::mem::take(&mut err.fields);
    for (key, message) in fields {
        match split_indexed(&key) {
            Some((l, i, rest)) if l == list => {
                if i == index {
                    continue;
                }
                let i = if i > index { i - 1 } else { i };
                let key = if rest.is_empty() {
                    format!("{l}[{i}]")
                } else {
                    format!("{l}[{i}].{rest}")
                };
                err.fields.insert(key, message);
            }
            _ => {
                err.fields.insert(key, message);
            }
        }
    }
}

/// "HH:MM" plus `minutes`, kept within the day (23:59 at most).
pub fn add_minutes(hhmm: &str, minutes: u32) -> String {
    let parsed = hhmm
        .split_once(':')
        .and_then(|(h, m)| Some((h.parse::<u32>().ok()?, m.get(..2)?.parse::<u32>().ok()?)));
    let Some((h, m)) = parsed else {
        return "09:00".to_string();
    };
    let total = (h * 60 + m + minutes).min(23 * 60 + 59);
    format!("{:02}:{:02}", total / 60, total % 60)
}

// ---- draft ---------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClosureDraft {
    pub date: String,
    pub end_date: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceDraft {
    pub name: String,
    /// Minutes as typed; empty when it varies.
    pub duration: String,
    pub price: String,
    pub description: String,
}

/// The editor's inputs as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub name: String,
    pub voice_id: String,
    pub language: String,
    pub greeting: String,
    pub instructions: String,
    pub tools: Vec<ToolName>,
    pub business_name: String,
    pub description: String,
    pub address: String,
    pub phone: String,
    pub timezone: String,
    pub fallback_phone: String,
    pub after_hours: AfterHours,
    /// In the order they are sent: error paths index into this.
    pub hours: Vec<OpeningPeriod>,
    pub closures: Vec<ClosureDraft>,
    pub services: Vec<ServiceDraft>,
    pub faqs: Vec<Faq>,
}

impl Draft {
    pub fn of(a: &Agent) -> Self {
        let p = &a.profile;
        Draft {
            name: a.name.clone(),
            voice_id: a.voice_id.clone(),
            language: a.language.clone(),
            greeting: a.greeting.clone(),
            instructions: a.instructions.clone(),
            tools: a.tools.clone(),
            business_name: p.business_name.clone(),
            description: p.description.clone(),
            address: p.address.clone(),
            phone: p.phone.clone(),
            timezone: p.timezone.clone(),
            fallback_phone: p.fallback_phone.clone(),
            after_hours: p.after_hours,
            hours: p.hours.clone(),
            closures: p
                .closures
                .iter()
                .map(|c| ClosureDraft {
                    date: c.date.to_string(),
                    end_date: c.end_date.map(|d| d.to_string()).unwrap_or_default(),
                    reason: c.reason.clone(),
                })
                .collect(),
            services: p
                .services
                .iter()
                .map(|s| ServiceDraft {
                    name: s.name.clone(),
                    duration: s
                        .duration_minutes
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    price: s.price.clone(),
                    description: s.description.clone(),
                })
                .collect(),
            faqs: p.faqs.clone(),
        }
    }

    /// Everything, as `PATCH /api/agents/{id}` takes it; dates and durations
    /// that are not valid are reported at their inputs instead.
    pub fn patch(&self) -> Result<AgentPatch, ApiError> {
        let mut problems: BTreeMap<String, String> = BTreeMap::new();
        let closures = self
            .closures
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let date = match c.date.trim() {
                    "" => {
                        problems.insert(
                            format!("profile.closures[{i}].date"),
                            "Enter the first day of the closure.".into(),
                        );
                        None
                    }
                    text => text.parse().ok().or_else(|| {
                        problems.insert(
                            format!("profile.closures[{i}].date"),
                            "Enter a date like 2025-12-24.".into(),
                        );
                        None
                    }),
                };
                let end_date = match c.end_date.trim() {
                    "" => None,
                    text => text.parse().ok().or_else(|| {
                        problems.insert(
                            format!("profile.closures[{i}].end_date"),
                            "Enter a date like 2025-12-26, or leave it empty.".into(),
                        );
                        None
                    }),
                };
                date.map(|date| Closure {
                    date,
                    end_date,
                    reason: c.reason.trim().to_string(),
                })
            })
            .collect::<Vec<_>>();
        let services = self
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let duration_minutes = match s.duration.trim() {
                    "" => None,
                    text => match text.parse::<i32>() {
                        Ok(m) if m > 0 => Some(m),
                        _ => {
                            problems.insert(
                                format!("profile.services[{i}].duration_minutes"),
                                "Enter whole minutes, e.g. 30, or leave it empty.".into(),
                            );
                            None
                        }
                    },
                };
                Service {
                    name: s.name.trim().to_string(),
                    duration_minutes,
                    price: s.price.trim().to_string(),
                    description: s.description.trim().to_string(),
                }
            })
            .collect();
        if !problems.is_empty() {
            let mut err = ApiError::invalid(&[]);
            err.fields = problems;
            return Err(err);
        }
        Ok(AgentPatch {
            name: Some(self.name.trim().to_string()),
            voice_id: Some(self.voice_id.clone()),
            language: Some(self.language.clone()),
            greeting: Some(self.greeting.trim().to_string()),
            instructions: Some(self.instructions.trim().to_string()),
            tools: Some(self.tools.iter().map(|t| t.as_str().to_string()).collect()),
            profile: Some(BusinessProfile {
                business_name: self.business_name.trim().to_string(),
                description: self.description.trim().to_string(),
                address: self.address.trim().to_string(),
                phone: self.phone.trim().to_string(),
                timezone: self.timezone.trim().to_string(),
                hours: self.hours.clone(),
                closures: closures.into_iter().flatten().collect(),
                services,
                faqs: self
                    .faqs
                    .iter()
                    .map(|f| Faq {
                        question: f.question.trim().to_string(),
                        answer: f.answer.trim().to_string(),
                    })
                    .collect(),
                fallback_phone: self.fallback_phone.trim().to_string(),
                after_hours: self.after_hours,
            }),
        })
    }
}
