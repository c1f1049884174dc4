//! Billing: credit packs, Stripe Checkout for buying them, and the Stripe
//! webhook that credits (and claws back) the ledger exactly once.

pub mod signature;

use crate::accounts::sessions::Session;
use crate::api::{
    AccountId, CheckoutRequest, CheckoutResponse, LedgerKind, NewPack, Pack, PackId, PackList,
    PackPatch, Purchase, PurchaseId, PurchaseStatus,
};
use crate::app::App;
use crate::config::Config;
use crate::credits::{self, Movement};
use crate::error::{Error, Result, Validator};
use crate::http::Signed;
use deadpool_postgres::Transaction;
use serde_json::Value;
use std::collections::HashMap;

// ---------------------------------------------------------------- packs ----

/// The columns [`pack`] reads.
macro_rules! pack_columns {
    () => {
        "id, name, seconds, price_cents, currency, active, sort"
    };
}

fn pack(row: &tokio_postgres::Row) -> Result<Pack> {
    Ok(Pack {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        seconds: row.try_get("seconds")?,
        price_cents: row.try_get("price_cents")?,
        currency: row.try_get("currency")?,
        active: row.try_get("active")?,
        sort: row.try_get("sort")?,
    })
}

/// What owners can buy, in display order.
pub async fn active_packs(app: &App) -> Result<PackList> {
    packs(app, true).await
}

/// Every pack, inactive ones included (admins).
pub async fn all_packs(app: &App) -> Result<PackList> {
    packs(app, false).await
}

async fn packs(app: &App, only_active: bool) -> Result<PackList> {
    let db = app.db.get().await?;
    let rows = db
        .query(
            concat!(
                "SELECT ",
                pack_columns!(),
                " FROM credit_packs WHERE active OR NOT $1 ORDER BY sort, price_cents"
            ),
            &[&only_active],
        )
        .await?;
    Ok(PackList {
        packs: rows.iter().map(pack).collect::<Result<_>>()?,
    })
}

fn validate_pack(
    v: &mut Validator,
    name: Option<&str>,
    seconds: Option<i64>,
    price_cents: Option<i64>,
) {
    if let Some(name) = name {
        let n = name.trim().chars().count();
        v.check(
            (1..=60).contains(&n),
            "name",
            "Give the pack a name of 1 to 60 characters.",
        );
    }
    if let Some(seconds) = seconds {
        v.check(
            seconds > 0 && seconds <= 100_000_000 && seconds % 60 == 0,
            "seconds",
            "A pack holds a whole number of minutes (1 or more).",
        );
    }
    if let Some(cents) = price_cents {
        v.check(
            (1..=100_000_000).contains(&cents),
            "price_cents",
            "Enter a price above zero.",
        );
    }
}

pub async fn create_pack(app: &App, new: NewPack) -> Result<Pack> {
    let mut v = Validator::new();
    validate_pack(
        &mut v,
        Some(&new.name),
        Some(new.seconds),
        Some(new.price_cents),
    );
    v.finish()?;
    let db = app.db.get().await?;
    let row = db
        .query_one(
            concat!(
                "INSERT INTO credit_packs (name, seconds, price_cents, active, sort)
                 VALUES ($1, $2, $3, $4, $5) RETURNING ",
                pack_columns!()
            ),
            &[
                &new.name.trim(),
                &new.seconds,
                &new.price_cents,
                &new.active,
                &new.sort,
            ],
        )
        .await?;
    pack(&row)
}

pub async fn update_pack(app: &App, id: PackId, patch: PackPatch) -> Result<Pack> {
    let mut v = Validator::new();
    validate_pack(
        &mut v,
        patch.name.as_deref(),
        patch.seconds,
        patch.price_cents,
    );
    v.finish()?;
    let db = app.db.get().await?;
    let row = db
        .query_opt(
            concat!(
                "UPDATE credit_packs SET
                     name = coalesce($2, name), seconds = coalesce($3, seconds),
                     price_cents = coalesce($4, price_cents), active = coalesce($5, active),
                     sort = coalesce($6, sort), updated_at = now()
                 WHERE id = $1 RETURNING ",
                pack_columns!()
            ),
            &[
                &id,
                &patch.name.as_deref().map(str::trim),
                &patch.seconds,
                &patch.price_cents,
                &patch.active,
                &patch.sort,
            ],
        )
        .await?
        .ok_or(Error::NotFound)?;
    pack(&row)
}

