//! Stripe's API under `/v1`: authentication, idempotency, Checkout
//! Sessions, refunds, charges, disputes and events.

use super::*;

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

/// Every top-level parameter Stripe's `POST /v1/checkout/sessions` knows.
const SESSION_PARAMS: &[&str] = &[
    "adaptive_pricing",
    "after_expiration",
    "allow_promotion_codes",
    "allowed_payment_method_types",
    "automatic_tax",
    "billing_address_collection",
    "branding_settings",
    "cancel_url",
    "client_reference_id",
    "consent_collection",
    "currency",
    "custom_fields",
    "custom_text",
    "customer",
    "customer_account",
    "customer_creation",
    "customer_email",
    "customer_update",
    "discounts",
    "excluded_payment_method_types",
    "expand",
    "expires_at",
    "integration_identifier",
    "invoice_creation",
    "line_items",
    "locale",
    "managed_payments",
    "metadata",
    "mode",
    "name_collection",
    "optional_items",
    "origin_context",
    "payment_intent_data",
    "payment_method_collection",
    "payment_method_configuration",
    "payment_method_data",
    "payment_method_options",
    "payment_method_types",
    "permissions",
    "phone_number_collection",
    "redirect_on_completion",
    "return_url",
    "saved_payment_method_options",
    "setup_intent_data",
    "shipping_address_collection",
    "shipping_options",
    "submit_type",
    "subscription_data",
    "success_url",
    "tax_id_collection",
    "ui_mode",
    "wallet_options",
];

