//! `/credits` (balance, packs to buy, history) and `/credits/success` (back
//! from Stripe Checkout: waits for the purchase to be paid). Also the pieces
//! the admin pages share: the state badge and the ledger table.

use gloo_timers::callback::Timeout;
use serde::Deserialize;
use shared::api::{AccountEvent, CreditState, Credits, LedgerPage, Pack, Purchase};
use uuid::Uuid;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::ApiError;
use crate::components::{fmt_local, sleep, use_signed_in, Card, Load, Loading, Pager};
use crate::pages::admin::failure;
use crate::session::{use_session, SessionAction};
use crate::units::{fmt_money, fmt_pack_minutes, fmt_per_minute, fmt_signed_minutes, minutes};
use crate::Route;

const LEDGER_PER_PAGE: i64 = 20;
/// The success page asks once a second for about a minute.
const POLL_ATTEMPTS: u32 = 60;
const POLL_INTERVAL_MS: i32 = 1000;
/// After sending the browser to Checkout, the Buy buttons stay disabled this
/// long (the page is normally gone by then; this is for coming back).
const CHECKOUT_REDIRECT_GRACE_MS: u32 = 8000;

pub const CREDIT_EXPLAINER: &str =
    "1 credit = 1 minute of talk time; calls are billed per second; calls under 10 seconds are free.";

// ---- state badge -------------------------------------------------------------

/// The account's state in plain words, coloured (`data-testid={testid}`),
/// with the grace deadline inside (`deadline_testid`) while in grace.
pub fn state_badge(
    c: &Credits,
    testid: &'static str,
    deadline_testid: Option<&'static str>,
) -> Html {
    match c.state {
        CreditState::Ok => html! {
            <p class="state state-ok" data-testid={testid}>{ "Active" }</p>
        },
        CreditState::Low => html! {
            <p class="state state-low" data-testid={testid}>{ "Running low" }</p>
        },
        CreditState::Grace => {
            // What is left of the overage allowance: limit − overdraft.
            let overdraft = (-c.balance_seconds).max(0);
            let left = (c.overage_limit_seconds - overdraft).max(0);
            html! {
                <p class="state state-grace state-long" data-testid={testid}>
                    <strong>{ "In grace period:" }</strong>
                    { " calls continue " }
                    if let Some(deadline) = &c.grace_deadline {
                        { "until " }
                        <span data-testid={deadline_testid}>{ fmt_local(deadline) }</span>
                        { " or " }
                    }
                    { format!("until you use {} more", minutes(left)) }
                </p>
            }
        }
        CreditState::Blocked => html! {
            <p class="state state-blocked state-long" data-testid={testid}>
                <strong>{ "Out of credits:" }</strong>
                { " calls are being refused. Buy a pack to resume." }
            </p>
        },
    }
}

pub fn state_class(state: CreditState) -> &'static str {
    match state {
        CreditState::Ok => "balance-ok",
        CreditState::Low => "balance-low",
        CreditState::Grace => "balance-grace",
        CreditState::Blocked => "balance-blocked",
    }
}

/// "Running low since …" for the newest event when it is still the state,
/// past tense for the rest.
fn event_text(e: &AccountEvent, current: bool) -> String {
    let when = fmt_local(&e.created_at);
    let text = match (e.kind.as_str(), current) {
        ("low", true) => format!("Running low since {when}"),
        ("low", false) => format!("Ran low on {when}"),
        ("zero", _) => format!("Reached zero on {when}"),
        ("grace", true) => format!("In grace period since {when}"),
        ("grace", false) => format!("Grace period started on {when}"),
        ("blocked", true) => format!("Calls refused since {when}"),
        ("blocked", false) => format!("Calls were refused from {when}"),
        ("ok", _) => format!("Back to active on {when}"),
        (other, _) => format!("{other} on {when}"),
    };
    format!("{text} (balance {})", minutes(e.balance_seconds))
}

fn state_kind(state: CreditState) -> &'static str {
    match state {
        CreditState::Ok => "ok",
        CreditState::Low => "low",
        CreditState::Grace => "grace",
        CreditState::Blocked => "blocked",
    }
}

// ---- ledger ------------------------------------------------------------------

/// Whose ledger to show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LedgerSource {
    Own,
    Account(Uuid),
}

#[derive(Properties, PartialEq)]
pub struct LedgerProps {
    pub source: LedgerSource,
    /// Changing it reloads from the first page (e.g. after an adjustment).
    #[prop_or_default]
    pub reload: u32,
    /// `data-testid` of the table.
    pub testid: AttrValue,
}

