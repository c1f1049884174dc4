//! The scenarios a simulated call can play and the knobs of
//! `POST /_sandbox/calls`.

use crate::validate;
use serde_json::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    OpeningHours,
    Faq,
    Message,
    Hangup5s,
    Silence,
}

impl Scenario {
    pub const ALL: [Scenario; 5] = [
        Scenario::OpeningHours,
        Scenario::Faq,
        Scenario::Message,
        Scenario::Hangup5s,
        Scenario::Silence,
    ];

    pub fn parse(s: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::OpeningHours => "opening_hours",
            Scenario::Faq => "faq",
            Scenario::Message => "message",
            Scenario::Hangup5s => "hangup_5s",
            Scenario::Silence => "silence",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scenario::OpeningHours => "Ask for the opening hours",
            Scenario::Faq => "Ask a question (FAQ)",
            Scenario::Message => "Leave a message",
            Scenario::Hangup5s => "Hang up after 5 s",
            Scenario::Silence => "Stay silent",
        }
    }

    pub fn default_seconds(self) -> u32 {
        match self {
            Scenario::OpeningHours => 45,
            Scenario::Faq => 50,
            Scenario::Message => 70,
            Scenario::Hangup5s => 5,
            Scenario::Silence => 30,
        }
    }

    /// The `outcome` filled into `analysis.structuredData`.
    pub fn outcome(self) -> &'static str {
        match self {
            Scenario::OpeningHours | Scenario::Faq => "answered",
            Scenario::Message => "message_taken",
            Scenario::Hangup5s | Scenario::Silence => "no_conversation",
        }
    }

    pub(super) fn ended_reason(self) -> &'static str {
        match self {
            Scenario::Silence => "silence-timed-out",
            _ => "customer-ended-call",
        }
    }
}

/// The optional knobs of a simulated call.
#[derive(Clone, Debug)]
pub struct Knobs {
    pub caller: String,
    pub duration_seconds: Option<u32>,
    pub duplicates: u32,
    pub concurrent_duplicates: bool,
    pub reorder: bool,
    pub legacy: bool,
    pub arguments_as_string: bool,
    pub question: String,
    pub caller_name: String,
    pub reason: String,
    pub urgency: String,
}

impl Default for Knobs {
    fn default() -> Knobs {
        Knobs {
            caller: "+14155550123".into(),
            duration_seconds: None,
            duplicates: 1,
            concurrent_duplicates: false,
            reorder: false,
            legacy: false,
            arguments_as_string: false,
            question: "Do you have parking?".into(),
            caller_name: "Jamie Rivera".into(),
            reason: "Please call me back about a quote for a new boiler.".into(),
            urgency: "normal".into(),
        }
    }
}

/// Keys `POST /_sandbox/calls` accepts.
const CALL_KEYS: &[&str] = &[
    "number",
    "phone_number_id",
    "wait",
    "scenario",
    "caller",
    "duration_seconds",
    "duplicates",
    "concurrent_duplicates",
    "reorder",
    "legacy",
    "arguments_as_string",
    "question",
    "caller_name",
    "reason",
    "urgency",
];

/// The scenario and knobs of a `POST /_sandbox/calls` body.
pub fn parse_call_request(args: &Map<String, Value>) -> Result<(Scenario, Knobs), String> {
    if let Some(k) = args.keys().find(|k| !CALL_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown field {k:?}; known fields: {}",
            CALL_KEYS.join(", ")
        ));
    }
    let scenario = match args.get("scenario") {
        None | Some(Value::Null) => Scenario::OpeningHours,
        Some(Value::String(s)) => Scenario::parse(s).ok_or_else(|| bad_scenario(s))?,
        Some(_) => return Err("scenario must be a string".into()),
    };
    let mut k = Knobs::default();
    let string = |key: &str, target: &mut String| -> Result<(), String> {
        match args.get(key) {
            None | Some(Value::Null) => Ok(()),
            Some(Value::String(s)) if !s.trim().is_empty() => {
                *target = s.trim().to_string();
                Ok(())
            }
            Some(_) => Err(format!("{key} must be a non-empty string")),
        }
    };
    string("caller", &mut k.caller)?;
    if !validate::e164(&k.caller) {
        return Err("caller must be an E.164 number such as +14155550123".into());
    }
    string("question", &mut k.question)?;
    string("caller_name", &mut k.caller_name)?;
    string("reason", &mut k.reason)?;
    string("urgency", &mut k.urgency)?;
    let boolean = |key: &str| -> Result<bool, String> {
        match args.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(format!("{key} must be true or false")),
        }
    };
    k.concurrent_duplicates = boolean("concurrent_duplicates")?;
    k.reorder = boolean("reorder")?;
    k.legacy = boolean("legacy")?;
    k.arguments_as_string = boolean("arguments_as_string")?;
    match args.get("duration_seconds") {
        None | Some(Value::Null) => {}
        Some(v) => match v.as_u64() {
            Some(n @ 1..=43200) => k.duration_seconds = Some(n as u32),
            _ => return Err("duration_seconds must be an integer from 1 to 43200".into()),
        },
    }
    match args.get("duplicates") {
        None | Some(Value::Null) => {}
        Some(v) => match v.as_u64() {
            Some(n @ 1..=20) => k.duplicates = n as u32,
            _ => return Err("duplicates must be an integer from 1 to 20".into()),
        },
    }
    if let Some(w) = args.get("wait") {
        if !w.is_boolean() && !w.is_null() {
            return Err("wait must be true or false".into());
        }
    }
    Ok((scenario, k))
}

pub fn bad_scenario(s: &str) -> String {
    format!(
        "unknown scenario {s:?}; use one of: {}",
        Scenario::ALL.map(Scenario::as_str).join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_round_trip() {
        for s in Scenario::ALL {
            assert_eq!(Scenario::parse(s.as_str()), Some(s));
        }
        assert_eq!(Scenario::parse("nope"), None);
    }
}
