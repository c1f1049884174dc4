//! Pages reachable without a session: sign up, log in, forgot password,
//! reset password (link from email) and verify email (link from email).

use std::future::Future;

use serde::Deserialize;
use shared::api::{
    ForgotPasswordRequest, LoginRequest, Me, MessageResponse, ResetPasswordRequest, SignupRequest,
    VerifyEmailRequest, VerifyEmailResponse,
};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{Api, ApiError, ApiResult};
use crate::components::{
    field_error, invalid_fields, Card, ErrorAlert, Field, FormError, FormValues, Loading,
    SubmitButton, Success,
};
use crate::hooks::{use_action, Action};
use crate::session::{use_session, SessionAction, SessionHandle, Status};
use crate::Route;

/// `?token=…` of the links in emails.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

#[hook]
fn use_token() -> Option<String> {
    let location = use_location();
    location
        .and_then(|l| l.query::<TokenQuery>().ok())
        .and_then(|q| q.token)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// What a successful log in or sign up does: the session is the new one,
/// and the dashboard is next.
fn signed_in(session: &SessionHandle, navigator: &Option<Navigator>) -> impl Fn(Me) + Clone {
    let (session, navigator) = (session.clone(), navigator.clone());
    move |me: Me| {
        session.dispatch(SessionAction::SignedIn(me));
        if let Some(nav) = &navigator {
            nav.push(&Route::Home);
        }
    }
}

/// The form of log in and sign up: `read` makes the request, `send` sends
/// it. Stays busy while the dashboard opens; every error (a 401 for a wrong
/// password too) is shown on the form.
#[hook]
fn use_sign_in_form<R, Fut>(
    read: impl Fn(&FormValues) -> R + 'static,
    send: impl Fn(Api, R) -> Fut + Clone + 'static,
) -> (Action, Callback<SubmitEvent>)
where
    R: 'static,
    Fut: Future<Output = ApiResult<Me>> + 'static,
{
    let session = use_session();
    let navigator = use_navigator();
    let action = use_action().public().leaving();
    let onsubmit = action.on_submit(
        move |values| Ok(read(values)),
        send,
        signed_in(&session, &navigator),
    );
    (action, onsubmit)
}

/// What a successful "forgot" or "reset" does: shows the API's message.
fn show_message(action: &Action) -> impl Fn(MessageResponse) + Clone {
    let action = action.clone();
    move |m: MessageResponse| action.set_done(m.message)
}

// ---- log in ----------------------------------------------------------------

#[function_component(LoginPage)]
pub fn login_page() -> Html {
    let session = use_session();
    let (action, onsubmit) = use_sign_in_form(
        |values| LoginRequest {
            email: values.get("email").trim().to_string(),
            password: values.get("password"),
        },
        |api, request| async move { api.login(&request).await },
    );
    let (busy, error) = (action.busy(), action.error());

    if session.me().is_some() && !busy {
        return html! { <Redirect<Route> to={Route::Home} /> };
    }

    html! {
        <Card title="Log in" subtitle="Welcome back to Kametrix." narrow=true testid="login-page">
            <form class="form" onsubmit={onsubmit} novalidate=true data-testid="login-form">
                <FormError error={error.clone()} shown_fields={&["email", "password"][..]} />
                <Field name="email" label="Email" input_type="email" autocomplete="email"
                    autofocus=true error={field_error(&error, "email")} />
                <Field name="password" label="Password" input_type="password"
                    autocomplete="current-password" error={field_error(&error, "password")} />
                <SubmitButton label="Log in" busy_label="Signing in…" {busy} />
            </form>
            <div class="form-links">
                <Link<Route> to={Route::Forgot}>{ "Forgot your password?" }</Link<Route>>
                <span>
                    { "New to Kametrix? " }
                    <Link<Route> to={Route::Signup}>{ "Create an account" }</Link<Route>>
                </span>
            </div>
        </Card>
    }
}

// ---- sign up ---------------------------------------------------------------

#[function_component(SignupPage)]
pub fn signup_page() -> Html {
    let session = use_session();
    let (action, onsubmit) = use_sign_in_form(
        |values| SignupRequest {
            email: values.get("email").trim().to_string(),
            password: values.get("password"),
            business_name: values.get("business_name").trim().to_string(),
        },
        |api, request| async move { api.signup(&request).await },
    );
    let (busy, error) = (action.busy(), action.error());

    if session.me().is_some() && !busy {
        return html! { <Redirect<Route> to={Route::Home} /> };
    }

    html! {
        <Card title="Create your account"
            subtitle="Set up your AI receptionist in a few minutes." narrow=true testid="signup-page">
            <form class="form" onsubmit={onsubmit} novalidate=true data-testid="signup-form">
                <FormError error={error.clone()}
                    shown_fields={&["email", "password", "business_name"][..]} />
                <Field name="business_name" label="Business name" autocomplete="organization"
                    autofocus=true hint="As your callers know it, e.g. “Sunny Smile Dental”."
                    error={field_error(&error, "business_name")} />
                <Field name="email" label="Email" input_type="email" autocomplete="email"
                    error={field_error(&error, "email")} />
                <Field name="password" label="Password" input_type="password"
                    autocomplete="new-password" hint="At least 10 characters."
                    error={field_error(&error, "password")} />
                <SubmitButton label="Create account" busy_label="Creating account…" {busy} />
            </form>
            <div class="form-links">
                <span>
                    { "Already have an account? " }
                    <Link<Route> to={Route::Login}>{ "Log in" }</Link<Route>>
                </span>
            </div>
        </Card>
    }
}

// ---- forgot password -------------------------------------------------------

#[function_component(ForgotPage)]
pub fn forgot_page() -> Html {
    let action = use_action().public();
    let onsubmit = action.on_submit(
        |values| {
            Ok(ForgotPasswordRequest {
                email: values.get("email").trim().to_string(),
            })
        },
        |api, request| async move { api.forgot_password(&request).await },
        show_message(&action),
    );
    let (busy, error) = (action.busy(), action.error());

    html! {
        <Card title="Forgot your password?" narrow=true testid="forgot-page"
            subtitle="Enter the email you signed up with and we'll send you a link to choose a new password.">
            if let Some(message) = action.done() {
                <Success><p>{ message }</p></Success>
                <p class="muted">{ "The link works for one hour. Check your spam folder if you don't see it." }</p>
                <div class="form-links">
                    <Link<Route> to={Route::Login}>{ "Back to log in" }</Link<Route>>
                </div>
            } else {
                <form class="form" onsubmit={onsubmit} novalidate=true data-testid="forgot-form">
                    <FormError error={error.clone()} shown_fields={&["email"][..]} />
                    <Field name="email" label="Email" input_type="email" autocomplete="email"
                        autofocus=true error={field_error(&error, "email")} />
                    <SubmitButton label="Send reset link" busy_label="Sending…" {busy} />
                </form>
                <div class="form-links">
                    <Link<Route> to={Route::Login}>{ "Back to log in" }</Link<Route>>
                </div>
            }
        </Card>
    }
}

// ---- reset password --------------------------------------------------------

#[function_component(ResetPage)]
pub fn reset_page() -> Html {
    let token = use_token();
    let action = use_action().public();

    let Some(token) = token else {
        return html! {
            <Card title="Choose a new password" narrow=true testid="reset-page">
                <ErrorAlert message="This link is incomplete. Please use the full link from the email, or ask for a new one." />
                <div class="form-links">
                    <Link<Route> to={Route::Forgot}>{ "Send me a new link" }</Link<Route>>
                </div>
            </Card>
        };
    };

    let onsubmit = action.on_submit(
        move |values| {
            let new_password = values.get("new_password");
            if new_password != values.get("confirm_password") {
                return Err(invalid_fields(&[(
                    "confirm_password",
                    "The two passwords don't match.",
                )]));
            }
            Ok(ResetPasswordRequest {
                token: token.clone(),
                new_password,
            })
        },
        |api, request| async move { api.reset_password(&request).await },
        show_message(&action),
    );
    let (busy, error) = (action.busy(), action.error());

    let token_problem = error.as_ref().is_some_and(ApiError::is_invalid_token);

    html! {
        <Card title="Choose a new password" narrow=true testid="reset-page"
            subtitle="Pick a password you don't use anywhere else.">
            if let Some(message) = action.done() {
                <Success>
                    <p>{ message }</p>
                </Success>
                <div class="actions">
                    <Link<Route> to={Route::Login} classes="btn btn-primary">{ "Log in" }</Link<Route>>
                </div>
            } else {
                <form class="form" onsubmit={onsubmit} novalidate=true data-testid="reset-form">
                    <FormError error={error.clone()}
                        shown_fields={&["new_password", "confirm_password"][..]} />
                    if token_problem {
                        <p class="form-links">
                            <Link<Route> to={Route::Forgot}>{ "Send me a new link" }</Link<Route>>
                        </p>
                    }
                    <Field name="new_password" label="New password" input_type="password"
                        autocomplete="new-password" autofocus=true hint="At least 10 characters."
                        error={field_error(&error, "new_password")} />
                    <Field name="confirm_password" label="Confirm new password" input_type="password"
                        autocomplete="new-password" error={field_error(&error, "confirm_password")} />
                    <SubmitButton label="Set new password" busy_label="Saving…" {busy} />
                </form>
            }
        </Card>
    }
}

// ---- verify email ----------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum VerifyState {
    Working,
    Done(VerifyEmailResponse),
    Failed(ApiError),
}