fn kind_label(kind: &str) -> &str {
    match kind {
        "signup_grant" => "Welcome minutes",
        "purchase" => "Purchase",
        "call" => "Call",
        "number_rental" => "Phone number",
        "refund" => "Refund",
        "dispute" => "Payment dispute",
        "admin_adjustment" => "Adjustment",
        other => other,
    }
}

/// The history of balance changes, newest first, paginated.
#[function_component(Ledger)]
pub fn ledger(props: &LedgerProps) -> Html {
    let session = use_session();
    let page = use_state(|| 1_i64);
    let data = use_state(|| Load::<LedgerPage>::Loading);
    let retry = use_state(|| 0_u32);
    let updating = use_state(|| false);
    let seq = use_mut_ref(|| 0_u32);
    // (source, reload) of the last fetch: when it changes, back to page 1.
    let last_key = use_mut_ref(|| (props.source, props.reload));

    {
        let (data, page_handle, updating, session) = (
            data.clone(),
            page.clone(),
            updating.clone(),
            session.clone(),
        );
        let api = session.api();
        use_effect_with(
            (props.source, props.reload, *page, *retry),
            move |(source, reload, page, _)| {
                let key = (*source, *reload);
                let (last_source, _) = *last_key.borrow();
                let moved = *last_key.borrow() != key;
                *last_key.borrow_mut() = key;
                if moved && *page != 1 {
                    page_handle.set(1); // fetches again with page 1
                    return;
                }
                let this = {
                    let mut s = seq.borrow_mut();
                    *s += 1;
                    *s
                };
                // Another account's rows must not stay on screen; for a new
                // page of the same ledger the old rows stay (dimmed) until
                // the new ones arrive.
                if matches!(*data, Load::Failed(_)) || last_source != *source {
                    data.set(Load::Loading);
                }
                updating.set(true);
                let (source, page) = (*source, *page);
                yew::platform::spawn_local(async move {
                    let result = match source {
                        LedgerSource::Own => api.ledger(page, LEDGER_PER_PAGE).await,
                        LedgerSource::Account(id) => {
                            api.admin_ledger(id, page, LEDGER_PER_PAGE).await
                        }
                    };
                    if *seq.borrow() != this {
                        return; // a newer page was asked for
                    }
                    updating.set(false);
                    match result {
                        Ok(p) => data.set(Load::Loaded(p)),
                        Err(e) if e.is_unauthenticated() => {
                            session.dispatch(SessionAction::SignedOut)
                        }
                        Err(e) => data.set(Load::Failed(e)),
                    }
                });
            },
        );
    }

    match &*data {
        Load::Loading => html! { <Loading label="Loading history…" /> },
        Load::Failed(e) => {
            let again = {
                let retry = retry.clone();
                Callback::from(move |_: MouseEvent| retry.set(*retry + 1))
            };
            html! {
                <>
                    { failure(e) }
                    <div class="actions">
                        <button type="button" class="btn btn-secondary" onclick={again}>{ "Try again" }</button>
                    </div>
                </>
            }
        }
        Load::Loaded(p) => {
            let onchange = {
                let page = page.clone();
                Callback::from(move |to: i64| page.set(to.max(1)))
            };
            let rows = p.entries.iter().map(|e| {
                let change_class = match e.amount_seconds {
                    n if n > 0 => "amount-pos",
                    n if n < 0 => "amount-neg",
                    _ => "",
                };
                let description = if e.description.trim().is_empty() {
                    kind_label(&e.kind).to_string()
                } else {
                    e.description.clone()
                };
                html! {
                    <tr data-testid="ledger-row" key={e.id}>
                        <td data-label="Date">{ fmt_local(&e.created_at) }</td>
                        <td data-label="Description" class="wrap">{ description }</td>
                        <td data-label="Change" class="num">
                            <span class={change_class}>{ fmt_signed_minutes(e.amount_seconds) }</span>
                        </td>
                        <td data-label="Balance after" class="num">{ minutes(e.balance_after_seconds) }</td>
                    </tr>
                }
            });
            html! {
                <div class={classes!("ledger", updating.then_some("is-updating"))}
                    aria-busy={updating.then_some("true")}>
                    if p.entries.is_empty() {
                        <p class="empty" data-testid="ledger-empty">{ "No activity yet." }</p>
                    }
                    <div class="table-wrap">
                        <table class="table" data-testid={props.testid.clone()}>
                            <thead>
                                <tr>
                                    <th scope="col">{ "Date" }</th>
                                    <th scope="col">{ "Description" }</th>
                                    <th scope="col" class="num">{ "Change" }</th>
                                    <th scope="col" class="num">{ "Balance after" }</th>
                                </tr>
                            </thead>
                            <tbody>{ for rows }</tbody>
                        </table>
                    </div>
                    <Pager page={p.page} total={p.total} per_page={p.per_page} {onchange} />
                </div>
            }
        }
    }
}

