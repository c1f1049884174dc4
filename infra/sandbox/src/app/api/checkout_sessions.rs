//! Checkout Sessions: `POST /v1/checkout/sessions`,
//! `GET /v1/checkout/sessions/{id}` (`expand[]=line_items`),
//! `GET …/{id}/line_items` and `POST …/{id}/expire`.

use super::*;

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

impl App {
    pub(super) fn retrieve_session(
        &self,
        st: &State,
        id: &str,
        ctx: &Ctx,
    ) -> Result<Value, ApiError> {
        let s = st.session(id)?;
        Ok(s.json(&self.cfg.public_url, expands(ctx, "line_items")))
    }

    pub(super) fn session_line_items(&self, st: &State, id: &str) -> Result<Value, ApiError> {
        Ok(st.session(id)?.line_items_json())
    }

    pub(super) fn expire_session(
        &self,
        st: &mut State,
        id: &str,
        ctx: &Ctx,
    ) -> Result<Value, ApiError> {
        check_known(&ctx.body, &["expand"])?;
        let (session, _) = self.expire(st, id, ctx.request(), true)?;
        Ok(session)
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
