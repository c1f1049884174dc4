//! The sandbox's records and their Stripe JSON shapes (reference §1.2, §1.3;
//! a superset of the fields async-stripe 1.0.0-rc.10 requires, so its typed
//! parsers accept every object).

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The API version events are rendered with (what async-stripe 1.0.0-rc.10
/// pins; reference §1.1).
pub const API_VERSION: &str = "2026-09-30.endive";

pub type Metadata = BTreeMap<String, String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStatus {
    Open,
    Complete,
    Expired,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Open => "open",
            SessionStatus::Complete => "complete",
            SessionStatus::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub price_id: String,
    pub product_id: String,
    pub name: String,
    pub description: Option<String>,
    pub unit_amount: i64,
    pub quantity: i64,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub seq: u64,
    pub id: String,
    pub created: i64,
    pub expires_at: i64,
    pub status: SessionStatus,
    pub paid: bool,
    /// A delayed payment that failed (`async_payment_failed`).
    pub async_failed: bool,
    pub currency: String,
    pub amount_total: i64,
    pub client_reference_id: Option<String>,
    pub customer_email: Option<String>,
    /// The email the payer gave on the hosted page.
    pub payer_email: Option<String>,
    pub metadata: Metadata,
    pub pi_metadata: Metadata,
    pub pi_description: Option<String>,
    pub success_url: String,
    pub cancel_url: Option<String>,
    pub locale: Option<String>,
    pub items: Vec<Item>,
    pub payment_intent: Option<String>,
    pub charge: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Charge {
    pub seq: u64,
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub amount_refunded: i64,
    pub currency: String,
    pub payment_intent: String,
    pub session: String,
    pub metadata: Metadata,
    pub description: Option<String>,
    pub email: String,
    pub balance_transaction: String,
    pub payment_method: String,
    pub dispute: Option<String>,
    pub refunds: Vec<String>,
}

/// What a refund and a dispute both are: an amount claimed back on a
/// charge.
#[derive(Debug, Clone)]
pub struct ChargeClaim {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: String,
    pub charge: String,
    pub payment_intent: String,
}

impl ChargeClaim {
    /// A claim `id` of `amount` on `charge`, in its currency.
    pub fn on(charge: &Charge, id: String, created: i64, amount: i64) -> ChargeClaim {
        ChargeClaim {
            id,
            created,
            amount,
            currency: charge.currency.clone(),
            charge: charge.id.clone(),
            payment_intent: charge.payment_intent.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Refund {
    pub claim: ChargeClaim,
    pub reason: Option<String>,
    pub metadata: Metadata,
    pub balance_transaction: String,
}

#[derive(Debug, Clone)]
pub struct Dispute {
    pub claim: ChargeClaim,
    pub reason: String,
    pub status: String,
    pub due_by: i64,
}

fn meta(m: &Metadata) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect::<Map<String, Value>>(),
    )
}

const PAYER_NAME: &str = "Sandbox Customer";

fn address() -> Value {
    json!({"city": null, "country": "US", "line1": null, "line2": null,
           "postal_code": "94103", "state": null})
}

impl Session {
    pub fn payment_status(&self) -> &'static str {
        if self.paid {
            "paid"
        } else {
            "unpaid"
        }
    }

    pub fn email(&self) -> String {
        self.payer_email
            .clone()
            .or_else(|| self.customer_email.clone())
            .unwrap_or_else(|| "customer@example.com".into())
    }

    /// The hosted page: `<public-url>/checkout/<id>`.
    pub fn url(&self, public_url: &str) -> String {
        format!("{public_url}/checkout/{}", self.id)
    }

    /// The session object (§1.2). `url` only while open; `customer_details`
    /// once completed; `line_items` only when expanded.
    pub fn json(&self, public_url: &str, expand_line_items: bool) -> Value {
        let open = self.status == SessionStatus::Open;
        let customer_details = if self.status == SessionStatus::Complete {
            json!({"address": address(), "business_name": null, "email": self.email(),
                   "individual_name": null, "name": PAYER_NAME, "phone": null,
                   "tax_exempt": "none", "tax_ids": []})
        } else {
            Value::Null
        };
        let mut v = json!({
            "id": self.id,
            "object": "checkout.session",
            "adaptive_pricing": null,
            "after_expiration": null,
            "allow_promotion_codes": null,
            "amount_subtotal": self.amount_total,
            "amount_total": self.amount_total,
            "automatic_tax": {"enabled": false, "liability": null, "provider": null, "status": null},
            "billing_address_collection": null,
            "branding_settings": null,
            "cancel_url": self.cancel_url,
            "client_reference_id": self.client_reference_id,
            "client_secret": null,
            "collected_information": null,
            "consent": null,
            "consent_collection": null,
            "created": self.created,
            "currency": self.currency,
            "currency_conversion": null,
            "custom_fields": [],
            "custom_text": {"after_submit": null, "shipping_address": null, "submit": null,
                            "terms_of_service_acceptance": null},
            "customer": null,
            "customer_account": null,
            "customer_creation": "if_required",
            "customer_details": customer_details,
            "customer_email": self.customer_email,
            "discounts": [],
            "expires_at": self.expires_at,
            "invoice": null,
            "invoice_creation": null,
            "livemode": false,
            "locale": self.locale,
            "metadata": meta(&self.metadata),
            "mode": "payment",
            "origin_context": null,
            "payment_intent": self.payment_intent,
            "payment_link": null,
            "payment_method_collection": "if_required",
            "payment_method_configuration_details": null,
            "payment_method_options": {},
            "payment_method_types": ["card"],
            "payment_status": self.payment_status(),
            "permissions": null,
            "phone_number_collection": {"enabled": false},
            "presentment_details": null,
            "recovered_from": null,
            "saved_payment_method_options": null,
            "setup_intent": null,
            "shipping_address_collection": null,
            "shipping_cost": null,
            "shipping_options": [],
            "status": self.status.as_str(),
            "submit_type": null,
            "subscription": null,
            "success_url": self.success_url,
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted_page",
            "url": if open { Value::String(self.url(public_url)) } else { Value::Null },
            "wallet_options": null,
        });
        if expand_line_items {
            v["line_items"] = self.line_items_json();
        }
        v
    }

    /// `GET /v1/checkout/sessions/{id}/line_items` (and `expand[]=line_items`).
    pub fn line_items_json(&self) -> Value {
        let data: Vec<Value> = self
            .items
            .iter()
            .map(|it| {
                let total = it.unit_amount * it.quantity;
                json!({
                    "id": it.id,
                    "object": "item",
                    "amount_discount": 0,
                    "amount_subtotal": total,
                    "amount_tax": 0,
                    "amount_total": total,
                    "currency": self.currency,
                    "description": it.name,
                    "price": {
                        "id": it.price_id,
                        "object": "price",
                        "active": false,
                        "billing_scheme": "per_unit",
                        "created": self.created,
                        "currency": self.currency,
                        "custom_unit_amount": null,
                        "livemode": false,
                        "lookup_key": null,
                        "metadata": {},
                        "nickname": null,
                        "product": it.product_id,
                        "recurring": null,
                        "tax_behavior": "unspecified",
                        "tiers_mode": null,
                        "transform_quantity": null,
                        "type": "one_time",
                        "unit_amount": it.unit_amount,
                        "unit_amount_decimal": it.unit_amount.to_string(),
                    },
                    "quantity": it.quantity,
                })
            })
            .collect();
        json!({"object": "list", "data": data, "has_more": false,
               "url": format!("/v1/checkout/sessions/{}/line_items", self.id)})
    }
}

impl Charge {
    pub fn refunded(&self) -> bool {
        self.amount_refunded >= self.amount
    }

    /// The charge object (§1.3 `charge.refunded`).
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "charge",
            "amount": self.amount,
            "amount_captured": self.amount,
            "amount_refunded": self.amount_refunded,
            "application": null,
            "application_fee": null,
            "application_fee_amount": null,
            "authorization_code": null,
            "balance_transaction": self.balance_transaction,
            "billing_details": {"address": address(), "email": self.email, "name": PAYER_NAME,
                                "phone": null, "tax_id": null},
            "calculated_statement_descriptor": "KAMETRIX",
            "captured": true,
            "created": self.created,
            "currency": self.currency,
            "customer": null,
            "description": self.description,
            "disputed": self.dispute.is_some(),
            "failure_balance_transaction": null,
            "failure_code": null,
            "failure_message": null,
            "fraud_details": {},
            "livemode": false,
            "metadata": meta(&self.metadata),
            "on_behalf_of": null,
            "outcome": {"advice_code": null, "network_advice_code": null,
                        "network_decline_code": null, "network_status": "approved_by_network",
                        "reason": null, "risk_level": "normal", "risk_score": 32,
                        "seller_message": "Payment complete.", "type": "authorized"},
            "paid": true,
            "payment_intent": self.payment_intent,
            "payment_method": self.payment_method,
            "payment_method_details": {
                "card": {"brand": "visa", "country": "US", "exp_month": 12, "exp_year": 2034,
                         "fingerprint": "kmxSandbox4242", "funding": "credit", "last4": "4242",
                         "network": "visa"},
                "type": "card"
            },
            "receipt_email": self.email,
            "receipt_number": null,
            "receipt_url": null,
            "refunded": self.refunded(),
            "review": null,
            "shipping": null,
            "source": null,
            "source_transfer": null,
            "statement_descriptor": null,
            "statement_descriptor_suffix": null,
            "status": "succeeded",
            "transfer_data": null,
            "transfer_group": null,
        })
    }
}