// ---- /credits ----------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
struct CreditsQuery {
    cancelled: Option<String>,
}

/// `data-testid` of a pack's Buy button: "Starter Plus" → `buy-starter-plus`.
pub fn buy_testid(name: &str) -> String {
    format!("buy-{}", name.trim().to_lowercase().replace(' ', "-"))
}

#[derive(Properties, PartialEq)]
struct PackCardProps {
    pack: Pack,
    /// This pack's checkout is starting.
    busy: bool,
    /// Another pack's checkout is starting.
    disabled: bool,
    error: Option<String>,
    onbuy: Callback<Uuid>,
}

#[function_component(PackCard)]
fn pack_card(props: &PackCardProps) -> Html {
    let p = &props.pack;
    let onclick = {
        let (onbuy, id) = (props.onbuy.clone(), p.id);
        Callback::from(move |_: MouseEvent| onbuy.emit(id))
    };
    html! {
        <article class="pack-card" data-testid="pack-card">
            <h2 class="pack-name">{ &p.name }</h2>
            <p class="pack-minutes">{ fmt_pack_minutes(p.seconds) }</p>
            <p class="pack-price">{ fmt_money(p.price_cents, &p.currency) }</p>
            if let Some(per) = fmt_per_minute(p.price_cents, p.seconds, &p.currency) {
                <p class="pack-per-minute muted">{ format!("{per} per minute") }</p>
            }
            if let Some(err) = &props.error {
                <div class="alert alert-error" role="alert" data-testid="form-error">
                    <p>{ err }</p>
                </div>
            }
            <button type="button" class="btn btn-primary btn-block" data-testid={buy_testid(&p.name)}
                onclick={onclick} disabled={props.busy || props.disabled}
                aria-busy={props.busy.then_some("true")}>
                if props.busy {
                    <span class="spinner spinner-light" aria-hidden="true"></span>
                    { "Opening checkout…" }
                } else {
                    { "Buy" }
                }
            </button>
        </article>
    }
}

