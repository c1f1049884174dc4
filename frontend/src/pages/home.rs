//! `/`: the signed-in owner's dashboard.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::ApiError;
use crate::components::{fmt_date, role_label, use_signed_in, Card, Success};
use crate::session::{use_session, SessionAction};
use crate::Route;

#[function_component(HomePage)]
pub fn home_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let resend_busy = use_state(|| false);
    let resend_result = use_state(|| None::<Result<String, ApiError>>);

    let me = match gate {
        Ok(me) => me,
        Err(other) => return other,
    };

    let resend = {
        let session = session.clone();
        let busy = resend_busy.clone();
        let result = resend_result.clone();
        Callback::from(move |_: MouseEvent| {
            if *busy {
                return;
            }
            busy.set(true);
            result.set(None);
            let (session, busy, result) = (session.clone(), busy.clone(), result.clone());
            let api = session.api();
            yew::platform::spawn_local(async move {
                let r = api.resend_verification().await;
                busy.set(false);
                if let Err(e) = &r {
                    if e.is_unauthenticated() {
                        session.dispatch(SessionAction::SignedOut);
                        return;
                    }
                }
                result.set(Some(r.map(|m| m.message)));
            });
        })
    };

    let user = &me.user;
    html! {
        <div class="stack">
            if !user.email_verified {
                <div class="banner" role="status" data-testid="verify-banner">
                    <div class="banner-text">
                        <strong>{ "Please verify your email" }</strong>
                        <span>
                            { " — we sent a link to " }
                            <strong>{ &user.email }</strong>
                            { ". Click it to confirm this address is yours." }
                        </span>
                        {
                            match &*resend_result {
                                Some(Ok(message)) => html! {
                                    <Success><p>{ message }</p></Success>
                                },
                                Some(Err(e)) => html! {
                                    <div class="alert alert-error" role="alert" data-testid="form-error">
                                        <p>{ &e.message }</p>
                                    </div>
                                },
                                None => html! {},
                            }
                        }
                    </div>
                    <button type="button" class="btn btn-secondary" data-testid="resend-verification"
                        onclick={resend} disabled={*resend_busy}>
                        { if *resend_busy { "Sending…" } else { "Resend email" } }
                    </button>
                </div>
            }
            <section class="card" data-testid="home-page">
                <p class="eyebrow">{ "Welcome back" }</p>
                <h1 class="card-title">
                    { "Hello, " }
                    <span data-testid="business-name">{ &me.account.business_name }</span>
                </h1>
                <p class="card-subtitle">
                    { "This is your Kametrix dashboard. Your AI receptionist's settings, calls and bookings will show up here." }
                </p>
            </section>
            <Card title="Your account">
                <dl class="details">
                    <div><dt>{ "Email" }</dt><dd data-testid="account-email">{ &user.email }</dd></div>
                    <div><dt>{ "Role" }</dt><dd data-testid="account-role">{ role_label(&user.role) }</dd></div>
                    <div>
                        <dt>{ "Email verified" }</dt>
                        <dd data-testid="account-verified">
                            { if user.email_verified { "Yes" } else { "Not yet" } }
                        </dd>
                    </div>
                    <div><dt>{ "Business" }</dt><dd>{ &me.account.business_name }</dd></div>
                    <div><dt>{ "Member since" }</dt><dd>{ fmt_date(&user.created_at) }</dd></div>
                </dl>
                <div class="actions">
                    <Link<Route> to={Route::ChangePassword} classes="btn btn-secondary">
                        { "Change password" }
                    </Link<Route>>
                </div>
            </Card>
        </div>
    }
}
