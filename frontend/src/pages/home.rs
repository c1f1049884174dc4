//! `/`: the signed-in owner's dashboard.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{fmt_date, role_label, Card, ErrorAlert, Success};
use crate::hooks::{use_action, use_signed_in};
use crate::Route;

#[function_component(HomePage)]
pub fn home_page() -> Html {
    let gate = use_signed_in();
    let resend_action = use_action();

    let me = match gate {
        Ok(me) => me,
        Err(other) => return other,
    };

    let resend = {
        let action = resend_action.clone();
        Callback::from(move |_: MouseEvent| {
            if action.busy() {
                return;
            }
            action.set_done(None);
            let done = action.clone();
            action.run(
                |api| async move { api.resend_verification().await },
                move |m| done.set_done(m.message),
            );
        })
    };
    let resend_busy = resend_action.busy();

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
                        if let Some(message) = resend_action.done() {
                            <Success><p>{ message }</p></Success>
                        } else if let Some(e) = resend_action.error() {
                            <ErrorAlert message={e.message} />
                        }
                    </div>
                    <button type="button" class="btn btn-secondary" data-testid="resend-verification"
                        onclick={resend} disabled={resend_busy}>
                        { if resend_busy { "Sending…" } else { "Resend email" } }
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