#[function_component(CreditsPage)]
pub fn credits_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let location = use_location();
    let cancelled = location
        .and_then(|l| l.query::<CreditsQuery>().ok())
        .and_then(|q| q.cancelled)
        .is_some_and(|c| c == "1" || c == "true");
    let signed_in = session.me().is_some();

    let credits = use_state(|| Load::<Credits>::Loading);
    let packs = use_state(|| Load::<Vec<Pack>>::Loading);
    let checkout_busy = use_state(|| None::<Uuid>);
    let checkout_error = use_state(|| None::<(Uuid, String)>);

    {
        let (credits, packs, session) = (credits.clone(), packs.clone(), session.clone());
        use_effect_with(signed_in, move |signed_in| {
            if *signed_in {
                let api = session.api();
                let (api2, session2) = (api.clone(), session.clone());
                yew::platform::spawn_local(async move {
                    match api.credits().await {
                        Ok(c) => credits.set(Load::Loaded(c)),
                        Err(e) if e.is_unauthenticated() => {
                            session.dispatch(SessionAction::SignedOut)
                        }
                        Err(e) => credits.set(Load::Failed(e)),
                    }
                });
                yew::platform::spawn_local(async move {
                    match api2.packs().await {
                        Ok(mut list) => {
                            list.packs.sort_by_key(|p| p.sort);
                            packs.set(Load::Loaded(list.packs))
                        }
                        Err(e) if e.is_unauthenticated() => {
                            session2.dispatch(SessionAction::SignedOut)
                        }
                        Err(e) => packs.set(Load::Failed(e)),
                    }
                });
            }
        });
    }

    if let Err(other) = gate {
        return other;
    }

    let onbuy = {
        let (session, busy, error) = (
            session.clone(),
            checkout_busy.clone(),
            checkout_error.clone(),
        );
        Callback::from(move |pack_id: Uuid| {
            if busy.is_some() {
                return;
            }
            busy.set(Some(pack_id));
            error.set(None);
            let (session, busy, error) = (session.clone(), busy.clone(), error.clone());
            let api = session.api();
            yew::platform::spawn_local(async move {
                match api.checkout(pack_id).await {
                    Ok(r) => {
                        let went = web_sys::window()
                            .map(|w| w.location().assign(&r.url).is_ok())
                            .unwrap_or(false);
                        if went {
                            // Stay busy while the browser leaves; re-enable
                            // if the visitor comes back to this page.
                            Timeout::new(CHECKOUT_REDIRECT_GRACE_MS, move || busy.set(None))
                                .forget();
                        } else {
                            busy.set(None);
                            error.set(Some((
                                pack_id,
                                "We couldn't open the checkout page. Please try again.".into(),
                            )));
                        }
                    }
                    Err(e) if e.is_unauthenticated() => {
                        busy.set(None);
                        session.dispatch(SessionAction::SignedOut)
                    }
                    Err(e) => {
                        busy.set(None);
                        let message = e.field("pack_id").map(str::to_string).unwrap_or(e.message);
                        error.set(Some((pack_id, message)));
                    }
                }
            });
        })
    };

    let balance = match &*credits {
        Load::Loading => html! { <Loading label="Loading your balance…" /> },
        Load::Failed(e) => failure(e),
        Load::Loaded(c) => {
            let newest_kind = c.recent_events.first().map(|e| e.kind.as_str());
            let current_newest = newest_kind == Some(state_kind(c.state));
            html! {
                <>
                    <div class="balance-row">
                        <p class={classes!("balance", state_class(c.state))}>
                            <span data-testid="credits-balance">{ minutes(c.balance_seconds) }</span>
                        </p>
                        { state_badge(c, "credits-state", Some("grace-deadline")) }
                    </div>
                    <p class="muted small" data-testid="credits-explainer">{ CREDIT_EXPLAINER }</p>
                    if !c.recent_events.is_empty() {
                        <ul class="events" data-testid="recent-events" aria-label="Recent balance changes">
                            { for c.recent_events.iter().take(5).enumerate().map(|(i, e)| html! {
                                <li data-testid="recent-event">{ event_text(e, i == 0 && current_newest) }</li>
                            }) }
                        </ul>
                    }
                </>
            }
        }
    };

    let pack_list = match &*packs {
        Load::Loading => html! { <Loading label="Loading packs…" /> },
        Load::Failed(e) => failure(e),
        Load::Loaded(list) if list.is_empty() => html! {
            <p class="empty" data-testid="packs-empty">{ "No packs are on sale right now. Please check back soon." }</p>
        },
        Load::Loaded(list) => html! {
            <div class="pack-grid">
                { for list.iter().map(|p| {
                    let error = checkout_error
                        .as_ref()
                        .filter(|(id, _)| *id == p.id)
                        .map(|(_, m)| m.clone());
                    html! {
                        <PackCard key={p.id.to_string()} pack={p.clone()}
                            busy={*checkout_busy == Some(p.id)}
                            disabled={checkout_busy.is_some() && *checkout_busy != Some(p.id)}
                            {error} onbuy={onbuy.clone()} />
                    }
                }) }
            </div>
        },
    };

    html! {
        <div class="stack" data-testid="credits-page">
            if cancelled {
                <div class="alert alert-info" role="status" data-testid="checkout-cancelled">
                    <p>{ "Checkout cancelled — you were not charged." }</p>
                </div>
            }
            <section class="card" data-testid="credits-balance-card">
                <p class="eyebrow">{ "Your balance" }</p>
                { balance }
            </section>
            <Card title="Buy minutes" subtitle="Pay securely with Stripe. Your minutes are added as soon as the payment is confirmed.">
                { pack_list }
            </Card>
            <Card title="History">
                <Ledger source={LedgerSource::Own} testid="ledger-table" />
            </Card>
        </div>
    }
}

// ---- /credits/success --------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
struct SuccessQuery {
    purchase_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Poll {
    Waiting,
    Paid {
        purchase: Purchase,
        credits: Option<Credits>,
    },
    Failed,
    Expired,
    TimedOut,
    NotFound,
    BadLink,
    Error(ApiError),
}

#[function_component(CreditsSuccessPage)]
pub fn credits_success_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let location = use_location();
    let purchase_id = location
        .and_then(|l| l.query::<SuccessQuery>().ok())
        .and_then(|q| q.purchase_id)
        .and_then(|id| Uuid::parse_str(id.trim()).ok());
    let signed_in = session.me().is_some();
    let state = use_state(|| Poll::Waiting);

