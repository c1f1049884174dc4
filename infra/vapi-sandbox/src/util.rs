//! Small helpers the server, the REST API, the controls and the call
//! simulator all use: clocks, ids, query strings and phone numbers. It
//! imports nothing of this crate.

pub(crate) use kmx_sandbox_kit::{now_ms, random_alnum};

/// ISO 8601 with milliseconds and `Z`.
pub(crate) fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

pub(crate) fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Query-string pairs, decoded.
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(crate) fn query_get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A phone number typed into a URL or form: `+` may have become a space.
pub(crate) fn normalize_number(s: &str) -> String {
    let t = s.trim();
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        format!("+{t}")
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_has_milliseconds_and_z() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(1_500), "1970-01-01T00:00:01.500Z");
    }

    #[test]
    fn numbers_get_back_their_plus() {
        assert_eq!(normalize_number(" 14155550100 "), "+14155550100");
        assert_eq!(normalize_number("+14155550100"), "+14155550100");
        assert_eq!(normalize_number(""), "");
    }

    #[test]
    fn query_pairs_are_decoded() {
        let pairs = query_pairs("number=%2B1415&x=a+b");
        assert_eq!(query_get(&pairs, "number"), Some("+1415"));
        assert_eq!(query_get(&pairs, "x"), Some("a b"));
        assert_eq!(query_get(&pairs, "y"), None);
    }
}