// ------------------------------------------------------------- checkout ----

fn stripe_client(app: &App) -> Result<stripe::Client> {
    let key = app.config.stripe_secret_key.as_ref().ok_or_else(|| {
        Error::Unavailable("billing is not configured (STRIPE_SECRET_KEY)".into())
    })?;
    stripe::ClientBuilder::new(key.expose())
        .url(app.config.stripe_api_base.clone())
        .build()
        .map_err(|e| Error::internal_from("Stripe client", e))
}

/// Starts buying a pack: records a pending purchase and creates the Stripe
/// Checkout Session the owner is sent to. Credits arrive with the webhook.
pub async fn checkout(
    app: &App,
    session: &Session,
    request: CheckoutRequest,
) -> Result<CheckoutResponse> {
    use stripe::StripeRequest;
    use stripe_checkout::checkout_session::{
        CreateCheckoutSession, CreateCheckoutSessionLineItems,
        CreateCheckoutSessionLineItemsPriceData, CreateCheckoutSessionPaymentIntentData,
        ProductData,
    };
    let client = stripe_client(app)?;
    let db = app.db.get().await?;
    let pack = db
        .query_opt(
            concat!(
                "SELECT ",
                pack_columns!(),
                " FROM credit_packs WHERE id = $1 AND active"
            ),
            &[&request.pack_id],
        )
        .await?
        .map(|r| pack(&r))
        .transpose()?
        .ok_or_else(|| {
            Error::field("pack_id", "This pack is not available. Choose another one.")
        })?;
    let account_id = session.account.id;
    let purchase_id: PurchaseId = db
        .query_one(
            "INSERT INTO purchases (account_id, pack_id, pack_name, seconds, price_cents, currency)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[
                &account_id,
                &pack.id,
                &pack.name,
                &pack.seconds,
                &pack.price_cents,
                &pack.currency,
            ],
        )
        .await?
        .get(0);

    let metadata: HashMap<String, String> = HashMap::from([
        ("account_id".into(), account_id.to_string()),
        ("purchase_id".into(), purchase_id.to_string()),
        ("pack_id".into(), pack.id.to_string()),
        ("seconds".into(), pack.seconds.to_string()),
    ]);
    let currency: stripe_types::Currency =
        pack.currency.parse().unwrap_or(stripe_types::Currency::USD);
    let mut price = CreateCheckoutSessionLineItemsPriceData::new(currency);
    price.unit_amount = Some(pack.price_cents);
    price.product_data = Some(ProductData::new(format!(
        "{} — {} minutes of AI receptionist talk time",
        pack.name,
        pack.seconds / 60
    )));
    let mut item = CreateCheckoutSessionLineItems::new();
    item.price_data = Some(price);
    item.quantity = Some(1);
    let mut intent = CreateCheckoutSessionPaymentIntentData::new();
    intent.metadata = Some(metadata.clone());
    let public = &app.config.public_url;
    let create = CreateCheckoutSession::new()
        .mode(stripe_shared::CheckoutSessionMode::Payment)
        .client_reference_id(account_id.to_string())
        .customer_email(session.user.email.clone())
        .line_items(vec![item])
        .metadata(metadata)
        .payment_intent_data(intent)
        .success_url(format!(
            "{public}/credits/success?purchase_id={purchase_id}"
        ))
        .cancel_url(format!("{public}/credits?cancelled=1"));
    let key = stripe::IdempotencyKey::new(format!("checkout-{purchase_id}"))
        .map_err(|e| Error::internal_from("Stripe idempotency key", e))?;
    let created = create
        .customize()
        .request_strategy(stripe::RequestStrategy::Idempotent(key))
        .send(&client)
        .await;
    let checkout = match created {
        Ok(c) => c,
        Err(e) => {
            db.execute(
                "UPDATE purchases SET status = 'failed' WHERE id = $1",
                &[&purchase_id],
            )
            .await?;
            tracing::error!(%purchase_id, error = %e, "Stripe refused the checkout session");
            return Err(Error::Unavailable(format!("Stripe: {e}")));
        }
    };
    let url = checkout
        .url
        .clone()
        .ok_or_else(|| Error::Unavailable("Stripe returned a session without a URL".into()))?;
    db.execute(
        "UPDATE purchases SET stripe_session_id = $2 WHERE id = $1",
        &[&purchase_id, &checkout.id.as_str()],
    )
    .await?;
    tracing::info!(%purchase_id, %account_id, pack = %pack.name, "checkout started");
    Ok(CheckoutResponse { url, purchase_id })
}

