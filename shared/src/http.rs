//! Requests and replies as every HTTP function sees them, whichever way the
//! binary runs (Lambda Runtime API or plain HTTP): the 1 MiB body limit, JSON
//! parsing with per-field errors, cookies, and the one place where an
//! [`Error`] becomes an HTTP response.

use crate::error::{Error, FieldErrors, Result};
use bytes::Bytes;
pub use http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use serde::{de::DeserializeOwned, Serialize};

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Values of the route's `{param}` segments.
    pub params: Vec<(String, String)>,
    /// The runtime verified the sender's signature over `body`.
    signed: bool,
}

/// A request body whose sender's signature has been verified: the only
/// input the webhooks' services parse. It is made by the verifiers
/// (`vapi::auth::verify`, `billing::verify_webhook`), which the runtime runs
/// for every `access = "vapi"` or `"stripe"` route before the function.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    body: &'a [u8],
}

impl<'a> Signed<'a> {
    pub(crate) fn verified(body: &'a [u8]) -> Signed<'a> {
        Signed { body }
    }

    pub fn body(&self) -> &'a [u8] {
        self.body
    }
}

impl Request {
    pub fn new(method: Method, path_and_query: &str, headers: HeaderMap, body: Bytes) -> Request {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, q),
            None => (path_and_query, ""),
        };
        Request {
            method,
            path: path.to_string(),
            query: query.to_string(),
            headers,
            body,
            params: Vec::new(),
            signed: false,
        }
    }

    /// The request as either run mode receives it (Lambda event or hyper).
    pub fn from_parts(parts: http::request::Parts, body: Bytes) -> Request {
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        Request::new(parts.method, path, parts.headers, body)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The value of cookie `name`, from any `Cookie` header.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.trim_matches('"'))
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body, as verified by the runtime for a signed route (a webhook);
    /// on any other route, 401.
    pub fn signed_body(&self) -> Result<Signed<'_>> {
        if self.signed {
            Ok(Signed::verified(&self.body))
        } else {
            Err(Error::WebhookUnauthorized(
                "this route does not verify a sender".into(),
            ))
        }
    }

    pub(crate) fn mark_signed(&mut self) {
        self.signed = true;
    }

    /// A `{param}` that must be a UUID, as the typed id the caller wants
    /// (`AgentId`, `UserId`, …); anything else is simply not found.
    pub fn uuid_param<T: From<uuid::Uuid>>(&self, name: &str) -> Result<T> {
        self.param(name)
            .and_then(|v| uuid::Uuid::parse_str(v).ok())
            .map(T::from)
            .ok_or(Error::NotFound)
    }

    /// The caller's address: `X-Real-IP` as set by the gateway, else the last
    /// `X-Forwarded-For` hop (the one the nearest proxy added).
    pub fn client_ip(&self) -> Option<String> {
        self.header("x-real-ip")
            .map(|v| v.trim().to_string())
            .or_else(|| {
                self.header("x-forwarded-for")
                    .and_then(|v| v.rsplit(',').next())
                    .map(|v| v.trim().to_string())
            })
            .filter(|v| !v.is_empty())
    }

    pub fn user_agent(&self) -> Option<&str> {
        self.header("user-agent")
    }

    /// Whether the method changes state (and so needs CSRF protection).
    pub fn is_unsafe_method(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }

    /// Parses the JSON body into `T`, refusing other content types, bodies
    /// over the limit, malformed JSON, and missing, unknown or mistyped
    /// fields (reported per field).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        if self.body.len() > MAX_BODY_BYTES {
            return Err(Error::PayloadTooLarge);
        }
        let content_type = self.header("content-type").unwrap_or("");
        let mime = content_type.split(';').next().unwrap_or("").trim();
        if !mime.eq_ignore_ascii_case("application/json") {
            return Err(Error::UnsupportedMediaType);
        }
        parse_json(&self.body)
    }

    /// Parses the query string into `T`; bad values are field errors.
    pub fn query_as<T: DeserializeOwned>(&self) -> Result<T> {
        serde_urlencoded::from_str(&self.query).map_err(|e| {
            let message = e.to_string();
            let field = backticked(&message).unwrap_or("query").to_string();
            Error::Validation(FieldErrors::from([(
                field,
                format!("Invalid value: {message}"),
            )]))
        })
    }
}

/// JSON → `T` with errors a user (or a frontend form) can act on.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    // Every request body of the API is an object; serde would otherwise
    // accept an array for a struct.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Error::MalformedJson(
            "the body must be a JSON object".into(),
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| (e.path().to_string(), e.into_inner()))
        .and_then(|v| de.end().map(|()| v).map_err(|e| (String::new(), e)));
    value.map_err(|(path, inner)| {
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                Error::MalformedJson(inner.to_string())
            }
            Category::Data => {
                let message = inner.to_string();
                if let Some(field) = message
                    .strip_prefix("missing field ")
                    .and_then(backticked_whole)
                {
                    Error::field(field, "This field is required.")
                } else if message.starts_with("unknown field ") {
                    let field = backticked(&message).unwrap_or("?");
                    Error::field(field, "This field is not accepted here.")
                } else if path == "." || path.is_empty() {
                    Error::MalformedJson(format!("expected a JSON object ({message})"))
                } else {
                    let detail = message.split(" at line ").next().unwrap_or(&message);
                    Error::field(&path, &format!("Invalid value: {detail}."))
                }
            }
        }
    })
}

