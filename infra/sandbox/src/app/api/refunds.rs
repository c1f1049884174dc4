//! Refunds: `POST /v1/refunds` (by `charge` or `payment_intent`, partial
//! or whole), `GET /v1/refunds` and `GET /v1/refunds/{id}`.

use super::*;

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

impl App {
    pub(super) fn create_refund(&self, st: &mut State, ctx: &Ctx) -> Result<Value, ApiError> {
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
}

pub(super) fn list_refunds(st: &State, ctx: &Ctx) -> Result<Value, ApiError> {
    let charge = ctx.query.str_at(&["charge"]);
    let pi = ctx.query.str_at(&["payment_intent"]);
    let data: Vec<Value> = st
        .refunds
        .iter()
        .rev()
        .filter(|r| charge.is_none_or(|c| r.claim.charge == c))
        .filter(|r| pi.is_none_or(|p| r.claim.payment_intent == p))
        .map(Refund::json)
        .collect();
    list(data, "/v1/refunds", &ctx.query)
}

pub(super) fn retrieve_refund(st: &State, id: &str) -> Result<Value, ApiError> {
    st.refunds
        .iter()
        .find(|r| r.claim.id == id)
        .map(Refund::json)
        .ok_or_else(|| ApiError::no_such(404, "refund", id, "id"))
}