/// One of the account's purchases (another account's is not found).
pub async fn purchase(app: &App, account_id: AccountId, id: PurchaseId) -> Result<Purchase> {
    let db = app.db.get().await?;
    let row = db
        .query_opt(
            "SELECT id, status, seconds, price_cents, currency FROM purchases WHERE id = $1 AND account_id = $2",
            &[&id, &account_id],
        )
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Purchase {
        id: row.try_get("id")?,
        status: row.try_get("status")?,
        seconds: row.try_get("seconds")?,
        price_cents: row.try_get("price_cents")?,
        currency: row.try_get("currency")?,
    })
}

// -------------------------------------------------------------- webhook ----

/// What the webhook did with an event.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct Receipt {
    pub received: bool,
    pub duplicate: bool,
    pub outcome: String,
}

/// Verifies, stores (once per event id) and applies a Stripe event, all in
/// one transaction: the 2xx answer means it is durably stored and applied.
pub async fn receive_webhook(
    app: &App,
    signature_header: Option<&str>,
    body: &[u8],
) -> Result<Receipt> {
    let signed = verify_webhook(
        &app.config,
        signature_header,
        body,
        chrono::Utc::now().timestamp(),
    )?;
    handle_webhook(app, signed).await
}

/// Checks the `Stripe-Signature` of `body` against the configured secrets
/// at `now` (epoch s).
pub fn verify_webhook<'a>(
    config: &Config,
    signature_header: Option<&str>,
    body: &'a [u8],
    now: i64,
) -> Result<Signed<'a>> {
    let secrets = config
        .stripe_webhook_secrets
        .as_ref()
        .ok_or_else(|| Error::Unavailable("STRIPE_WEBHOOK_SECRET is not set".into()))?;
    let secrets: Vec<&str> = secrets
        .expose()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    signature::verify(signature_header, body, &secrets, now)
        .map_err(|e| Error::InvalidSignature(e.to_string()))?;
    Ok(Signed::verified(body))
}

/// Stores (once per event id) and applies a verified Stripe event.
pub async fn handle_webhook(app: &App, body: Signed<'_>) -> Result<Receipt> {
    let event: Value =
        serde_json::from_slice(body.body()).map_err(|e| Error::MalformedJson(e.to_string()))?;
    let (Some(id), Some(kind), Some(object)) = (
        event["id"].as_str().filter(|s| !s.is_empty()),
        event["type"].as_str(),
        event["data"]["object"].as_object(),
    ) else {
        return Err(Error::MalformedJson(
            "a Stripe event has id, type and data.object".into(),
        ));
    };
    let object = Value::Object(object.clone());
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    let fresh = tx
        .query_opt(
            "INSERT INTO stripe_events (id, type, payload, outcome) VALUES ($1, $2, $3, 'received')
             ON CONFLICT (id) DO NOTHING RETURNING id",
            &[&id, &kind, &event],
        )
        .await?;
    if fresh.is_none() {
        return Ok(Receipt {
            received: true,
            duplicate: true,
            outcome: "already received".into(),
        });
    }
    let outcome = match kind {
        "checkout.session.completed" if object["payment_status"] == "paid" => {
            fulfil(&tx, id, &object).await?
        }
        "checkout.session.completed" => "completed, payment pending (delayed method)".into(),
        "checkout.session.async_payment_succeeded" => fulfil(&tx, id, &object).await?,
        "checkout.session.async_payment_failed" => {
            close(&tx, &object, PurchaseStatus::Failed).await?
        }
        "checkout.session.expired" => close(&tx, &object, PurchaseStatus::Expired).await?,
        "charge.refunded" => refund(&tx, id, &object).await?,
        "charge.dispute.created" => dispute(&tx, id, &object).await?,
        _ => "ignored (not a type Kametrix acts on)".into(),
    };
    tx.execute(
        "UPDATE stripe_events SET outcome = $2 WHERE id = $1",
        &[&id, &outcome],
    )
    .await?;
    tx.commit().await?;
    tracing::info!(event_id = id, kind, %outcome, "stripe event");
    Ok(Receipt {
        received: true,
        duplicate: false,
        outcome,
    })
}