impl Refund {
    pub fn json(&self) -> Value {
        json!({
            "id": self.claim.id,
            "object": "refund",
            "amount": self.claim.amount,
            "balance_transaction": self.balance_transaction,
            "charge": self.claim.charge,
            "created": self.claim.created,
            "currency": self.claim.currency,
            "destination_details": null,
            "failure_balance_transaction": null,
            "failure_reason": null,
            "metadata": meta(&self.metadata),
            "payment_intent": self.claim.payment_intent,
            "reason": self.reason,
            "receipt_number": null,
            "source_transfer_reversal": null,
            "status": "succeeded",
            "transfer_reversal": null,
        })
    }
}

impl Dispute {
    /// The dispute object (§1.3 `charge.dispute.created`).
    pub fn json(&self) -> Value {
        json!({
            "id": self.claim.id,
            "object": "dispute",
            "amount": self.claim.amount,
            "balance_transactions": [],
            "charge": self.claim.charge,
            "created": self.claim.created,
            "currency": self.claim.currency,
            "enhanced_eligibility_types": [],
            "evidence": {
                "access_activity_log": null, "billing_address": null,
                "cancellation_policy": null, "cancellation_policy_disclosure": null,
                "cancellation_rebuttal": null, "customer_communication": null,
                "customer_email_address": null, "customer_name": null,
                "customer_purchase_ip": null, "customer_signature": null,
                "duplicate_charge_documentation": null, "duplicate_charge_explanation": null,
                "duplicate_charge_id": null, "enhanced_evidence": {},
                "product_description": null, "receipt": null, "refund_policy": null,
                "refund_policy_disclosure": null, "refund_refusal_explanation": null,
                "service_date": null, "service_documentation": null,
                "shipping_address": null, "shipping_carrier": null, "shipping_date": null,
                "shipping_documentation": null, "shipping_tracking_number": null,
                "uncategorized_file": null, "uncategorized_text": null
            },
            "evidence_details": {"due_by": self.due_by, "enhanced_eligibility": {},
                                 "has_evidence": false, "past_due": false,
                                 "submission_count": 0},
            "is_charge_refundable": false,
            "livemode": false,
            "metadata": {},
            "network_reason_code": "10.4",
            "payment_intent": self.claim.payment_intent,
            "payment_method_details": {
                "card": {"brand": "visa", "case_type": "chargeback", "network": "visa",
                         "network_reason_code": "10.4"},
                "type": "card"
            },
            "reason": self.reason,
            "status": self.status,
        })
    }
}