    {
        let (state, session) = (state.clone(), session.clone());
        use_effect_with((purchase_id, signed_in), move |(purchase_id, signed_in)| {
            // Cleared when the page goes away (or the id changes): stops polling.
            let alive = std::rc::Rc::new(std::cell::Cell::new(true));
            match (*purchase_id, *signed_in) {
                (_, false) => {}
                (None, true) => state.set(Poll::BadLink),
                (Some(id), true) => {
                    state.set(Poll::Waiting);
                    let alive = alive.clone();
                    let api = session.api();
                    yew::platform::spawn_local(async move {
                        for attempt in 0..POLL_ATTEMPTS {
                            if attempt > 0 {
                                sleep(POLL_INTERVAL_MS).await;
                            }
                            if !alive.get() {
                                return;
                            }
                            let result = api.purchase(id).await;
                            if !alive.get() {
                                return;
                            }
                            match result {
                                Ok(p) if p.status == "paid" => {
                                    let credits = api.credits().await.ok();
                                    if alive.get() {
                                        state.set(Poll::Paid {
                                            purchase: p,
                                            credits,
                                        });
                                    }
                                    return;
                                }
                                Ok(p) if p.status == "failed" => return state.set(Poll::Failed),
                                Ok(p) if p.status == "expired" => return state.set(Poll::Expired),
                                Ok(_) => {} // pending: ask again
                                Err(e) if e.is_unauthenticated() => {
                                    return session.dispatch(SessionAction::SignedOut)
                                }
                                Err(e) if e.status == 404 => return state.set(Poll::NotFound),
                                Err(e) if e.status == 400 || e.status == 403 => {
                                    return state.set(Poll::Error(e))
                                }
                                Err(_) => {} // network or server hiccup: keep trying
                            }
                        }
                        state.set(Poll::TimedOut);
                    });
                }
            }
            move || alive.set(false)
        });
    }

    if let Err(other) = gate {
        return other;
    }

    let back = html! {
        <div class="actions">
            <Link<Route> to={Route::Credits} classes="btn btn-primary">
                <span data-testid="back-to-credits">{ "Back to credits" }</span>
            </Link<Route>>
        </div>
    };

    let (title, body) = match &*state {
        Poll::Waiting => (
            "Thank you!",
            html! {
                <div data-testid="purchase-pending">
                    <Loading label="Payment received — adding your minutes…" />
                </div>
            },
        ),
        Poll::Paid { purchase, credits } => (
            "Minutes added",
            html! {
                <>
                    <div class="alert alert-success" role="status" data-testid="purchase-paid">
                        <p>{ format!("We added {} to your account.", fmt_pack_minutes(purchase.seconds)) }</p>
                        if let Some(c) = credits {
                            <p>
                                { "Your new balance: " }
                                <strong data-testid="new-balance">{ minutes(c.balance_seconds) }</strong>
                            </p>
                        }
                    </div>
                    { back }
                </>
            },
        ),
        Poll::Failed => (
            "Payment failed",
            html! {
                <>
                    <div class="alert alert-error" role="alert" data-testid="purchase-failed">
                        <p>{ "Your payment didn't go through, so no minutes were added. You can try again, with another card if needed." }</p>
                    </div>
                    { back }
                </>
            },
        ),
        Poll::Expired => (
            "Checkout expired",
            html! {
                <>
                    <div class="alert alert-error" role="alert" data-testid="purchase-expired">
                        <p>{ "This checkout expired before the payment was completed. You were not charged." }</p>
                    </div>
                    { back }
                </>
            },
        ),
        Poll::TimedOut => (
            "Almost there",
            html! {
                <>
                    <div class="alert alert-info" role="status" data-testid="purchase-timeout">
                        <p>{ "Your payment is being confirmed; your balance will update shortly." }</p>
                    </div>
                    { back }
                </>
            },
        ),
        Poll::NotFound => (
            "Purchase not found",
            html! {
                <>
                    <div class="alert alert-error" role="alert" data-testid="purchase-not-found">
                        <p>{ "We couldn't find this purchase on your account. If you were charged, your minutes will still be added." }</p>
                    </div>
                    { back }
                </>
            },
        ),
        Poll::BadLink => (
            "Purchase not found",
            html! {
                <>
                    <div class="alert alert-error" role="alert" data-testid="purchase-not-found">
                        <p>{ "This link is incomplete: it has no purchase id." }</p>
                    </div>
                    { back }
                </>
            },
        ),
        Poll::Error(e) => (
            "Something went wrong",
            html! {
                <>
                    { failure(e) }
                    { back }
                </>
            },
        ),
    };

    html! {
        <Card title={title} narrow=true testid="credits-success-page">
            { body }
        </Card>
    }
}
