//! The bar at the top of every page: brand, navigation, account and sign-out,
//! and the app-wide notice under it.

use shared::api::Role;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::session::{use_session, SessionAction, Status};
use crate::Route;

#[function_component(TopBar)]
pub fn top_bar() -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let route = use_route::<Route>();
    let busy = use_state(|| false);

    let nav_link = |to: Route, label: &str, testid: &str| {
        let active = route.as_ref().map(Route::section).as_ref() == Some(&to);
        html! {
            <Link<Route> to={to} classes={classes!("nav-link", active.then_some("active"))}>
                <span data-testid={testid.to_string()}>{ label.to_string() }</span>
            </Link<Route>>
        }
    };

    let logout = {
        let session = session.clone();
        let busy = busy.clone();
        Callback::from(move |_: MouseEvent| {
            if *busy {
                return;
            }
            busy.set(true);
            let session = session.clone();
            let busy = busy.clone();
            let navigator = navigator.clone();
            let api = session.api();
            yew::platform::spawn_local(async move {
                let result = api.logout().await;
                busy.set(false);
                match result {
                    Err(e) if !e.is_unauthenticated() && !e.is_csrf_failed() => {
                        session.dispatch(SessionAction::Notice(Some(format!(
                            "We couldn't sign you out: {}",
                            e.message
                        ))));
                    }
                    _ => {
                        session.dispatch(SessionAction::SignedOut);
                        if let Some(nav) = navigator {
                            nav.push(&Route::Login);
                        }
                    }
                }
            });
        })
    };

    let right = match &session.status {
        Status::SignedIn(me) => html! {
            <>
                <nav class="nav" aria-label="Main">
                    { nav_link(Route::Home, "Home", "nav-home") }
                    { nav_link(Route::Agents, "Agents", "nav-agents") }
                    { nav_link(Route::Calls, "Calls", "nav-calls") }
                    { nav_link(Route::Messages, "Messages", "nav-messages") }
                    { nav_link(Route::Credits, "Credits", "nav-credits") }
                    { nav_link(Route::ChangePassword, "Password", "nav-password") }
                    if me.user.role == Role::Admin {
                        { nav_link(Route::AdminUsers, "Users", "nav-admin-users") }
                        { nav_link(Route::AdminPacks, "Packs", "nav-admin-packs") }
                        { nav_link(Route::AdminAgents, "All agents", "nav-admin-agents") }
                        { nav_link(Route::AdminNumbers, "Numbers", "nav-admin-numbers") }
                    }
                </nav>
                <div class="account">
                    <span class="account-email" title={me.user.email.clone()}>{ &me.user.email }</span>
                    <button type="button" class="btn btn-secondary btn-small" data-testid="logout"
                        onclick={logout} disabled={*busy}>
                        { if *busy { "Signing out…" } else { "Log out" } }
                    </button>
                </div>
            </>
        },
        Status::Loading => html! {},
        _ => html! {
            <nav class="nav" aria-label="Main">
                { nav_link(Route::Login, "Log in", "nav-login") }
                { nav_link(Route::Signup, "Sign up", "nav-signup") }
            </nav>
        },
    };

    let notice = session.notice.clone().map(|text| {
        let session = session.clone();
        let dismiss =
            Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::Notice(None)));
        html! {
            <div class="notice" role="alert" data-testid="notice">
                <span>{ text }</span>
                <button type="button" class="btn-link" onclick={dismiss}>{ "Dismiss" }</button>
            </div>
        }
    });

    html! {
        <>
            <header class="topbar">
                <div class="topbar-inner">
                    <Link<Route> to={Route::Home} classes="brand">
                        <span class="brand-mark" aria-hidden="true">{ "K" }</span>
                        <span data-testid="brand">{ "Kametrix" }</span>
                    </Link<Route>>
                    { right }
                </div>
            </header>
            { for notice }
        </>
    }
}
