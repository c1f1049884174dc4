//! Building blocks shared by the pages: the top bar, form fields, messages,
//! loading states, the pager, searchable lists, the sign-in gate and
//! formatting helpers.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use gloo_timers::callback::Timeout;
use serde::{Deserialize, Serialize};
use shared::api::{Me, Role};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{FormData, HtmlFormElement, HtmlInputElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::ApiError;
use crate::session::{use_session, SessionAction, SessionHandle, Status};
use crate::Route;

// ---- top bar ---------------------------------------------------------------

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
                    Err(e) if !e.is_unauthenticated() && e.code != "csrf_failed" => {
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

// ---- layout ----------------------------------------------------------------

#[derive(Properties, PartialEq)]
pub struct CardProps {
    pub title: AttrValue,
    #[prop_or_default]
    pub subtitle: Option<AttrValue>,
    #[prop_or_default]
    pub narrow: bool,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub children: Html,
}

/// A page's main card with its heading.
#[function_component(Card)]
pub fn card(props: &CardProps) -> Html {
    html! {
        <section class={classes!("card", props.narrow.then_some("card-narrow"))}
            data-testid={props.testid.clone()}>
            <h1 class="card-title">{ props.title.clone() }</h1>
            if let Some(sub) = &props.subtitle {
                <p class="card-subtitle">{ sub.clone() }</p>
            }
            { props.children.clone() }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct LoadingProps {
    #[prop_or(AttrValue::Static("Loading…"))]
    pub label: AttrValue,
}

#[function_component(Loading)]
pub fn loading(props: &LoadingProps) -> Html {
    html! {
        <div class="loading" role="status" aria-live="polite" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            <span>{ props.label.clone() }</span>
        </div>
    }
}

/// Something fetched for a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Loaded(T),
    Failed(ApiError),
}

/// Hands a request's result to `set` as a [`Load`]; a 401 signs the session
/// out instead (the page's sign-in gate then goes to /login).
pub fn set_load<T>(
    session: &SessionHandle,
    result: Result<T, ApiError>,
    set: impl FnOnce(Load<T>),
) {
    match result {
        Ok(value) => set(Load::Loaded(value)),
        Err(e) if e.is_unauthenticated() => session.dispatch(SessionAction::SignedOut),
        Err(e) => set(Load::Failed(e)),
    }
}

#[derive(Properties, PartialEq)]
pub struct PagerProps {
    pub page: i64,
    pub total: i64,
    pub per_page: i64,
    pub onchange: Callback<i64>,
}

/// "← Previous · Page x of y · Next →" (`prev-page`, `page-info`, `next-page`).
#[function_component(Pager)]
pub fn pager(props: &PagerProps) -> Html {
    let per_page = props.per_page.max(1);
    let total_pages = ((props.total + per_page - 1) / per_page).max(1);
    let current = props.page.max(1);
    let go = |to: i64| {
        let onchange = props.onchange.clone();
        Callback::from(move |_: MouseEvent| onchange.emit(to))
    };
    html! {
        <nav class="pager" aria-label="Pages">
            <button type="button" class="btn btn-secondary" data-testid="prev-page"
                onclick={go(current - 1)} disabled={current <= 1}>{ "← Previous" }</button>
            <span data-testid="page-info">{ format!("Page {current} of {total_pages}") }</span>
            <button type="button" class="btn btn-secondary" data-testid="next-page"
                onclick={go(current + 1)} disabled={current >= total_pages}>{ "Next →" }</button>
        </nav>
    }
}

// ---- searchable lists ------------------------------------------------------

const SEARCH_DEBOUNCE_MS: u32 = 350;

/// A searchable list's state lives in the URL: `?q=…&page=…`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
}

/// A searchable list's search and page (from [`use_list_query`]).
pub struct ListSearch {
    /// The search in the URL, trimmed.
    pub q: String,
    /// The page in the URL (1 or more).
    pub page: i64,
    /// What the search box shows.
    pub text: String,
    /// The search box's `oninput`: searches once typing pauses.
    pub oninput: Callback<InputEvent>,
    /// The search form's `onsubmit`: searches now.
    pub onsubmit: Callback<SubmitEvent>,
    /// Goes to a page of the current search (a [`Pager`]'s `onchange`).
    pub onpage: Callback<i64>,
}

/// The search and page of the list at `route` (`/admin/users`,
/// `/admin/agents`), kept in the URL; a new search starts at page 1.
#[hook]
pub fn use_list_query(route: Route) -> ListSearch {
    let navigator = use_navigator();
    let location = use_location();
    let query = location
        .and_then(|l| l.query::<ListQuery>().ok())
        .unwrap_or_default();
    let q = query.q.clone().unwrap_or_default().trim().to_string();
    let page = query.page.unwrap_or(1).max(1);

    let search = use_state(|| q.clone());
    // The `q` this page last put in the URL: a different one came from
    // elsewhere (back button, a link) and replaces what is in the box.
    let pushed_q = use_mut_ref(|| q.clone());
    let debounce: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);

    {
        let search = search.clone();
        let pushed_q = pushed_q.clone();
        use_effect_with(q.clone(), move |q| {
            if *pushed_q.borrow() != *q {
                *pushed_q.borrow_mut() = q.clone();
                search.set(q.clone());
            }
        });
    }

    let go = Rc::new(move |q: String, page: i64| {
        let q = q.trim().to_string();
        *pushed_q.borrow_mut() = q.clone();
        let query = ListQuery {
            q: (!q.is_empty()).then_some(q),
            page: (page > 1).then_some(page),
        };
        if let Some(nav) = &navigator {
            let _ = nav.push_with_query(&route, &query);
        }
    });

    let oninput = {
        let (search, debounce, go) = (search.clone(), debounce.clone(), go.clone());
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            search.set(value.clone());
            let go = go.clone();
            let timeout = Timeout::new(SEARCH_DEBOUNCE_MS, move || go(value, 1));
            // Dropping the previous timeout cancels it.
            *debounce.borrow_mut() = Some(timeout);
        })
    };
    let onsubmit = {
        let (search, go) = (search.clone(), go.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            debounce.borrow_mut().take();
            go((*search).clone(), 1);
        })
    };
    let onpage = {
        let q = q.clone();
        Callback::from(move |to: i64| go(q.clone(), to.max(1)))
    };

    ListSearch {
        q,
        page,
        text: (*search).clone(),
        oninput,
        onsubmit,
        onpage,
    }
}

