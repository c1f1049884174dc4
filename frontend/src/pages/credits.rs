//! `/credits` (balance, packs to buy, history) and `/credits/success` (back
//! from Stripe Checkout: waits for the purchase to be paid).

use gloo_timers::callback::Timeout;
use serde::Deserialize;
use shared::api::{Credits, Pack, PackId, Purchase, PurchaseId, PurchaseStatus};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::ApiError;
use crate::components::{
    event_is_current, event_text, failure, sleep, state_badge, state_class, Card, ErrorAlert,
    Ledger, LedgerSource, Loading,
};
use crate::hooks::{use_action, use_api, use_signed_in};
use crate::session::{use_session, SessionAction};
use crate::units::{fmt_money, fmt_pack_minutes, fmt_per_minute, minutes};
use crate::Route;

/// The success page asks once a second for about a minute.
const POLL_ATTEMPTS: u32 = 60;
const POLL_INTERVAL_MS: i32 = 1000;
/// After sending the browser to Checkout, the Buy buttons stay disabled this
/// long (the page is normally gone by then; this is for coming back).
const CHECKOUT_REDIRECT_GRACE_MS: u32 = 8000;

pub const CREDIT_EXPLAINER: &str =
    "1 credit = 1 minute of talk time; calls are billed per second; calls under 10 seconds are free.";

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
    onbuy: Callback<PackId>,
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
                <ErrorAlert message={err.clone()} />
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

    let credits = use_api(signed_in.then_some(()), |api, ()| async move {
        api.credits().await
    });
    let packs = use_api(signed_in.then_some(()), |api, ()| async move {
        let mut list = api.packs().await?;
        list.packs.sort_by_key(|p| p.sort);
        Ok(list.packs)
    });
    let checkout = use_action();
    // The pack whose checkout is starting, and a pack's error.
    let checkout_pack = use_state(|| None::<PackId>);
    let checkout_error = use_state(|| None::<(PackId, String)>);

    if let Err(other) = gate {
        return other;
    }

    let onbuy = {
        let (action, busy, error) = (
            checkout.clone(),
            checkout_pack.clone(),
            checkout_error.clone(),
        );
        Callback::from(move |pack_id: PackId| {
            if busy.is_some() {
                return;
            }
            busy.set(Some(pack_id));
            error.set(None);
            let (busy, error) = (busy.clone(), error.clone());
            action.run_then(
                move |api| async move { api.checkout(pack_id).await },
                move |result| {
                    let message = match result {
                        Ok(r) => {
                            let went = web_sys::window()
                                .map(|w| w.location().assign(&r.url).is_ok())
                                .unwrap_or(false);
                            if went {
                                // Stay busy while the browser leaves; re-enable
                                // if the visitor comes back to this page.
                                Timeout::new(CHECKOUT_REDIRECT_GRACE_MS, move || busy.set(None))
                                    .forget();
                                return None;
                            }
                            "We couldn't open the checkout page. Please try again.".to_string()
                        }
                        Err(e) => e.field("pack_id").map(str::to_string).unwrap_or(e.message),
                    };
                    busy.set(None);
                    error.set(Some((pack_id, message)));
                    None
                },
            );
        })
    };

    let balance = credits.view("Loading your balance…", |c| {
        let current_newest = event_is_current(c);
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
    });

    let pack_list = packs.view("Loading packs…", |list| {
        if list.is_empty() {
            return html! {
                <p class="empty" data-testid="packs-empty">{ "No packs are on sale right now. Please check back soon." }</p>
            };
        }
        html! {
            <div class="pack-grid">
                { for list.iter().map(|p| {
                    let error = checkout_error
                        .as_ref()
                        .filter(|(id, _)| *id == p.id)
                        .map(|(_, m)| m.clone());
                    html! {
                        <PackCard key={p.id.to_string()} pack={p.clone()}
                            busy={*checkout_pack == Some(p.id)}
                            disabled={checkout_pack.is_some() && *checkout_pack != Some(p.id)}
                            {error} onbuy={onbuy.clone()} />
                    }
                }) }
            </div>
        }
    });

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