#[function_component(VerifyPage)]
pub fn verify_page() -> Html {
    let session = use_session();
    let token = use_token();
    let state = use_state(|| VerifyState::Working);
    let started = use_mut_ref(|| false);

    // Wait until we know whether there is a session, so that the request
    // carries its CSRF token when there is one.
    let session_known = session.status != Status::Loading;
    {
        let session = session.clone();
        let state = state.clone();
        let token = token.clone();
        use_effect_with(session_known, move |known| {
            if *known && !*started.borrow() {
                *started.borrow_mut() = true;
                match token {
                    None => state.set(VerifyState::Failed(ApiError::local(
                        "This link is incomplete. Please use the full link from the email.",
                    ))),
                    Some(token) => {
                        let api = session.api();
                        let signed_in = session.me().is_some();
                        yew::platform::spawn_local(async move {
                            match api.verify_email(&VerifyEmailRequest { token }).await {
                                Ok(done) => {
                                    state.set(VerifyState::Done(done));
                                    if signed_in {
                                        // Drop the "please verify" banner.
                                        session.dispatch(SessionAction::Reload);
                                    }
                                }
                                Err(e) => state.set(VerifyState::Failed(e)),
                            }
                        });
                    }
                }
            }
        });
    }

    let next = if session.me().is_some() {
        html! { <Link<Route> to={Route::Home} classes="btn btn-primary">{ "Go to your dashboard" }</Link<Route>> }
    } else {
        html! { <Link<Route> to={Route::Login} classes="btn btn-primary">{ "Log in" }</Link<Route>> }
    };

    html! {
        <Card title="Verify your email" narrow=true testid="verify-page">
            {
                match &*state {
                    VerifyState::Working => html! { <Loading label="Verifying your email…" /> },
                    VerifyState::Done(done) => html! {
                        <>
                            <Success>
                                <p>{ &done.message }</p>
                                <p>{ "Verified: " }<strong data-testid="verified-email">{ &done.email }</strong></p>
                            </Success>
                            <div class="actions">{ next }</div>
                        </>
                    },
                    VerifyState::Failed(e) => html! {
                        <>
                            <ErrorAlert message={e.message.clone()} />
                            if e.is_invalid_token() {
                                <p class="muted">{ "Verification links work once. If you're signed in, you can send a new one from your dashboard." }</p>
                            }
                            <div class="actions">{ next }</div>
                        </>
                    },
                }
            }
        </Card>
    }
}
