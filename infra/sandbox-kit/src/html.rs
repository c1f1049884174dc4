//! HTML escaping and the frame of a sandbox page.

/// `s` with `& < > " '` escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: `head` (raw, e.g. a refresh `<meta>`) right after the
/// charset, the escaped `title`, `style` and `body` (raw).
pub fn page(title: &str, head: &str, style: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">{head}\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{style}</style></head>\n<body>\n{body}\n</body></html>\n",
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn pages_escape_the_title_only() {
        let p = page("a<b", "<meta x>", "b{}", "<p>hi</p>");
        assert!(p.starts_with("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta x><meta name=\"viewport\""));
        assert!(p.contains(
            "<title>a&lt;b</title><style>b{}</style></head>\n<body>\n<p>hi</p>\n</body></html>\n"
        ));
    }
}