// ---- forms -----------------------------------------------------------------

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    /// Used as `id` (unless `id` is given), `name` and in
    /// `data-testid="field-error-<name>"`.
    pub name: AttrValue,
    /// The input's `id` when it differs from `name` (e.g. `name` is a JSON
    /// path like `profile.timezone`, `id` is `profile-timezone`).
    #[prop_or_default]
    pub id: Option<AttrValue>,
    /// `list`: the id of a `<datalist>` of suggestions.
    #[prop_or_default]
    pub list: Option<AttrValue>,
    /// Rows of a `<textarea>` (3 unless given).
    #[prop_or_default]
    pub rows: Option<u32>,
    pub label: AttrValue,
    #[prop_or(AttrValue::Static("text"))]
    pub input_type: AttrValue,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub error: Option<String>,
    #[prop_or_default]
    pub autofocus: bool,
    #[prop_or_default]
    pub oninput: Option<Callback<InputEvent>>,
    #[prop_or_default]
    pub value: Option<AttrValue>,
    /// `inputmode` (e.g. `decimal` for amounts: the right phone keyboard).
    #[prop_or_default]
    pub inputmode: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    /// A `<textarea>` instead of an `<input>`.
    #[prop_or_default]
    pub multiline: bool,
}

/// A labelled input with its hint and its error message.
#[function_component(Field)]
pub fn field(props: &FieldProps) -> Html {
    let name = props.name.clone();
    let id = props.id.clone().unwrap_or_else(|| name.clone());
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = match (&props.error, &props.hint) {
        (Some(_), _) => Some(error_id.clone()),
        (None, Some(_)) => Some(hint_id.clone()),
        _ => None,
    };
    html! {
        <div class={classes!("field", props.error.is_some().then_some("field-invalid"))}>
            <label for={id.clone()}>{ props.label.clone() }</label>
            if props.multiline {
                <textarea
                    id={id.clone()}
                    name={name.clone()}
                    rows={props.rows.unwrap_or(3).to_string()}
                    autofocus={props.autofocus}
                    placeholder={props.placeholder.clone()}
                    value={props.value.clone()}
                    oninput={props.oninput.clone()}
                    aria-invalid={props.error.is_some().then_some("true")}
                    aria-describedby={described_by}
                />
            } else {
                <input
                    id={id.clone()}
                    name={name.clone()}
                    type={props.input_type.clone()}
                    list={props.list.clone()}
                    autocomplete={props.autocomplete.clone()}
                    autofocus={props.autofocus}
                    inputmode={props.inputmode.clone()}
                    placeholder={props.placeholder.clone()}
                    value={props.value.clone()}
                    oninput={props.oninput.clone()}
                    aria-invalid={props.error.is_some().then_some("true")}
                    aria-describedby={described_by}
                />
            }
            if let Some(err) = &props.error {
                <p class="field-error" id={error_id} data-testid={format!("field-error-{name}")}>
                    { err.clone() }
                </p>
            } else if let Some(hint) = &props.hint {
                <p class="field-hint" id={hint_id}>{ hint.clone() }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct FormErrorProps {
    pub error: Option<ApiError>,
    /// Fields that have an input on this form (their errors show there);
    /// errors for any other field are listed here.
    #[prop_or_default]
    pub shown_fields: &'static [&'static str],
}

/// The form-level error: the API's `message`, plus field errors that have no
/// input of their own on the form.
#[function_component(FormError)]
pub fn form_error(props: &FormErrorProps) -> Html {
    let Some(err) = &props.error else {
        return html! {};
    };
    let others: Vec<_> = err
        .fields
        .iter()
        .filter(|(k, _)| !props.shown_fields.contains(&k.as_str()))
        .collect();
    html! {
        <div class="alert alert-error" role="alert" data-testid="form-error">
            <p>{ &err.message }</p>
            if !others.is_empty() {
                <ul>
                    { for others.iter().map(|(_, v)| html! { <li>{ v.as_str() }</li> }) }
                </ul>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SuccessProps {
    #[prop_or_default]
    pub children: Html,
}

#[function_component(Success)]
pub fn success(props: &SuccessProps) -> Html {
    html! {
        <div class="alert alert-success" role="status" data-testid="success">
            { props.children.clone() }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SubmitProps {
    pub label: AttrValue,
    pub busy_label: AttrValue,
    pub busy: bool,
}

/// The form's submit button; disabled with a "…ing" label while busy.
#[function_component(SubmitButton)]
pub fn submit_button(props: &SubmitProps) -> Html {
    html! {
        <button type="submit" class="btn btn-primary btn-block" disabled={props.busy}
            aria-busy={props.busy.then_some("true")}>
            if props.busy {
                <span class="spinner spinner-light" aria-hidden="true"></span>
                { props.busy_label.clone() }
            } else {
                { props.label.clone() }
            }
        </button>
    }
}

/// Values of a submitted form by input name. Reading the form itself (rather
/// than tracking every keystroke) also picks up what the browser autofilled.
pub struct FormValues(Option<FormData>);

impl FormValues {
    /// Stops the browser's own submission and reads the form.
    pub fn from_submit(e: &SubmitEvent) -> Self {
        e.prevent_default();
        let data = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            .and_then(|form| FormData::new_with_form(&form).ok());
        FormValues(data)
    }

    pub fn get(&self, name: &str) -> String {
        self.0
            .as_ref()
            .and_then(|d| d.get(name).as_string())
            .unwrap_or_default()
    }
}

/// A client-side `validation_failed`: `fields` are (input name, message).
pub fn invalid_fields(fields: &[(&str, &str)]) -> ApiError {
    let mut err = ApiError::local("Some fields need attention.");
    err.code = "validation_failed".into();
    for (name, message) in fields {
        err.fields
            .insert((*name).to_string(), (*message).to_string());
    }
    err
}

/// Shows the API's error for request field `from` at input `to` (the API
/// takes `amount_seconds`, the form asks for `amount_minutes`).
pub fn rename_field(mut err: ApiError, from: &str, to: &str) -> ApiError {
    if let Some(message) = err.fields.remove(from) {
        err.fields.insert(to.to_string(), message);
    }
    err
}

/// The error to show next to input `name`.
pub fn field_error(error: &Option<ApiError>, name: &str) -> Option<String> {
    error
        .as_ref()
        .and_then(|e| e.field(name))
        .map(str::to_string)
}

// ---- sign-in gate ----------------------------------------------------------

/// For pages that need a session: `Ok(me)` when signed in, otherwise what to
/// show instead (loading, a redirect to /login, or a friendly error).
pub fn require_signed_in(status: &Status, retry: Callback<MouseEvent>) -> Result<Rc<Me>, Html> {
    match status {
        Status::SignedIn(me) => Ok(me.clone()),
        Status::Loading => Err(html! { <Loading label="Loading your account…" /> }),
        Status::SignedOut => Err(html! { <Redirect<Route> to={Route::Login} /> }),
        Status::Unavailable(err) => Err(html! {
            <Card title="We can't load your account right now" narrow=true testid="unavailable">
                <div class="alert alert-error" role="alert" data-testid="form-error">
                    <p>{ &err.message }</p>
                </div>
                <div class="actions">
                    <button type="button" class="btn btn-primary" onclick={retry}>{ "Try again" }</button>
                    <Link<Route> to={Route::Login} classes="btn btn-secondary">{ "Go to log in" }</Link<Route>>
                </div>
            </Card>
        }),
    }
}

/// `require_signed_in` with the session's own retry.
#[hook]
pub fn use_signed_in() -> Result<Rc<Me>, Html> {
    let session = use_session();
    let retry = {
        let session = session.clone();
        Callback::from(move |_: MouseEvent| session.dispatch(SessionAction::Reload))
    };
    require_signed_in(&session.status, retry)
}

// ---- formatting ------------------------------------------------------------

pub fn fmt_time(t: &DateTime<Utc>) -> String {
    t.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// A moment in the browser's own time zone and language, e.g.
/// "Dec 2, 2025, 3:04 PM" (`Intl.DateTimeFormat` with the default locale;
/// UTC if the browser can't).
pub fn fmt_local(t: &DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(t.timestamp_millis() as f64));
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| js_sys::Reflect::set(&options, &k.into(), &v.into()).is_ok();
    if !(set("dateStyle", "medium") && set("timeStyle", "short")) {
        return fmt_time(t);
    }
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options).format();
    match format
        .call1(&JsValue::UNDEFINED, &date)
        .ok()
        .and_then(|v| v.as_string())
    {
        Some(text) if !text.is_empty() => text,
        _ => fmt_time(t),
    }
}

/// Waits `ms` milliseconds (a `setTimeout` as a future).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled = web_sys::window().map(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .is_ok()
        });
        if scheduled != Some(true) {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A length of time as `m:ss` (`0:07`, `3:25`, `72:00`); negative counts as 0.
pub fn fmt_clock(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}:{:02}", s / 60, s % 60)
}

/// At most `max` characters of `text` (whitespace collapsed), cut at a word
/// boundary when there is one nearby, with "…" when something was cut.
pub fn truncate(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > cut.len() * 2 / 3 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{}…", cut.trim_end_matches([' ', ',', '.', ';', ':']))
}

pub fn fmt_date(t: &DateTime<Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}

pub fn role_label(role: &Role) -> &'static str {
    match role {
        Role::Owner => "Owner",
        Role::Admin => "Admin",
    }
}
