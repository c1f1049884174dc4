//! Stripe's API under `/v1`: authentication, idempotency, parameter
//! parsing, list pagination and the routing to one module per resource.

use super::*;

mod charges;
mod checkout_sessions;
mod disputes;
mod events;
mod refunds;

// ------------------------------------------------------------------ params

pub(super) fn leaf<'a>(
    n: &'a Node,
    path: &[&str],
    param: &str,
) -> Result<Option<&'a str>, ApiError> {
    match n.get(path) {
        None => Ok(None),
        Some(Node::Value(v)) => Ok(Some(v.as_str())),
        Some(Node::Map(_)) => Err(ApiError::invalid(
            "parameter_invalid_string",
            param,
            format!("Invalid {param}: must be a string, not a hash"),
        )),
    }
}

pub(super) fn integer(param: &str, v: &str) -> Result<i64, ApiError> {
    v.trim().parse::<i64>().map_err(|_| {
        ApiError::invalid(
            "parameter_invalid_integer",
            param,
            format!("Invalid integer: {v}"),
        )
    })
}

pub(super) fn metadata(n: &Node, path: &[&str], param: &str) -> Result<Metadata, ApiError> {
    let mut out = Metadata::new();
    match n.get(path) {
        None => {}
        Some(Node::Value(v)) if v.is_empty() => {}
        Some(Node::Value(_)) => {
            return Err(ApiError::invalid(
                "parameter_invalid_string",
                param,
                format!("Invalid hash for {param}"),
            ))
        }
        Some(Node::Map(m)) => {
            if m.len() > 50 {
                return Err(ApiError::new(
                    400,
                    None,
                    "Invalid metadata: metadata can have up to 50 keys",
                )
                .param(param));
            }
            for (k, v) in m {
                let p = format!("{param}[{k}]");
                if k.chars().count() > 40 {
                    return Err(ApiError::new(
                        400,
                        None,
                        format!(
                            "Metadata keys can have up to 40 characters; `{k}` has {}",
                            k.chars().count()
                        ),
                    )
                    .param(p));
                }
                let Node::Value(v) = v else {
                    return Err(ApiError::invalid(
                        "parameter_invalid_string",
                        &p,
                        format!("Invalid {p}: metadata values must be strings"),
                    ));
                };
                if v.chars().count() > 500 {
                    return Err(ApiError::new(
                        400,
                        None,
                        "Metadata values can have up to 500 characters",
                    )
                    .param(p));
                }
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(out)
}

pub(super) fn check_url(param: &str, v: &str) -> Result<(), ApiError> {
    if v.is_empty() {
        return Err(ApiError::empty(param));
    }
    let ok = (v.starts_with("http://") || v.starts_with("https://"))
        && !v.chars().any(char::is_whitespace)
        && v.split("://").nth(1).is_some_and(|h| !h.is_empty());
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid("url_invalid", param, "Not a valid URL"))
    }
}

pub(super) fn expands(ctx: &Ctx, what: &str) -> bool {
    [&ctx.query, &ctx.body].iter().any(|n| {
        n.get(&["expand"])
            .map(|e| e.strings().contains(&what))
            .unwrap_or(false)
    })
}

pub(super) fn check_known(body: &Node, known: &[&str]) -> Result<(), ApiError> {
    if let Some(m) = body.as_map() {
        if let Some(k) = m.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(ApiError::unknown(k));
        }
    }
    Ok(())
}

/// What an API request carries besides its route.
pub(super) struct Ctx {
    req_id: String,
    idempotency_key: Option<String>,
    query: Node,
    body: Node,
}

impl Ctx {
    /// The event `request` field for events this request causes.
    pub(super) fn request(&self) -> Value {
        json!({"id": self.req_id, "idempotency_key": self.idempotency_key})
    }
}

pub(super) fn mask_key(k: &str) -> String {
    let chars: Vec<char> = k.chars().collect();
    if chars.len() <= 12 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 12))
}

impl App {
    // -------------------------------------------------------------- /v1

    pub(super) fn authenticate(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let unauthorized = |m: String| ApiError {
            status: 401,
            kind: "invalid_request_error",
            code: None,
            param: None,
            message: m,
        };
        let Some(value) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return Err(unauthorized("You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').".into()));
        };
        let value = value.trim();
        let key = if value.len() > 7 && value[..7].eq_ignore_ascii_case("bearer ") {
            value[7..].trim().to_string()
        } else if value.len() > 6 && value[..6].eq_ignore_ascii_case("basic ") {
            use base64::Engine;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(value[6..].trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .unwrap_or_default();
            decoded.split(':').next().unwrap_or_default().to_string()
        } else {
            return Err(unauthorized("Invalid API Key provided: the Authorization header must be 'Bearer <key>' or Basic auth with the key as the user name.".into()));
        };
        if key != self.cfg.api_key {
            return Err(unauthorized(format!(
                "Invalid API Key provided: {}",
                mask_key(&key)
            )));
        }
        Ok(())
    }