/// Asks for purchase `id` until it is settled (or about a minute has
/// passed) while `alive`; 401 signs out.
async fn poll_purchase(
    api: crate::api::Api,
    id: PurchaseId,
    alive: std::rc::Rc<std::cell::Cell<bool>>,
) -> Option<Poll> {
    for attempt in 0..POLL_ATTEMPTS {
        if attempt > 0 {
            sleep(POLL_INTERVAL_MS).await;
        }
        if !alive.get() {
            return None;
        }
        let result = api.purchase(id).await;
        if !alive.get() {
            return None;
        }
        let p = match result {
            Ok(p) => p,
            Err(e) if e.is_unauthenticated() => return Some(Poll::Error(e)),
            Err(e) if e.is_not_found() => return Some(Poll::NotFound),
            Err(e) if e.is_refused() => return Some(Poll::Error(e)),
            Err(_) => continue, // network or server hiccup: keep trying
        };
        match p.status {
            PurchaseStatus::Paid => {
                let credits = api.credits().await.ok();
                return alive.get().then_some(Poll::Paid {
                    purchase: p,
                    credits,
                });
            }
            PurchaseStatus::Failed => return Some(Poll::Failed),
            PurchaseStatus::Expired => return Some(Poll::Expired),
            PurchaseStatus::Pending => {} // ask again
        }
    }
    Some(Poll::TimedOut)
}

/// A settled purchase's message: (`data-testid`, alert class, role, text).
fn poll_message(state: &Poll) -> Option<(&'static str, &'static str, &'static str, &'static str)> {
    Some(match state {
        Poll::Failed => ("purchase-failed", "alert-error", "alert",
            "Your payment didn't go through, so no minutes were added. You can try again, with another card if needed."),
        Poll::Expired => ("purchase-expired", "alert-error", "alert",
            "This checkout expired before the payment was completed. You were not charged."),
        Poll::TimedOut => ("purchase-timeout", "alert-info", "status",
            "Your payment is being confirmed; your balance will update shortly."),
        Poll::NotFound => ("purchase-not-found", "alert-error", "alert",
            "We couldn't find this purchase on your account. If you were charged, your minutes will still be added."),
        Poll::BadLink => ("purchase-not-found", "alert-error", "alert",
            "This link is incomplete: it has no purchase id."),
        _ => return None,
    })
}

fn poll_title(state: &Poll) -> &'static str {
    match state {
        Poll::Waiting => "Thank you!",
        Poll::Paid { .. } => "Minutes added",
        Poll::Failed => "Payment failed",
        Poll::Expired => "Checkout expired",
        Poll::TimedOut => "Almost there",
        Poll::NotFound | Poll::BadLink => "Purchase not found",
        Poll::Error(_) => "Something went wrong",
    }
}

#[function_component(CreditsSuccessPage)]
pub fn credits_success_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let location = use_location();
    let purchase_id = location
        .and_then(|l| l.query::<SuccessQuery>().ok())
        .and_then(|q| q.purchase_id)
        .and_then(|id| id.trim().parse::<PurchaseId>().ok());
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
                        match poll_purchase(api, id, alive).await {
                            Some(Poll::Error(e)) if e.is_unauthenticated() => {
                                session.dispatch(SessionAction::SignedOut)
                            }
                            Some(done) => state.set(done),
                            None => {}
                        }
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

    let body = match (&*state, poll_message(&state)) {
        (_, Some((testid, class, role, text))) => html! {
            <>
                <div class={classes!("alert", class)} {role} data-testid={testid}>
                    <p>{ text }</p>
                </div>
                { back }
            </>
        },
        (Poll::Waiting, _) => html! {
            <div data-testid="purchase-pending">
                <Loading label="Payment received — adding your minutes…" />
            </div>
        },
        (Poll::Paid { purchase, credits }, _) => html! {
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
        (Poll::Error(e), _) => html! {
            <>
                { failure(e) }
                { back }
            </>
        },
        _ => back,
    };

    html! {
        <Card title={poll_title(&state)} narrow=true testid="credits-success-page">
            { body }
        </Card>
    }
}
