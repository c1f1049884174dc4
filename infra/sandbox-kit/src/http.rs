//! Response helpers: every response is `Full<Bytes>` and `no-store`.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

pub type Resp = Response<Full<Bytes>>;

/// A response with `Content-Type: content_type` and `Cache-Control: no-store`.
pub fn respond(status: u16, content_type: &str, body: impl Into<Bytes>) -> Resp {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// An HTML page.
pub fn html_resp(status: u16, page: String) -> Resp {
    respond(status, "text/html; charset=utf-8", page)
}

/// 303 See Other to `location`.
pub fn redirect(location: &str) -> Resp {
    let mut r = respond(
        303,
        "text/plain; charset=utf-8",
        format!("See {location}\n"),
    );
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_are_303_with_a_location() {
        let r = redirect("/_sandbox");
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()[header::LOCATION], "/_sandbox");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
    }
}
