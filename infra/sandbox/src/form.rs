//! Stripe's request encoding: `application/x-www-form-urlencoded` with
//! bracket nesting (`line_items[0][price_data][unit_amount]=2500`,
//! `metadata[account_id]=…`, `expand[]=line_items`). Brackets may come raw or
//! percent-encoded (`%5B`, `%5D`); `+` is a space.

use std::collections::BTreeMap;
use std::fmt;

/// One parsed value: a string leaf or a map of children. Lists are maps
/// keyed by their decimal index (`a[]` appends the next index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Value(String),
    Map(BTreeMap<String, Node>),
}

/// A key that cannot be parsed or that collides with another key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub key: String,
    pub message: String,
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl std::error::Error for FormError {}

/// Splits `a[b][0][]` into `["a", "b", "0", ""]`.
pub fn split_key(key: &str) -> Result<Vec<String>, FormError> {
    let err = |message: &str| FormError {
        key: key.to_string(),
        message: message.to_string(),
    };
    let (name, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if name.is_empty() {
        return Err(err("empty parameter name"));
    }
    if name.contains(']') {
        return Err(err("unbalanced `]`"));
    }
    let mut parts = vec![name.to_string()];
    while !rest.is_empty() {
        let Some(inner) = rest.strip_prefix('[') else {
            return Err(err("text after `]` (expected `[`)"));
        };
        let Some(end) = inner.find(']') else {
            return Err(err("unbalanced `[`"));
        };
        let seg = &inner[..end];
        if seg.contains('[') {
            return Err(err("nested `[`"));
        }
        parts.push(seg.to_string());
        rest = &inner[end + 1..];
    }
    Ok(parts)
}

/// Parses a whole body (or query string) into a map.
pub fn parse(body: &[u8]) -> Result<Node, FormError> {
    let mut root = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(body) {
        if key.is_empty() && value.is_empty() {
            continue;
        }
        let parts = split_key(&key)?;
        insert(&mut root, &key, &parts, value.into_owned())?;
    }
    Ok(Node::Map(root))
}

fn insert(
    map: &mut BTreeMap<String, Node>,
    full: &str,
    parts: &[String],
    value: String,
) -> Result<(), FormError> {
    let err = |message: &str| FormError {
        key: full.to_string(),
        message: message.to_string(),
    };
    let seg = if parts[0].is_empty() {
        // `a[]`: the next index of this list.
        if map.keys().any(|k| k.parse::<usize>().is_err()) {
            return Err(err("`[]` used on a parameter that has named keys"));
        }
        map.len().to_string()
    } else {
        parts[0].clone()
    };
    if parts.len() == 1 {
        match map.get(&seg) {
            Some(Node::Map(_)) => Err(err("given both as a value and as a hash")),
            Some(Node::Value(_)) => Err(err("given more than once")),
            None => {
                map.insert(seg, Node::Value(value));
                Ok(())
            }
        }
    } else {
        let child = map.entry(seg).or_insert_with(|| Node::Map(BTreeMap::new()));
        match child {
            Node::Map(m) => insert(m, full, &parts[1..], value),
            Node::Value(_) => Err(err("given both as a value and as a hash")),
        }
    }
}

impl Node {
    pub fn get(&self, path: &[&str]) -> Option<&Node> {
        let mut node = self;
        for seg in path {
            match node {
                Node::Map(m) => node = m.get(*seg)?,
                Node::Value(_) => return None,
            }
        }
        Some(node)
    }

    /// The string at `path`, if it is a leaf.
    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        match self.get(path)? {
            Node::Value(v) => Some(v.as_str()),
            Node::Map(_) => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Node>> {
        match self {
            Node::Map(m) => Some(m),
            Node::Value(_) => None,
        }
    }

    /// The children of a list in index order; `None` if this is not a
    /// list (a leaf, or a map with a non-numeric key).
    pub fn as_list(&self) -> Option<Vec<(usize, &Node)>> {
        let m = self.as_map()?;
        let mut items = Vec::with_capacity(m.len());
        for (k, v) in m {
            items.push((k.parse::<usize>().ok()?, v));
        }
        items.sort_by_key(|(i, _)| *i);
        Some(items)
    }

    /// The leaves of a list or of a single value (`expand[]=a`, `expand=a`).
    pub fn strings(&self) -> Vec<&str> {
        match self {
            Node::Value(v) => vec![v.as_str()],
            Node::Map(_) => self
                .as_list()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(_, n)| match n {
                    Node::Value(v) => Some(v.as_str()),
                    Node::Map(_) => None,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Node {
        Node::Value(s.into())
    }

    #[test]
    fn splits_bracket_keys() {
        assert_eq!(split_key("mode").unwrap(), vec!["mode"]);
        assert_eq!(
            split_key("line_items[0][price_data][unit_amount]").unwrap(),
            vec!["line_items", "0", "price_data", "unit_amount"]
        );
        assert_eq!(split_key("expand[]").unwrap(), vec!["expand", ""]);
        for bad in ["", "[a]", "a[b", "a]b", "a[b]c", "a[b[c]]"] {
            assert!(split_key(bad).is_err(), "{bad:?} should fail");
        }
    }

    /// The body async-stripe 1.0.0-rc.10 sends (reference §1.2), raw brackets.
    const ASYNC_STRIPE_BODY: &str = "cancel_url=https://app.example/billing/cancel&client_reference_id=biz_42&customer_email=owner@example.com&line_items[0][price_data][currency]=eur&line_items[0][price_data][product_data][name]=500+call+credits&line_items[0][price_data][unit_amount]=4900&line_items[0][quantity]=1&metadata[business_id]=biz_42&metadata[credits]=500&mode=payment&payment_intent_data[metadata][business_id]=biz_42&success_url=https://app.example/billing/success?session_id%3D{CHECKOUT_SESSION_ID}";

    #[test]
    fn parses_the_async_stripe_body() {
        let n = parse(ASYNC_STRIPE_BODY.as_bytes()).unwrap();
        assert_eq!(n.str_at(&["mode"]), Some("payment"));
        assert_eq!(
            n.str_at(&["line_items", "0", "price_data", "product_data", "name"]),
            Some("500 call credits")
        );
        assert_eq!(
            n.str_at(&["line_items", "0", "price_data", "unit_amount"]),
            Some("4900")
        );
        assert_eq!(n.str_at(&["metadata", "credits"]), Some("500"));
        assert_eq!(
            n.str_at(&["payment_intent_data", "metadata", "business_id"]),
            Some("biz_42")
        );
        assert_eq!(
            n.str_at(&["success_url"]),
            Some("https://app.example/billing/success?session_id={CHECKOUT_SESSION_ID}")
        );
        let items = n.get(&["line_items"]).unwrap().as_list().unwrap();
        assert_eq!(items.len(), 1);
    }

    #[test]
    fn percent_encoded_brackets_are_the_same() {
        let raw = parse(ASYNC_STRIPE_BODY.as_bytes()).unwrap();
        let encoded = ASYNC_STRIPE_BODY.replace('[', "%5B").replace(']', "%5D");
        assert_eq!(parse(encoded.as_bytes()).unwrap(), raw);
        let lower = ASYNC_STRIPE_BODY.replace('[', "%5b").replace(']', "%5d");
        assert_eq!(parse(lower.as_bytes()).unwrap(), raw);
    }

    #[test]
    fn lists_append_and_sort_numerically() {
        let n = parse(b"expand[]=line_items&expand[]=payment_intent").unwrap();
        assert_eq!(
            n.get(&["expand"]).unwrap().strings(),
            vec!["line_items", "payment_intent"]
        );
        let n = parse(b"a[10][x]=ten&a[2][x]=two&a[0][x]=zero").unwrap();
        let order: Vec<&str> = n
            .get(&["a"])
            .unwrap()
            .as_list()
            .unwrap()
            .into_iter()
            .map(|(_, n)| n.str_at(&["x"]).unwrap())
            .collect();
        assert_eq!(order, vec!["zero", "two", "ten"]);
        assert!(parse(b"a[b]=1")
            .unwrap()
            .get(&["a"])
            .unwrap()
            .as_list()
            .is_none());
        assert_eq!(
            parse(b"expand=x")
                .unwrap()
                .get(&["expand"])
                .unwrap()
                .strings(),
            vec!["x"]
        );
    }

    #[test]
    fn decodes_values_and_keeps_empty_ones() {
        let n = parse(b"metadata[note]=a%26b+c%3Dd&metadata[empty]=&x=%E2%82%AC").unwrap();
        assert_eq!(n.str_at(&["metadata", "note"]), Some("a&b c=d"));
        assert_eq!(n.str_at(&["metadata", "empty"]), Some(""));
        assert_eq!(n.str_at(&["x"]), Some("€"));
        let m = n.get(&["metadata"]).unwrap().as_map().unwrap();
        assert_eq!(m.get("note"), Some(&v("a&b c=d")));
    }

    #[test]
    fn rejects_collisions_and_malformed_keys() {
        assert!(parse(b"a=1&a[b]=2").is_err());
        assert!(parse(b"a[b]=2&a=1").is_err());
        assert!(parse(b"a=1&a=2").is_err());
        assert!(parse(b"a[x]=1&a[]=2").is_err());
        let e = parse(b"line_items[0[quantity]=1").unwrap_err();
        assert_eq!(e.key, "line_items[0[quantity]");
        assert_eq!(parse(b"").unwrap(), Node::Map(BTreeMap::new()));
        assert_eq!(parse(b"&&").unwrap(), Node::Map(BTreeMap::new()));
    }
}
