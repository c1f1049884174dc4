//! Formatting helpers: dates and times, lengths of time, short texts, roles.

use chrono::{DateTime, Utc};
use shared::api::Role;
use wasm_bindgen::JsValue;

pub fn fmt_time(t: &DateTime<Utc>) -> String {
    t.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// A moment in the browser's own time zone and language, e.g.
/// "Dec 2, 2025, 3:04 PM" (`Intl.DateTimeFormat` with the default locale;
/// UTC if the browser can't).
pub fn fmt_local(t: &DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(t.timestamp_millis() as f64));
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| js_sys::Reflect::set(&options, &k.into(), &v.into()).is_ok();
    if !(set("dateStyle", "medium") && set("timeStyle", "short")) {
        return fmt_time(t);
    }
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options).format();
    match format
        .call1(&JsValue::UNDEFINED, &date)
        .ok()
        .and_then(|v| v.as_string())
    {
        Some(text) if !text.is_empty() => text,
        _ => fmt_time(t),
    }
}

/// A length of time as `m:ss` (`0:07`, `3:25`, `72:00`); negative counts as 0.
pub fn fmt_clock(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}:{:02}", s / 60, s % 60)
}

/// At most `max` characters of `text` (whitespace collapsed), cut at a word
/// boundary when there is one nearby, with "…" when something was cut.
pub fn truncate(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > cut.len() * 2 / 3 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{}…", cut.trim_end_matches([' ', ',', '.', ';', ':']))
}

pub fn fmt_date(t: &DateTime<Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}

pub fn role_label(role: &Role) -> &'static str {
    match role {
        Role::Owner => "Owner",
        Role::Admin => "Admin",
    }
}

/// "1 user", "3 users".
pub fn count_of(n: i64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The text with its first letter in upper case (`home services` → "Home services").
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn yes_no(b: bool) -> &'static str {
    if b {
        "Yes"
    } else {
        "No"
    }
}