    pub(super) async fn api(
        self: &Arc<Self>,
        method: &Method,
        segs: &[&str],
        headers: &HeaderMap,
        query: &str,
        body: &Bytes,
        req_id: &str,
    ) -> Resp {
        if let Err(e) = self.authenticate(headers) {
            return error_resp(&e);
        }
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("json"));
        if is_json && !body.is_empty() {
            return error_resp(&ApiError::new(
                400,
                None,
                "Invalid request: Stripe takes application/x-www-form-urlencoded bodies, not JSON.",
            ));
        }
        let parse = |b: &[u8]| {
            form::parse(b).map_err(|e| {
                ApiError::new(400, None, format!("Invalid request parameter {e}")).param(e.key)
            })
        };
        let ctx = match (parse(query.as_bytes()), parse(body)) {
            (Ok(query), Ok(body)) => Ctx {
                req_id: req_id.to_string(),
                idempotency_key: headers
                    .get("idempotency-key")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                query,
                body,
            },
            (Err(e), _) | (_, Err(e)) => return error_resp(&e),
        };
        let mut st = self.lock();
        let key = match (&ctx.idempotency_key, method == Method::POST) {
            (Some(k), true) => Some(k.clone()),
            _ => None,
        };
        let fingerprint = format!(
            "{method} /v1/{}\n{}",
            segs.join("/"),
            String::from_utf8_lossy(body)
        );
        if let Some(k) = &key {
            if k.len() > 255 {
                return error_resp(&ApiError::new(
                    400,
                    None,
                    "Idempotency-Key is too long (at most 255 characters).",
                ));
            }
            if let Some(prev) = st.idempotency.get(k) {
                if prev.fingerprint != fingerprint {
                    return error_resp(&ApiError {
                        status: 400,
                        kind: "idempotency_error",
                        code: Some("idempotency_key_in_use"),
                        param: None,
                        message: format!("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{k}' if you meant to execute a different request."),
                    });
                }
                let mut r = respond(prev.status, "application/json", prev.body.clone());
                r.headers_mut().insert(
                    HeaderName::from_static("idempotent-replayed"),
                    HeaderValue::from_static("true"),
                );
                return r;
            }
        }
        let result = self.api_call(&mut st, method, segs, &ctx);
        let resp_status;
        let resp_body;
        match &result {
            Ok(v) => {
                resp_status = 200;
                let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
                b.push(b'\n');
                resp_body = Bytes::from(b);
            }
            Err(e) => {
                resp_status = e.status;
                let mut b = serde_json::to_vec_pretty(&e.json()).unwrap_or_default();
                b.push(b'\n');
                resp_body = Bytes::from(b);
            }
        }
        // Stripe stores the outcome once the endpoint ran; validation
        // failures are not stored (§1.6).
        if let Some(k) = key {
            if resp_status == 200 || resp_status >= 500 {
                st.idempotency.insert(
                    k,
                    Idem {
                        fingerprint,
                        status: resp_status,
                        body: resp_body.clone(),
                    },
                );
            }
        }
        drop(st);
        match result {
            Ok(_) => respond(200, "application/json", resp_body),
            Err(e) => error_resp(&e),
        }
    }

    pub(super) fn api_call(
        &self,
        st: &mut State,
        method: &Method,
        segs: &[&str],
        ctx: &Ctx,
    ) -> Result<Value, ApiError> {
        let get = method == Method::GET;
        let post = method == Method::POST;
        match segs {
            ["checkout", "sessions"] if post => self.create_session(st, ctx),
            ["checkout", "sessions", id] if get => self.retrieve_session(st, id, ctx),
            ["checkout", "sessions", id, "line_items"] if get => self.session_line_items(st, id),
            ["checkout", "sessions", id, "expire"] if post => self.expire_session(st, id, ctx),
            ["refunds"] if post => self.create_refund(st, ctx),
            ["refunds"] if get => refunds::list_refunds(st, ctx),
            ["refunds", id] if get => refunds::retrieve_refund(st, id),
            ["charges", id] if get => charges::retrieve_charge(st, id),
            ["disputes", id] if get => disputes::retrieve_dispute(st, id),
            ["events"] if get => events::list_events(st, ctx),
            ["events", id] if get => events::retrieve_event(st, id),
            _ => Err(ApiError::new(
                404,
                None,
                format!(
                    "Unrecognized request URL ({method}: /v1/{}). The Kametrix Stripe sandbox serves checkout sessions, refunds, charges, disputes and events; see infra/README.md.",
                    segs.join("/")
                ),
            )),
        }
    }
}

/// A Stripe list object with `limit` (1–100, default 10), `starting_after`
/// and `ending_before` over `data` (newest first).
pub(super) fn list(data: Vec<Value>, url: &str, q: &Node) -> Result<Value, ApiError> {
    let limit = match q.str_at(&["limit"]) {
        None => 10,
        Some(v) => {
            let n = integer("limit", v)?;
            if !(1..=100).contains(&n) {
                return Err(ApiError::invalid(
                    "parameter_invalid_integer",
                    "limit",
                    "limit must be between 1 and 100",
                ));
            }
            n as usize
        }
    };
    let pos = |id: &str| data.iter().position(|v| v["id"] == id);
    let (start, end) = if let Some(after) = q.str_at(&["starting_after"]) {
        (pos(after).map(|p| p + 1).unwrap_or(data.len()), data.len())
    } else if let Some(before) = q.str_at(&["ending_before"]) {
        let p = pos(before).unwrap_or(0);
        (p.saturating_sub(limit), p)
    } else {
        (0, data.len())
    };
    let window = &data[start..end];
    let has_more = window.len() > limit;
    let page: Vec<Value> = if q.str_at(&["ending_before"]).is_some() {
        window[window.len().saturating_sub(limit)..].to_vec()
    } else {
        window.iter().take(limit).cloned().collect()
    };
    Ok(json!({"object": "list", "data": page, "has_more": has_more, "url": url}))
}