/// Currencies without minor units (amounts are whole units).
pub fn zero_decimal(currency: &str) -> bool {
    matches!(
        currency,
        "bif"
            | "clp"
            | "djf"
            | "gnf"
            | "jpy"
            | "kmf"
            | "krw"
            | "mga"
            | "pyg"
            | "rwf"
            | "ugx"
            | "vnd"
            | "vuv"
            | "xaf"
            | "xof"
            | "xpf"
    )
}

/// `2500 usd` → `$25.00`, `4900 eur` → `€49.00`, `123456 usd` → `$1,234.56`.
pub fn format_amount(amount: i64, currency: &str) -> String {
    let neg = amount < 0;
    let a = amount.unsigned_abs();
    let (units, cents) = if zero_decimal(currency) {
        (a, None)
    } else {
        (a / 100, Some(a % 100))
    };
    let digits = units.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let number = match cents {
        Some(c) => format!("{grouped}.{c:02}"),
        None => grouped,
    };
    let sign = if neg { "-" } else { "" };
    match currency {
        "usd" => format!("{sign}${number}"),
        "eur" => format!("{sign}€{number}"),
        "gbp" => format!("{sign}£{number}"),
        "jpy" => format!("{sign}¥{number}"),
        other => format!("{sign}{number} {}", other.to_uppercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_amounts() {
        assert_eq!(format_amount(2500, "usd"), "$25.00");
        assert_eq!(format_amount(4900, "eur"), "€49.00");
        assert_eq!(format_amount(5, "usd"), "$0.05");
        assert_eq!(format_amount(123456, "usd"), "$1,234.56");
        assert_eq!(format_amount(100000000, "gbp"), "£1,000,000.00");
        assert_eq!(format_amount(500, "jpy"), "¥500");
        assert_eq!(format_amount(1999, "chf"), "19.99 CHF");
    }
}