fn backticked(s: &str) -> Option<&str> {
    let start = s.find('`')? + 1;
    let end = start + s[start..].find('`')?;
    Some(&s[start..end])
}

fn backticked_whole(s: &str) -> Option<&str> {
    let s = s.split(" at line ").next()?;
    s.strip_prefix('`')?.strip_suffix('`')
}

/// What a handler answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Bytes,
}

impl Reply {
    pub fn json<T: Serialize>(status: u16, value: &T) -> Reply {
        let body = serde_json::to_vec(value).expect("API types always serialize");
        Reply {
            status,
            headers: vec![(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body: body.into(),
        }
    }

    pub fn ok<T: Serialize>(value: &T) -> Reply {
        Reply::json(200, value)
    }

    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    pub fn with_header(mut self, name: HeaderName, value: &str) -> Reply {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((name, v));
        }
        self
    }

    pub fn has_header(&self, name: &HeaderName) -> bool {
        self.headers.iter().any(|(n, _)| n == name)
    }

    /// The one mapping of errors to HTTP.
    pub fn error(e: &Error) -> Reply {
        let reply = Reply::json(e.status(), &e.body());
        match e {
            Error::TooManyAttempts { retry_after } => {
                reply.with_header(header::RETRY_AFTER, &retry_after.to_string())
            }
            _ => reply,
        }
    }

    pub fn into_http(self) -> http::Response<Bytes> {
        let mut response = http::Response::new(self.body);
        *response.status_mut() = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        for (name, value) in self.headers {
            response.headers_mut().append(name, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        email: String,
        count: u32,
    }

    fn json_request(content_type: &str, body: &str) -> Request {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        Request::new(
            Method::POST,
            "/api/x",
            headers,
            Bytes::from(body.to_string()),
        )
    }

    fn fields(e: Error) -> FieldErrors {
        match e {
            Error::Validation(f) => f,
            other => panic!("expected validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_field_is_reported_by_name() {
        let e = json_request("application/json", r#"{"count": 1}"#)
            .json::<Body>()
            .unwrap_err();
        assert_eq!(fields(e)["email"], "This field is required.");
    }

    #[test]
    fn an_unknown_field_is_reported_by_name() {
        let body = r#"{"email": "a", "count": 1, "admin": true}"#;
        let e = json_request("application/json", body)
            .json::<Body>()
            .unwrap_err();
        assert!(fields(e).contains_key("admin"));
    }

    #[test]
    fn a_mistyped_field_is_reported_by_name() {
        let body = r#"{"email": "a", "count": "many"}"#;
        let e = json_request("application/json", body)
            .json::<Body>()
            .unwrap_err();
        assert!(fields(e)["count"].starts_with("Invalid value"));
    }

    #[test]
    fn malformed_json_and_wrong_shapes_are_malformed_json() {
        for body in [
            "{",
            "",
            "[1,2]",
            "\"text\"",
            r#"{"email":"a","count":1} trailing"#,
        ] {
            let e = json_request("application/json", body)
                .json::<Body>()
                .unwrap_err();
            assert_eq!(e.code(), crate::api::ErrorCode::MalformedJson, "{body}");
        }
    }

    #[test]
    fn other_content_types_are_refused() {
        let e = json_request("text/plain", r#"{"email":"a","count":1}"#)
            .json::<Body>()
            .unwrap_err();
        assert_eq!(e.status(), 415);
        assert!(json_request(
            "application/json; charset=utf-8",
            r#"{"email":"a","count":1}"#
        )
        .json::<Body>()
        .is_ok());
    }

    #[test]
    fn bodies_over_one_mebibyte_are_too_large() {
        let big = format!(r#"{{"email":"{}","count":1}}"#, "a".repeat(MAX_BODY_BYTES));
        let e = json_request("application/json", &big)
            .json::<Body>()
            .unwrap_err();
        assert_eq!(e.status(), 413);
    }

    #[test]
    fn only_a_body_the_runtime_verified_is_signed() {
        let mut req = Request::new(
            Method::POST,
            "/api/webhooks/vapi",
            HeaderMap::new(),
            Bytes::from_static(b"{}"),
        );
        assert_eq!(req.signed_body().unwrap_err().status(), 401);
        req.mark_signed();
        assert_eq!(req.signed_body().unwrap().body(), b"{}");
    }

    #[test]
    fn cookies_are_found_among_several() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; kmx_session=tok; b=2"),
        );
        let r = Request::new(Method::GET, "/api/me?x=1", headers, Bytes::new());
        assert_eq!(r.cookie("kmx_session"), Some("tok"));
        assert_eq!(r.cookie("missing"), None);
        assert_eq!(r.query, "x=1");
    }

    #[test]
    fn the_client_ip_comes_from_the_gateway_header() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 10.0.0.1"),
        );
        let r = Request::new(Method::GET, "/", headers.clone(), Bytes::new());
        assert_eq!(r.client_ip().as_deref(), Some("10.0.0.1"));
        headers.insert("x-real-ip", HeaderValue::from_static("192.0.2.7"));
        let r = Request::new(Method::GET, "/", headers, Bytes::new());
        assert_eq!(r.client_ip().as_deref(), Some("192.0.2.7"));
    }
}
