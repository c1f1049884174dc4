//! Kametrix dashboard: a Yew single-page app served from the same origin as
//! `/api`. One page per route (`pages`, which never import each other),
//! shared components (`components`) and hooks (`hooks`: loading a request,
//! running an action, the sign-in gate), one typed API client (`api`), the
//! query strings pages link with (`queries`) and the session state (`session`).

mod api;
mod components;
mod hooks;
mod pages;
mod queries;
mod session;
mod units;

use yew::prelude::*;
use yew_router::prelude::*;

use components::TopBar;
use session::SessionProvider;

#[derive(Debug, Clone, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/login")]
    Login,
    #[at("/signup")]
    Signup,
    #[at("/forgot")]
    Forgot,
    #[at("/reset")]
    Reset,
    #[at("/verify")]
    Verify,
    #[at("/settings/password")]
    ChangePassword,
    #[at("/admin/users")]
    AdminUsers,
    #[at("/admin/users/:id")]
    AdminUser { id: String },
    #[at("/credits")]
    Credits,
    #[at("/credits/success")]
    CreditsSuccess,
    #[at("/admin/packs")]
    AdminPacks,
    #[at("/agents")]
    Agents,
    #[at("/agents/:id")]
    Agent { id: String },
    #[at("/calls")]
    Calls,
    #[at("/calls/:id")]
    Call { id: String },
    #[at("/messages")]
    Messages,
    #[at("/admin/agents")]
    AdminAgents,
    #[at("/admin/numbers")]
    AdminNumbers,
    #[not_found]
    #[at("/404")]
    NotFound,
}

impl Route {
    /// The top-bar entry a page belongs to (a detail page to its list).
    pub fn section(&self) -> Route {
        match self {
            Route::AdminUser { .. } => Route::AdminUsers,
            Route::CreditsSuccess => Route::Credits,
            Route::Agent { .. } => Route::Agents,
            Route::Call { .. } => Route::Calls,
            other => other.clone(),
        }
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <pages::home::HomePage /> },
        Route::Login => html! { <pages::auth::LoginPage /> },
        Route::Signup => html! { <pages::auth::SignupPage /> },
        Route::Forgot => html! { <pages::auth::ForgotPage /> },
        Route::Reset => html! { <pages::auth::ResetPage /> },
        Route::Verify => html! { <pages::auth::VerifyPage /> },
        Route::ChangePassword => html! { <pages::settings::ChangePasswordPage /> },
        Route::AdminUsers => html! { <pages::admin::AdminUsersPage /> },
        Route::AdminUser { id } => html! { <pages::admin::AdminUserDetailPage {id} /> },
        Route::Credits => html! { <pages::credits::CreditsPage /> },
        Route::CreditsSuccess => html! { <pages::credits::CreditsSuccessPage /> },
        Route::AdminPacks => html! { <pages::admin_packs::AdminPacksPage /> },
        Route::Agents => html! { <pages::agents::AgentsPage /> },
        Route::Agent { id } => html! { <pages::agent::AgentPage {id} /> },
        Route::Calls => html! { <pages::calls::CallsPage /> },
        Route::Call { id } => html! { <pages::calls::CallDetailPage {id} /> },
        Route::Messages => html! { <pages::messages::MessagesPage /> },
        Route::AdminAgents => html! { <pages::admin_agents::AdminAgentsPage /> },
        Route::AdminNumbers => html! { <pages::admin_agents::AdminNumbersPage /> },
        Route::NotFound => html! { <pages::not_found::NotFoundPage /> },
    }
}

#[function_component(App)]
fn app() -> Html {
    html! {
        <BrowserRouter>
            <SessionProvider>
                <TopBar />
                <main class="main" id="main">
                    <Switch<Route> render={switch} />
                </main>
                <footer class="footer">{ "Kametrix — your AI receptionist" }</footer>
            </SessionProvider>
        </BrowserRouter>
    }
}

fn main() {
    // index.html shows "Loading…" in #app until the app takes over.
    let root = mount_root();
    root.set_inner_html("");
    yew::Renderer::<App>::with_root(root).render();
}

fn mount_root() -> web_sys::Element {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("no document");
    document
        .get_element_by_id("app")
        .or_else(|| document.body().map(Into::into))
        .expect("no #app element and no body")
}