const REFUND_PARAMS: &[&str] = &[
    "amount",
    "charge",
    "currency",
    "customer",
    "expand",
    "instructions_email",
    "metadata",
    "origin",
    "payment_intent",
    "reason",
    "refund_application_fee",
    "reverse_transfer",
];

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
            ["checkout", "sessions", id] if get => {
                let s = st.sessions.get(*id).ok_or_else(|| {
                    ApiError::no_such(404, "checkout.session", id, "session")
                })?;
                Ok(s.json(&self.cfg.public_url, expands(ctx, "line_items")))
            }
            ["checkout", "sessions", id, "line_items"] if get => {
                let s = st.sessions.get(*id).ok_or_else(|| {
                    ApiError::no_such(404, "checkout.session", id, "session")
                })?;
                Ok(s.line_items_json())
            }
            ["checkout", "sessions", id, "expire"] if post => {
                check_known(&ctx.body, &["expand"])?;
                let (session, _) = self.expire(st, id, ctx.request(), true)?;
                Ok(session)
            }
            ["refunds"] if post => {
                check_known(&ctx.body, REFUND_PARAMS)?;
                let b = &ctx.body;
                let target = match (
                    leaf(b, &["charge"], "charge")?,
                    leaf(b, &["payment_intent"], "payment_intent")?,
                ) {
                    (Some(c), None) => c,
                    (None, Some(p)) => p,
                    (None, None) => {
                        return Err(ApiError::new(
                            400,
                            Some("parameter_missing"),
                            "One of the following params should be provided for this request: payment_intent or charge.",
                        )
                        .param("charge"))
                    }
                    (Some(_), Some(_)) => {
                        return Err(ApiError::new(
                            400,
                            None,
                            "Only one of `charge` or `payment_intent` may be given.",
                        )
                        .param("payment_intent"))
                    }
                };
                let amount = leaf(b, &["amount"], "amount")?
                    .map(|a| integer("amount", a))
                    .transpose()?;
                let reason = leaf(b, &["reason"], "reason")?.map(str::to_string);
                if let Some(r) = &reason {
                    if !matches!(
                        r.as_str(),
                        "duplicate" | "fraudulent" | "requested_by_customer"
                    ) {
                        return Err(ApiError::invalid(
                            "parameter_invalid_string",
                            "reason",
                            "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer",
                        ));
                    }
                }
                let meta = metadata(b, &["metadata"], "metadata")?;
                let param = if b.get(&["charge"]).is_some() {
                    "charge"
                } else {
                    "payment_intent"
                };
                let (refund, _) =
                    self.refund(st, target, param, amount, reason, meta, ctx.request(), true)?;
                Ok(refund.json())
            }
            ["refunds"] if get => {
                let charge = ctx.query.str_at(&["charge"]);
                let pi = ctx.query.str_at(&["payment_intent"]);
                let data: Vec<Value> = st
                    .refunds
                    .iter()
                    .rev()
                    .filter(|r| charge.is_none_or(|c| r.charge == c))
                    .filter(|r| pi.is_none_or(|p| r.payment_intent == p))
                    .map(Refund::json)
                    .collect();
                list(data, "/v1/refunds", &ctx.query)
            }
            ["refunds", id] if get => st
                .refunds
                .iter()
                .find(|r| r.id == *id)
                .map(Refund::json)
                .ok_or_else(|| ApiError::no_such(404, "refund", id, "id")),
            ["charges", id] if get => st
                .charges
                .get(*id)
                .map(Charge::json)
                .ok_or_else(|| ApiError::no_such(404, "charge", id, "id")),
            ["disputes", id] if get => st
                .disputes
                .get(*id)
                .map(Dispute::json)
                .ok_or_else(|| ApiError::no_such(404, "dispute", id, "id")),
            ["events"] if get => {
                let q = &ctx.query;
                let mut types: Vec<&str> = q.get(&["types"]).map(Node::strings).unwrap_or_default();
                if let Some(t) = q.str_at(&["type"]) {
                    types.push(t);
                }
                let delivery_success = q.str_at(&["delivery_success"]);
                let data: Vec<Value> = st
                    .events
                    .iter()
                    .rev()
                    .filter(|e| types.is_empty() || types.iter().any(|t| type_matches(t, &e.type_)))
                    .filter(|e| match delivery_success {
                        Some("true") => e.deliveries.iter().any(|a| a.status.is_some_and(|s| (200..300).contains(&s))),
                        Some("false") => !e.deliveries.iter().any(|a| a.status.is_some_and(|s| (200..300).contains(&s))),
                        _ => true,
                    })
                    .map(|e| serde_json::from_slice(&e.body).unwrap_or(Value::Null))
                    .collect();
                list(data, "/v1/events", q)
            }
            ["events", id] if get => st
                .event(id)
                .map(|e| serde_json::from_slice(&e.body).unwrap_or(Value::Null))
                .ok_or_else(|| ApiError::no_such(404, "event", id, "id")),
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

    pub(super) fn create_session(&self, st: &mut State, ctx: &Ctx) -> Result<Value, ApiError> {
        let b = &ctx.body;
        check_known(b, SESSION_PARAMS)?;
        match leaf(b, &["mode"], "mode")? {
            None => return Err(ApiError::missing("mode")),
            Some("") => return Err(ApiError::empty("mode")),
            Some("payment") => {}
            Some(other @ ("subscription" | "setup")) => {
                return Err(ApiError::invalid(
                    "parameter_unknown",
                    "mode",
                    format!(
                        "The Kametrix Stripe sandbox supports only mode=payment, not mode={other}."
                    ),
                ))
            }
            Some(other) => {
                let msg =
                    format!("Invalid mode: must be payment, setup or subscription, not {other}");
                return Err(ApiError::invalid("parameter_invalid_string", "mode", msg));
            }
        }
        if let Some(ui) = leaf(b, &["ui_mode"], "ui_mode")? {
            if !matches!(ui, "hosted" | "hosted_page") {
                return Err(ApiError::invalid(
                    "parameter_unknown",
                    "ui_mode",
                    format!("The Kametrix Stripe sandbox supports only the hosted page, not ui_mode={ui}."),
                ));
            }
        }
        if let Some(c) = leaf(b, &["customer"], "customer")? {
            return Err(ApiError::no_such(400, "customer", c, "customer"));
        }
        let success_url = leaf(b, &["success_url"], "success_url")?
            .ok_or_else(|| ApiError::missing("success_url"))?;
        check_url("success_url", success_url)?;
        let cancel_url = leaf(b, &["cancel_url"], "cancel_url")?;
        if let Some(u) = cancel_url {
            check_url("cancel_url", u)?;
        }
        let items_node = b
            .get(&["line_items"])
            .ok_or_else(|| ApiError::missing("line_items"))?;
        let list = items_node.as_list().ok_or_else(|| {
            ApiError::invalid(
                "parameter_invalid_string",
                "line_items",
                "Invalid array: line_items must be indexed like line_items[0][quantity]",
            )
        })?;
        if list.is_empty() {
            return Err(ApiError::missing("line_items"));
        }
        if list.len() > 100 {
            return Err(ApiError::new(
                400,
                None,
                "A Checkout Session in payment mode can have at most 100 line items.",
            )
            .param("line_items"));
        }
        let mut currency: Option<String> = None;
        let mut items = Vec::new();
        let mut total: i64 = 0;
        for (idx, item) in list {
            let p = format!("line_items[{idx}]");
            if let Some(price) = leaf(item, &["price"], &format!("{p}[price]"))? {
                return Err(ApiError::no_such(
                    400,
                    "price",
                    price,
                    &format!("{p}[price]"),
                ));
            }
            let pd = item
                .get(&["price_data"])
                .ok_or_else(|| ApiError::missing(&format!("{p}[price_data]")))?;
            let pp = format!("{p}[price_data]");
            let cur = leaf(pd, &["currency"], &format!("{pp}[currency]"))?
                .ok_or_else(|| ApiError::missing(&format!("{pp}[currency]")))?
                .to_ascii_lowercase();
            if cur.len() != 3 || !cur.chars().all(|c| c.is_ascii_lowercase()) {
                return Err(ApiError::invalid(
                    "parameter_invalid_string",
                    &format!("{pp}[currency]"),
                    format!("Invalid currency: {cur}"),
                ));
            }
            let unit = match (
                leaf(pd, &["unit_amount"], &format!("{pp}[unit_amount]"))?,
                leaf(
                    pd,
                    &["unit_amount_decimal"],
                    &format!("{pp}[unit_amount_decimal]"),
                )?,
            ) {
                (Some(v), _) => integer(&format!("{pp}[unit_amount]"), v)?,
                (None, Some(d)) => {
                    let whole = d.strip_suffix(".0").unwrap_or(d);
                    integer(&format!("{pp}[unit_amount_decimal]"), whole)?
                }
                (None, None) => return Err(ApiError::missing(&format!("{pp}[unit_amount]"))),
            };
            if unit < 0 {
                return Err(ApiError::invalid(
                    "parameter_invalid_integer",
                    &format!("{pp}[unit_amount]"),
                    "This value must be greater than or equal to 0.",
                ));
            }
            if let Some(prod) = leaf(pd, &["product"], &format!("{pp}[product]"))? {
                return Err(ApiError::no_such(
                    400,
                    "product",
                    prod,
                    &format!("{pp}[product]"),
                ));
            }
            let name_param = format!("{pp}[product_data][name]");
            let name = leaf(pd, &["product_data", "name"], &name_param)?
                .ok_or_else(|| ApiError::missing(&name_param))?;
            if name.trim().is_empty() {
                return Err(ApiError::empty(&name_param));
            }
            let description = leaf(
                pd,
                &["product_data", "description"],
                &format!("{pp}[product_data][description]"),
            )?
            .filter(|d| !d.is_empty())
            .map(str::to_string);
            let qp = format!("{p}[quantity]");
            let quantity = integer(
                &qp,
                leaf(item, &["quantity"], &qp)?.ok_or_else(|| ApiError::missing(&qp))?,
            )?;
            if !(1..=999_999).contains(&quantity) {
                return Err(ApiError::invalid(
                    "parameter_invalid_integer",
                    &qp,
                    "This value must be greater than or equal to 1.",
                ));
            }
            match &currency {
                None => currency = Some(cur.clone()),
                Some(c) if *c != cur => {
                    return Err(ApiError::new(
                        400,
                        None,
                        format!("All line items must use the same currency: {p} uses {cur}, an earlier item {c}."),
                    )
                    .param(format!("{pp}[currency]")))
                }
                Some(_) => {}
            }
            total = unit
                .checked_mul(quantity)
                .and_then(|x| x.checked_add(total))
                .filter(|t| *t <= 99_999_999)
                .ok_or_else(|| {
                    ApiError::new(
                        400,
                        Some("amount_too_large"),
                        "The total amount due must be no more than 99999999 in the smallest currency unit.",
                    )
                })?;
            items.push(Item {
                id: new_id("li_"),
                price_id: new_id("price_"),
                product_id: new_id("prod_"),
                name: name.to_string(),
                description,
                unit_amount: unit,
                quantity,
            });
        }
        let currency = currency.expect("at least one item");
        let minimum = if zero_decimal(&currency) { 1 } else { 50 };
        if total < minimum {
            return Err(ApiError::new(
                400,
                Some("amount_too_small"),
                format!(
                    "The Checkout Session's total amount due must add up to at least {}",
                    format_amount(minimum, &currency)
                ),
            ));
        }
        let client_reference_id =
            leaf(b, &["client_reference_id"], "client_reference_id")?.map(str::to_string);
        if client_reference_id
            .as_ref()
            .is_some_and(|c| c.chars().count() > 200)
        {
            return Err(ApiError::new(
                400,
                None,
                "client_reference_id can have up to 200 characters",
            )
            .param("client_reference_id"));
        }
        let customer_email = leaf(b, &["customer_email"], "customer_email")?
            .filter(|e| !e.is_empty())
            .map(str::to_string);
        if let Some(e) = &customer_email {
            let valid = e.contains('@')
                && !e.starts_with('@')
                && !e.ends_with('@')
                && !e.chars().any(char::is_whitespace);
            if !valid {
                return Err(ApiError::invalid(
                    "email_invalid",
                    "customer_email",
                    format!("Invalid email address: {e}"),
                ));
            }
        }
        let meta = metadata(b, &["metadata"], "metadata")?;
        let pi_meta = metadata(
            b,
            &["payment_intent_data", "metadata"],
            "payment_intent_data[metadata]",
        )?;
        let pi_description = leaf(
            b,
            &["payment_intent_data", "description"],
            "payment_intent_data[description]",
        )?
        .filter(|d| !d.is_empty())
        .map(str::to_string);
        let locale = leaf(b, &["locale"], "locale")?.map(str::to_string);
        let created = now();
        let expires_at = match leaf(b, &["expires_at"], "expires_at")? {
            None => created + 24 * 3600,
            Some(v) => {
                let at = integer("expires_at", v)?;
                if at < created + 30 * 60 || at > created + 24 * 3600 {
                    return Err(ApiError::invalid(
                        "parameter_invalid_integer",
                        "expires_at",
                        "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.",
                    ));
                }
                at
            }
        };
        let seq = st.next_seq();
        let session = Session {
            seq,
            id: format!("cs_test_a1{}", random_alnum(56)),
            created,
            expires_at,
            status: SessionStatus::Open,
            paid: false,
            async_failed: false,
            currency,
            amount_total: total,
            client_reference_id,
            customer_email,
            payer_email: None,
            metadata: meta,
            pi_metadata: pi_meta,
            pi_description,
            success_url: success_url.to_string(),
            cancel_url: cancel_url.map(str::to_string),
            locale,
            items,
            payment_intent: None,
            charge: None,
        };
        let v = session.json(&self.cfg.public_url, expands(ctx, "line_items"));
        eprintln!(
            "session {} created: {} ({})",
            session.id,
            format_amount(session.amount_total, &session.currency),
            session.client_reference_id.as_deref().unwrap_or("-")
        );
        st.sessions.insert(session.id.clone(), session);
        Ok(v)
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