struct PurchaseRow {
    id: PurchaseId,
    account_id: AccountId,
    pack_name: String,
    seconds: i64,
    price_cents: i64,
    status: PurchaseStatus,
    amount_refunded_cents: i64,
    seconds_clawed_back: i64,
    disputed: bool,
}

/// How a Stripe object names the purchase it is about.
enum PurchaseKey<'a> {
    Session(&'a str),
    PaymentIntent(&'a str),
}

async fn lock_purchase(tx: &Transaction<'_>, key: PurchaseKey<'_>) -> Result<Option<PurchaseRow>> {
    macro_rules! select {
        () => {
            "SELECT id, account_id, pack_name, seconds, price_cents, status, amount_refunded_cents,
                    seconds_clawed_back, disputed_at IS NOT NULL AS disputed
             FROM purchases WHERE "
        };
    }
    let row = match key {
        PurchaseKey::Session(id) => {
            tx.query_opt(
                concat!(select!(), "stripe_session_id = $1 FOR UPDATE"),
                &[&id],
            )
            .await?
        }
        PurchaseKey::PaymentIntent(id) => {
            tx.query_opt(concat!(select!(), "payment_intent = $1 FOR UPDATE"), &[&id])
                .await?
        }
    };
    row.map(|r| {
        Ok(PurchaseRow {
            id: r.try_get("id")?,
            account_id: r.try_get("account_id")?,
            pack_name: r.try_get("pack_name")?,
            seconds: r.try_get("seconds")?,
            price_cents: r.try_get("price_cents")?,
            status: r.try_get("status")?,
            amount_refunded_cents: r.try_get("amount_refunded_cents")?,
            seconds_clawed_back: r.try_get("seconds_clawed_back")?,
            disputed: r.try_get("disputed")?,
        })
    })
    .transpose()
}

/// Credits a paid Checkout Session's pack, once per session.
async fn fulfil(tx: &Transaction<'_>, event_id: &str, session: &Value) -> Result<String> {
    let session_id = session["id"].as_str().unwrap_or_default();
    let Some(purchase) = lock_purchase(tx, PurchaseKey::Session(session_id)).await? else {
        return Ok(format!("unknown session {session_id} (ignored)"));
    };
    if purchase.status == PurchaseStatus::Paid {
        return Ok("already credited".into());
    }
    if session["client_reference_id"].as_str() != Some(purchase.account_id.to_string().as_str()) {
        tracing::warn!(session_id, purchase_id = %purchase.id, "client_reference_id does not match the purchase");
        return Ok("account mismatch (ignored)".into());
    }
    tx.execute(
        "UPDATE purchases SET status = $3, paid_at = now(), payment_intent = $2 WHERE id = $1",
        &[
            &purchase.id,
            &session["payment_intent"].as_str(),
            &PurchaseStatus::Paid,
        ],
    )
    .await?;
    let mut movement = Movement::new(
        LedgerKind::Purchase,
        purchase.seconds,
        format!("purchase:{}", purchase.id),
        format!(
            "Bought {} ({} min)",
            purchase.pack_name,
            purchase.seconds / 60
        ),
    );
    movement.purchase_id = Some(purchase.id);
    movement.stripe_event_id = Some(event_id.to_string());
    credits::apply_in(tx, purchase.account_id, movement).await?;
    Ok(format!("credited {} s", purchase.seconds))
}

async fn close(tx: &Transaction<'_>, session: &Value, status: PurchaseStatus) -> Result<String> {
    let n = tx
        .execute(
            "UPDATE purchases SET status = $2 WHERE stripe_session_id = $1 AND status = $3",
            &[
                &session["id"].as_str().unwrap_or_default(),
                &status,
                &PurchaseStatus::Pending,
            ],
        )
        .await?;
    Ok(if n == 1 {
        format!("purchase marked {status}")
    } else {
        "no pending purchase (ignored)".into()
    })
}

/// Claws back the refunded share of a purchase: the target is
/// `seconds × amount_refunded / amount` (cumulative), so duplicates and
/// reordered partial refunds never take twice.
async fn refund(tx: &Transaction<'_>, event_id: &str, charge: &Value) -> Result<String> {
    let intent = charge["payment_intent"].as_str().unwrap_or_default();
    let Some(purchase) = lock_purchase(tx, PurchaseKey::PaymentIntent(intent)).await? else {
        return Ok(format!("unknown payment {intent} (ignored)"));
    };
    let refunded = charge["amount_refunded"].as_i64().unwrap_or(0);
    let amount = charge["amount"]
        .as_i64()
        .filter(|a| *a > 0)
        .unwrap_or(purchase.price_cents);
    if refunded <= purchase.amount_refunded_cents {
        return Ok("refund already applied".into());
    }
    let target =
        ((purchase.seconds as i128 * refunded.min(amount) as i128) / amount as i128) as i64;
    let target = target
        .max(purchase.seconds_clawed_back)
        .min(purchase.seconds);
    let delta = target - purchase.seconds_clawed_back;
    tx.execute(
        "UPDATE purchases SET amount_refunded_cents = $2, seconds_clawed_back = $3 WHERE id = $1",
        &[&purchase.id, &refunded, &target],
    )
    .await?;
    if delta == 0 || purchase.status != PurchaseStatus::Paid || purchase.disputed {
        return Ok("refund recorded, nothing to claw back".into());
    }
    let mut movement = Movement::new(
        LedgerKind::Refund,
        -delta,
        format!("refund:{}:{refunded}", purchase.id),
        format!(
            "Refund of {} ({:.2} refunded)",
            purchase.pack_name,
            refunded as f64 / 100.0
        ),
    );
    movement.purchase_id = Some(purchase.id);
    movement.stripe_event_id = Some(event_id.to_string());
    credits::apply_in(tx, purchase.account_id, movement).await?;
    Ok(format!("clawed back {delta} s"))
}

/// A dispute takes back whatever of the purchase was not refunded yet.
async fn dispute(tx: &Transaction<'_>, event_id: &str, dispute: &Value) -> Result<String> {
    let intent = dispute["payment_intent"].as_str().unwrap_or_default();
    let Some(purchase) = lock_purchase(tx, PurchaseKey::PaymentIntent(intent)).await? else {
        return Ok(format!("unknown payment {intent} (ignored)"));
    };
    if purchase.disputed {
        return Ok("dispute already applied".into());
    }
    let remaining = purchase.seconds - purchase.seconds_clawed_back;
    tx.execute(
        "UPDATE purchases SET disputed_at = now(), seconds_clawed_back = seconds WHERE id = $1",
        &[&purchase.id],
    )
    .await?;
    if remaining <= 0 || purchase.status != PurchaseStatus::Paid {
        return Ok("dispute recorded, nothing to claw back".into());
    }
    let mut movement = Movement::new(
        LedgerKind::Dispute,
        -remaining,
        format!("dispute:{}", dispute["id"].as_str().unwrap_or(event_id)),
        format!("Payment for {} disputed", purchase.pack_name),
    );
    movement.purchase_id = Some(purchase.id);
    movement.stripe_event_id = Some(event_id.to_string());
    credits::apply_in(tx, purchase.account_id, movement).await?;
    Ok(format!("clawed back {remaining} s"))
}
