//! `/agents/:id`: one agent. Its status (pause / resume, test call), its
//! phone number (take one from the pool, release it), the editor (basics,
//! business profile, opening hours, closures, services, FAQs; one Save that
//! PATCHes all of it) and delete.
//!
//! The API reports field errors by JSON path (`profile.hours[2].close`): each
//! input's `name` is that path and its `id` the path with `.`, `[` and `]`
//! turned into `-` (`profile-hours-2-close`), so errors show at their input.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use shared::api::{
    AfterHours, Agent, AgentPatch, AgentStatus, BusinessProfile, Catalog, Closure, Faq,
    OpeningPeriod, Service, TakeNumber, Weekday,
};
use uuid::Uuid;
use web_sys::{EventTarget, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::ApiError;
use crate::components::{
    field_error, set_load, use_signed_in, Card, Field, FormError, FormValues, Load, Loading,
};
use crate::pages::admin::failure;
use crate::pages::agents::{focus_by_id, status_badge, template_name};
use crate::pages::calls::CallsQuery;
use crate::session::{use_session, SessionAction};
use crate::Route;

/// Suggestions for the time zone input (any IANA name is accepted).
const TIMEZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "America/Toronto",
    "America/Vancouver",
    "America/Edmonton",
    "America/Winnipeg",
    "America/Halifax",
    "America/St_Johns",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Vienna",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Africa/Casablanca",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Manila",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Pacific/Auckland",
    "UTC",
];

// ---- paths and labels ----------------------------------------------------------

/// The `id` of the input for a JSON path: `profile.hours[2].close` →
/// `profile-hours-2-close`.
pub fn path_id(path: &str) -> String {
    let mut id = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '.' | '[' => id.push('-'),
            ']' => {}
            other => id.push(other),
        }
    }
    id
}

/// `profile.hours[2].close` → (`profile.hours`, 2, `close`).
fn split_indexed(path: &str) -> Option<(&str, usize, &str)> {
    let (list, rest) = path.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    let index = index.parse().ok()?;
    Some((list, index, rest.trim_start_matches('.')))
}

/// What to call a field in the error summary at the top of the editor.
fn path_label(path: &str, draft: &Draft) -> String {
    let simple = match path {
        "name" => Some("Agent name"),
        "voice_id" => Some("Voice"),
        "language" => Some("Language"),
        "greeting" => Some("Greeting"),
        "instructions" => Some("Custom instructions"),
        "tools" => Some("What your agent can do"),
        "profile" => Some("Business profile"),
        "profile.business_name" => Some("Business name"),
        "profile.description" => Some("What your business does"),
        "profile.address" => Some("Address"),
        "profile.phone" => Some("Business phone"),
        "profile.timezone" => Some("Time zone"),
        "profile.fallback_phone" => Some("Transfer calls to"),
        "profile.after_hours" => Some("Outside opening hours"),
        "profile.hours" => Some("Opening hours"),
        "profile.closures" => Some("Closures"),
        "profile.services" => Some("Services"),
        "profile.faqs" => Some("Questions and answers"),
        _ => None,
    };
    if let Some(label) = simple {
        return label.to_string();
    }
    let Some((list, index, field)) = split_indexed(path) else {
        return path.to_string();
    };
    let n = index + 1;
    match list {
        "profile.hours" => {
            let day = draft
                .hours
                .get(index)
                .map(|h| h.day.name().to_string())
                .unwrap_or_else(|| format!("period {n}"));
            let what = match field {
                "open" => " (opens)",
                "close" => " (closes)",
                _ => "",
            };
            format!("Opening hours, {day}{what}")
        }
        "profile.closures" => {
            let what = match field {
                "date" => " (first day)",
                "end_date" => " (last day)",
                "reason" => " (reason)",
                _ => "",
            };
            format!("Closure {n}{what}")
        }
        "profile.services" => {
            let what = match field {
                "name" => " (name)",
                "duration_minutes" => " (duration)",
                "price" => " (price)",
                "description" => " (description)",
                _ => "",
            };
            format!("Service {n}{what}")
        }
        "profile.faqs" => {
            let what = match field {
                "question" => " (question)",
                "answer" => " (answer)",
                _ => "",
            };
            format!("Question {n}{what}")
        }
        "tools" => "What your agent can do".to_string(),
        _ => path.to_string(),
    }
}

/// After item `index` of `list` is removed: its errors go, those of the
/// items after it move up one.
fn shift_errors(err: &mut ApiError, list: &str, index: usize) {
    let fields = std::mem::take(&mut err.fields);
    for (key, message) in fields {
        match split_indexed(&key) {
            Some((l, i, rest)) if l == list => {
                if i == index {
                    continue;
                }
                let i = if i > index { i - 1 } else { i };
                let key = if rest.is_empty() {
                    format!("{l}[{i}]")
                } else {
                    format!("{l}[{i}].{rest}")
                };
                err.fields.insert(key, message);
            }
            _ => {
                err.fields.insert(key, message);
            }
        }
    }
}

/// The browser's own time zone (`Intl`), e.g. `Europe/Paris`.
fn browser_timezone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    let options = format.resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .filter(|tz| !tz.is_empty())
}

/// "HH:MM" plus `minutes`, kept within the day (23:59 at most).
fn add_minutes(hhmm: &str, minutes: u32) -> String {
    let parsed = hhmm
        .split_once(':')
        .and_then(|(h, m)| Some((h.parse::<u32>().ok()?, m.get(..2)?.parse::<u32>().ok()?)));
    let Some((h, m)) = parsed else {
        return "09:00".to_string();
    };
    let total = (h * 60 + m + minutes).min(23 * 60 + 59);
    format!("{:02}:{:02}", total / 60, total % 60)
}

/// The value of the input, textarea or select an event came from.
fn value_of(target: Option<EventTarget>) -> String {
    use wasm_bindgen::JsCast;
    let Some(target) = target else {
        return String::new();
    };
    if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
        input.value()
    } else if let Some(area) = target.dyn_ref::<HtmlTextAreaElement>() {
        area.value()
    } else if let Some(select) = target.dyn_ref::<HtmlSelectElement>() {
        select.value()
    } else {
        String::new()
    }
}

// ---- draft ---------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq)]
struct ClosureDraft {
    date: String,
    end_date: String,
    reason: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct ServiceDraft {
    name: String,
    /// Minutes as typed; empty when it varies.
    duration: String,
    price: String,
    description: String,
}

/// The editor's inputs as typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct Draft {
    name: String,
    voice_id: String,
    language: String,
    greeting: String,
    instructions: String,
    tools: Vec<String>,
    business_name: String,
    description: String,
    address: String,
    phone: String,
    timezone: String,
    fallback_phone: String,
    after_hours: AfterHours,
    /// In the order they are sent: error paths index into this.
    hours: Vec<OpeningPeriod>,
    closures: Vec<ClosureDraft>,
    services: Vec<ServiceDraft>,
    faqs: Vec<Faq>,
}

impl Draft {
    fn of(a: &Agent) -> Self {
        let p = &a.profile;
        Draft {
            name: a.name.clone(),
            voice_id: a.voice_id.clone(),
            language: a.language.clone(),
            greeting: a.greeting.clone(),
            instructions: a.instructions.clone(),
            tools: a.tools.clone(),
            business_name: p.business_name.clone(),
            description: p.description.clone(),
            address: p.address.clone(),
            phone: p.phone.clone(),
            timezone: p.timezone.clone(),
            fallback_phone: p.fallback_phone.clone(),
            after_hours: p.after_hours,
            hours: p.hours.clone(),
            closures: p
                .closures
                .iter()
                .map(|c| ClosureDraft {
                    date: c.date.to_string(),
                    end_date: c.end_date.map(|d| d.to_string()).unwrap_or_default(),
                    reason: c.reason.clone(),
                })
                .collect(),
            services: p
                .services
                .iter()
                .map(|s| ServiceDraft {
                    name: s.name.clone(),
                    duration: s
                        .duration_minutes
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                    price: s.price.clone(),
                    description: s.description.clone(),
                })
                .collect(),
            faqs: p.faqs.clone(),
        }
    }

    /// Everything, as `PATCH /api/agents/{id}` takes it; dates and durations
    /// that are not valid are reported at their inputs instead.
    fn patch(&self) -> Result<AgentPatch, ApiError> {
        let mut problems: BTreeMap<String, String> = BTreeMap::new();
        let closures = self
            .closures
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let date = match c.date.trim() {
                    "" => {
                        problems.insert(
                            format!("profile.closures[{i}].date"),
                            "Enter the first day of the closure.".into(),
                        );
                        None
                    }
                    text => text.parse().ok().or_else(|| {
                        problems.insert(
                            format!("profile.closures[{i}].date"),
                            "Enter a date like 2025-12-24.".into(),
                        );
                        None
                    }),
                };
                let end_date = match c.end_date.trim() {
                    "" => None,
                    text => text.parse().ok().or_else(|| {
                        problems.insert(
                            format!("profile.closures[{i}].end_date"),
                            "Enter a date like 2025-12-26, or leave it empty.".into(),
                        );
                        None
                    }),
                };
                date.map(|date| Closure {
                    date,
                    end_date,
                    reason: c.reason.trim().to_string(),
                })
            })
            .collect::<Vec<_>>();
        let services = self
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let duration_minutes = match s.duration.trim() {
                    "" => None,
                    text => match text.parse::<i32>() {
                        Ok(m) if m > 0 => Some(m),
                        _ => {
                            problems.insert(
                                format!("profile.services[{i}].duration_minutes"),
                                "Enter whole minutes, e.g. 30, or leave it empty.".into(),
                            );
                            None
                        }
                    },
                };
                Service {
                    name: s.name.trim().to_string(),
                    duration_minutes,
                    price: s.price.trim().to_string(),
                    description: s.description.trim().to_string(),
                }
            })
            .collect();
        if !problems.is_empty() {
            let mut err = ApiError::local("Some fields need attention.");
            err.code = "validation_failed".into();
            err.fields = problems;
            return Err(err);
        }
        Ok(AgentPatch {
            name: Some(self.name.trim().to_string()),
            voice_id: Some(self.voice_id.clone()),
            language: Some(self.language.clone()),
            greeting: Some(self.greeting.trim().to_string()),
            instructions: Some(self.instructions.trim().to_string()),
            tools: Some(self.tools.clone()),
            profile: Some(BusinessProfile {
                business_name: self.business_name.trim().to_string(),
                description: self.description.trim().to_string(),
                address: self.address.trim().to_string(),
                phone: self.phone.trim().to_string(),
                timezone: self.timezone.trim().to_string(),
                hours: self.hours.clone(),
                closures: closures.into_iter().flatten().collect(),
                services,
                faqs: self
                    .faqs
                    .iter()
                    .map(|f| Faq {
                        question: f.question.trim().to_string(),
                        answer: f.answer.trim().to_string(),
                    })
                    .collect(),
                fallback_phone: self.fallback_phone.trim().to_string(),
                after_hours: self.after_hours,
            }),
        })
    }
}

// ---- editor state ----------------------------------------------------------------

#[derive(Default)]
struct Editor {
    draft: Draft,
    /// The draft as last loaded or saved: "unsaved changes" compares to it.
    base: Draft,
    error: Option<ApiError>,
    saved: bool,
    /// Bumped by every failed save: the summary scrolls into view.
    failures: u32,
}

type Apply = Box<dyn FnOnce(&mut Draft)>;

enum EditorAction {
    Load(Draft),
    Saved(Draft),
    Edit(Apply),
    /// Removes item `index` of `list` (a JSON path such as `profile.faqs`).
    Remove {
        list: &'static str,
        index: usize,
        apply: Apply,
    },
    /// Rearranges `list` as a whole: its item errors no longer match.
    Replace {
        list: &'static str,
        apply: Apply,
    },
    Failed(ApiError),
}

impl Reducible for Editor {
    type Action = EditorAction;

    fn reduce(self: Rc<Self>, action: EditorAction) -> Rc<Self> {
        let mut next = Editor {
            draft: self.draft.clone(),
            base: self.base.clone(),
            error: self.error.clone(),
            saved: self.saved,
            failures: self.failures,
        };
        match action {
            EditorAction::Load(draft) => {
                next.draft = draft.clone();
                next.base = draft;
                next.error = None;
                next.saved = false;
            }
            EditorAction::Saved(draft) => {
                next.draft = draft.clone();
                next.base = draft;
                next.error = None;
                next.saved = true;
            }
            EditorAction::Edit(apply) => {
                apply(&mut next.draft);
                next.saved = false;
            }
            EditorAction::Remove { list, index, apply } => {
                apply(&mut next.draft);
                if let Some(err) = &mut next.error {
                    shift_errors(err, list, index);
                }
                next.saved = false;
            }
            EditorAction::Replace { list, apply } => {
                apply(&mut next.draft);
                if let Some(err) = &mut next.error {
                    let prefix = format!("{list}[");
                    err.fields.retain(|k, _| !k.starts_with(&prefix));
                }
                next.saved = false;
            }
            EditorAction::Failed(err) => {
                next.error = Some(err);
                next.saved = false;
                next.failures += 1;
            }
        }
        Rc::new(next)
    }
}

// ---- page ------------------------------------------------------------------------

#[derive(Properties, PartialEq)]
pub struct AgentPageProps {
    pub id: String,
}

#[function_component(AgentPage)]
pub fn agent_page(props: &AgentPageProps) -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let signed_in = session.me().is_some();
    let id = Uuid::parse_str(props.id.trim()).ok();
    let agent = use_state(|| Load::<Agent>::Loading);
    let catalog = use_state(|| Load::<Catalog>::Loading);
    let editor = use_reducer(Editor::default);

    {
        let (agent, catalog, editor, session) = (
            agent.clone(),
            catalog.clone(),
            editor.dispatcher(),
            session.clone(),
        );
        use_effect_with((id, signed_in), move |(id, signed_in)| {
            if !*signed_in {
                return;
            }
            let Some(id) = *id else {
                agent.set(Load::Failed(ApiError {
                    status: 404,
                    code: "not_found".into(),
                    message: "There is no agent with this id.".into(),
                    fields: BTreeMap::new(),
                    retry_after: None,
                }));
                return;
            };
            agent.set(Load::Loading);
            let api = session.api();
            let (api2, session2) = (api.clone(), session.clone());
            yew::platform::spawn_local(async move {
                match api.agent(id).await {
                    Ok(a) => {
                        editor.dispatch(EditorAction::Load(Draft::of(&a)));
                        agent.set(Load::Loaded(a));
                    }
                    Err(e) if e.is_unauthenticated() => session.dispatch(SessionAction::SignedOut),
                    Err(e) => agent.set(Load::Failed(e)),
                }
            });
            if !matches!(*catalog, Load::Loaded(_)) {
                yew::platform::spawn_local(async move {
                    let result = api2.templates().await;
                    set_load(&session2, result, |l| catalog.set(l));
                });
            }
        });
    }

    if let Err(other) = gate {
        return other;
    }

    let back = html! {
        <div class="actions">
            <Link<Route> to={Route::Agents} classes="btn btn-secondary">{ "← All agents" }</Link<Route>>
        </div>
    };

    let (a, c) = match (&*agent, &*catalog) {
        (Load::Failed(e), _) if e.status == 404 => {
            return html! {
                <Card title="Agent not found" narrow=true testid="agent-not-found">
                    <p>{ "We couldn't find this agent. It may have been deleted." }</p>
                    { back }
                </Card>
            };
        }
        (Load::Failed(e), _) | (_, Load::Failed(e)) => {
            return html! {
                <Card title="Agent" narrow=true>
                    { failure(e) }
                    { back }
                </Card>
            };
        }
        (Load::Loaded(a), Load::Loaded(c)) => (a.clone(), c.clone()),
        _ => return html! { <Loading label="Loading your agent…" /> },
    };

    let on_agent = {
        let agent = agent.clone();
        Callback::from(move |a: Agent| agent.set(Load::Loaded(a)))
    };

    html! {
        <div class="stack agent-page" data-testid="agent-page" data-agent-id={a.id.to_string()}>
            <AgentHeader agent={a.clone()} catalog={c.clone()} on_agent={on_agent.clone()} />
            <NumberCard agent={a.clone()} on_agent={on_agent.clone()} />
            <AgentEditor agent={a.clone()} catalog={c} editor={editor.clone()} on_agent={on_agent} />
            <DeleteCard agent={a} />
        </div>
    }
}

// ---- header: status, pause / resume, test call ---------------------------------------

#[derive(Properties, PartialEq)]
struct AgentPartProps {
    agent: Agent,
    on_agent: Callback<Agent>,
}

#[derive(Properties, PartialEq)]
struct AgentHeaderProps {
    agent: Agent,
    catalog: Catalog,
    on_agent: Callback<Agent>,
}

#[function_component(AgentHeader)]
fn agent_header(props: &AgentHeaderProps) -> Html {
    let session = use_session();
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let a = &props.agent;
    let paused = a.status == AgentStatus::Paused;

    let toggle = {
        let (session, busy, error, on_agent) = (
            session.clone(),
            busy.clone(),
            error.clone(),
            props.on_agent.clone(),
        );
        let id = a.id;
        Callback::from(move |_: MouseEvent| {
            if *busy {
                return;
            }
            busy.set(true);
            error.set(None);
            let (session, busy, error, on_agent) = (
                session.clone(),
                busy.clone(),
                error.clone(),
                on_agent.clone(),
            );
            let api = session.api();
            yew::platform::spawn_local(async move {
                let result = if paused {
                    api.resume_agent(id).await
                } else {
                    api.pause_agent(id).await
                };
                busy.set(false);
                match result {
                    Ok(a) => on_agent.emit(a),
                    Err(e) if e.is_unauthenticated() => session.dispatch(SessionAction::SignedOut),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };

    let calls_query = CallsQuery {
        agent_id: Some(a.id.to_string()),
        ..CallsQuery::default()
    };

    html! {
        <section class="card" data-testid="agent-header">
            <p class="eyebrow">{ template_name(Some(&props.catalog), &a.template) }</p>
            <h1 class="card-title" id="agent-title">{ &a.name }</h1>
            <div class="status-row">
                { status_badge(a.status, Some("agent-status")) }
                <span class="muted">
                    { if paused {
                        "Paused: your receptionist won't answer calls until you resume it."
                    } else if a.number.is_some() {
                        "Your receptionist is answering calls."
                    } else {
                        "Ready: get a phone number below so callers can reach it."
                    } }
                </span>
            </div>
            if let Some(e) = &*error {
                { failure(e) }
            }
            <div class="actions">
                if paused {
                    <button type="button" class="btn btn-primary" id="agent-resume" onclick={toggle}
                        disabled={*busy} aria-busy={busy.then_some("true")}>
                        { if *busy { "Resuming…" } else { "Resume" } }
                    </button>
                } else {
                    <button type="button" class="btn btn-secondary" id="agent-pause" onclick={toggle}
                        disabled={*busy} aria-busy={busy.then_some("true")}>
                        { if *busy { "Pausing…" } else { "Pause" } }
                    </button>
                }
                if let Some(url) = &a.test_call_url {
                    <a class="btn btn-primary" id="test-call" href={url.clone()} target="_blank"
                        rel="noopener noreferrer">
                        { "Test call" }
                        <span class="visually-hidden">{ " (opens in a new tab)" }</span>
                    </a>
                }
                <Link<Route, CallsQuery> to={Route::Calls} query={Some(calls_query)} classes="btn btn-secondary">
                    <span id="agent-calls" data-testid="agent-calls">{ "See this agent's calls" }</span>
                </Link<Route, CallsQuery>>
            </div>
            if a.test_call_url.is_none() {
                if let Some(n) = &a.number {
                    <p class="muted small">{ format!("To try it, call {} from your phone.", n.number) }</p>
                }
            }
        </section>
    }
}

// ---- phone number --------------------------------------------------------------------

#[function_component(NumberCard)]
fn number_card(props: &AgentPartProps) -> Html {
    let session = use_session();
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let confirm = use_state(|| false);
    let a = &props.agent;
    let id = a.id;

    let on_take = {
        let (session, busy, error, on_agent) = (
            session.clone(),
            busy.clone(),
            error.clone(),
            props.on_agent.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            let values = FormValues::from_submit(&e);
            if *busy {
                return;
            }
            let area_code = values.get("area_code").trim().to_string();
            let request = TakeNumber {
                area_code: (!area_code.is_empty()).then_some(area_code),
            };
            busy.set(true);
            error.set(None);
            let (session, busy, error, on_agent) = (
                session.clone(),
                busy.clone(),
                error.clone(),
                on_agent.clone(),
            );
            let api = session.api();
            yew::platform::spawn_local(async move {
                let result = api.take_number(id, &request).await;
                busy.set(false);
                match result {
                    Ok(a) => on_agent.emit(a),
                    Err(e) if e.is_unauthenticated() => session.dispatch(SessionAction::SignedOut),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };

    let ask = {
        let (confirm, error) = (confirm.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            error.set(None);
            confirm.set(true)
        })
    };
    let cancel = {
        let confirm = confirm.clone();
        Callback::from(move |_: MouseEvent| confirm.set(false))
    };
    let on_release = {
        let (session, busy, error, confirm, on_agent) = (
            session.clone(),
            busy.clone(),
            error.clone(),
            confirm.clone(),
            props.on_agent.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if *busy {
                return;
            }
            busy.set(true);
            error.set(None);
            let (session, busy, error, confirm, on_agent) = (
                session.clone(),
                busy.clone(),
                error.clone(),
                confirm.clone(),
                on_agent.clone(),
            );
            let api = session.api();
            yew::platform::spawn_local(async move {
                let result = api.release_number(id).await;
                busy.set(false);
                confirm.set(false);
                match result {
                    Ok(a) => on_agent.emit(a),
                    Err(e) if e.is_unauthenticated() => session.dispatch(SessionAction::SignedOut),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };

    let body = match &a.number {
        Some(n) => {
            let active = n.status == "active";
            html! {
                <>
                    <p class="number-line">
                        <span class="muted">{ "Callers reach this agent at " }</span>
                        <strong class="phone-number" id="agent-number" data-testid="agent-number">{ &n.number }</strong>
                        { " " }
                        <span id="number-status" class={classes!("badge", if active { "status-active" } else { "badge-warn" })}>
                            { if active { "Active" } else { "Activating" } }
                        </span>
                    </p>
                    if !active {
                        <p class="muted small">{ "The number is being connected; this usually takes a minute or two." }</p>
                    }
                    { for (*error).as_ref().map(failure) }
                    if *confirm {
                        <div class="confirm" role="group" aria-labelledby="release-question">
                            <p id="release-question">
                                <strong>{ "Release this number?" }</strong>
                                { " Callers who dial it will no longer reach your agent, and you may not get the same number back." }
                            </p>
                            <div class="form-row">
                                <button type="button" class="btn btn-danger" id="release-number-confirm"
                                    onclick={on_release} disabled={*busy} aria-busy={busy.then_some("true")}>
                                    { if *busy { "Releasing…" } else { "Yes, release it" } }
                                </button>
                                <button type="button" class="btn btn-secondary" onclick={cancel} disabled={*busy}>
                                    { "Keep it" }
                                </button>
                            </div>
                        </div>
                    } else {
                        <div class="actions">
                            <button type="button" class="btn btn-secondary" id="release-number" onclick={ask}>
                                { "Release number" }
                            </button>
                        </div>
                    }
                </>
            }
        }
        None => html! {
            <form class="form" id="take-number-form" onsubmit={on_take} novalidate=true data-testid="take-number-form">
                <p class="muted">{ "Your agent needs a phone number before it can answer calls. You can also forward your existing business line to it." }</p>
                <FormError error={(*error).clone()} shown_fields={&["area_code"][..]} />
                <div class="form-row form-row-end">
                    <Field name="area_code" label="Preferred area code (optional)" inputmode="numeric"
                        autocomplete="off" placeholder="e.g. 415"
                        error={field_error(&error, "area_code")} />
                    <button type="submit" class="btn btn-primary" id="take-number" disabled={*busy}
                        aria-busy={busy.then_some("true")}>
                        if *busy {
                            <span class="spinner spinner-light" aria-hidden="true"></span>
                            { "Getting a number…" }
                        } else {
                            { "Get a phone number" }
                        }
                    </button>
                </div>
            </form>
        },
    };

    html! {
        <section class="card" data-testid="number-card">
            <h2 class="card-title">{ "Phone number" }</h2>
            { body }
        </section>
    }
}

// ---- delete --------------------------------------------------------------------------

#[derive(Properties, PartialEq)]
struct DeleteCardProps {
    agent: Agent,
}

#[function_component(DeleteCard)]
fn delete_card(props: &DeleteCardProps) -> Html {
    let session = use_session();
    let navigator = use_navigator();
    let confirm = use_state(|| false);
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let id = props.agent.id;

    let ask = {
        let (confirm, error) = (confirm.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            error.set(None);
            confirm.set(true)
        })
    };
    let cancel = {
        let confirm = confirm.clone();
        Callback::from(move |_: MouseEvent| confirm.set(false))
    };
    let on_delete = {
        let (session, busy, error) = (session.clone(), busy.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            if *busy {
                return;
            }
            busy.set(true);
            error.set(None);
            let (session, busy, error, navigator) = (
                session.clone(),
                busy.clone(),
                error.clone(),
                navigator.clone(),
            );
            let api = session.api();
            yew::platform::spawn_local(async move {
                match api.delete_agent(id).await {
                    Ok(()) => {
                        if let Some(nav) = navigator {
                            nav.push(&Route::Agents);
                        }
                    }
                    Err(e) if e.is_unauthenticated() => {
                        busy.set(false);
                        session.dispatch(SessionAction::SignedOut)
                    }
                    Err(e) => {
                        busy.set(false);
                        error.set(Some(e));
                    }
                }
            });
        })
    };

    html! {
        <section class="card card-danger" data-testid="delete-agent">
            <h2 class="card-title">{ "Delete agent" }</h2>
            { for (*error).as_ref().map(failure) }
            if *confirm {
                <div class="confirm" role="group" aria-labelledby="delete-question">
                    <p id="delete-question">
                        <strong>{ format!("Delete “{}”?", props.agent.name) }</strong>
                        { " It will stop answering calls right away. This can't be undone." }
                    </p>
                    <div class="form-row">
                        <button type="button" class="btn btn-danger" id="agent-delete-confirm"
                            onclick={on_delete} disabled={*busy} aria-busy={busy.then_some("true")}>
                            { if *busy { "Deleting…" } else { "Yes, delete this agent" } }
                        </button>
                        <button type="button" class="btn btn-secondary" onclick={cancel} disabled={*busy}>
                            { "Cancel" }
                        </button>
                    </div>
                </div>
            } else {
                <p class="muted">{ "Deleting an agent stops it answering calls. This can't be undone." }</p>
                <button type="button" class="btn btn-danger-outline" id="agent-delete" onclick={ask}>
                    { "Delete agent" }
                </button>
            }
        </section>
    }
}

// ---- the editor ------------------------------------------------------------------------

#[derive(Properties, PartialEq)]
struct AgentEditorProps {
    agent: Agent,
    catalog: Catalog,
    editor: UseReducerHandle<Editor>,
    on_agent: Callback<Agent>,
}

impl PartialEq for Editor {
    fn eq(&self, other: &Self) -> bool {
        self.draft == other.draft
            && self.base == other.base
            && self.error == other.error
            && self.saved == other.saved
            && self.failures == other.failures
    }
}

type Dispatcher = UseReducerDispatcher<Editor>;

/// `oninput` that stores the value with `set`.
fn on_value(d: &Dispatcher, set: impl Fn(&mut Draft, String) + 'static) -> Callback<InputEvent> {
    let (d, set) = (d.clone(), Rc::new(set));
    Callback::from(move |e: InputEvent| {
        let value = value_of(e.target());
        let set = set.clone();
        d.dispatch(EditorAction::Edit(Box::new(move |draft| set(draft, value))));
    })
}

/// `onchange` (selects, radios) that stores the value with `set`.
fn on_change(d: &Dispatcher, set: impl Fn(&mut Draft, String) + 'static) -> Callback<Event> {
    let (d, set) = (d.clone(), Rc::new(set));
    Callback::from(move |e: Event| {
        let value = value_of(e.target());
        let set = set.clone();
        d.dispatch(EditorAction::Edit(Box::new(move |draft| set(draft, value))));
    })
}

/// A button's `onclick` that applies `apply` to the draft.
fn on_click(d: &Dispatcher, apply: impl Fn(&mut Draft) + 'static) -> Callback<MouseEvent> {
    let (d, apply) = (d.clone(), Rc::new(apply));
    Callback::from(move |_: MouseEvent| {
        let apply = apply.clone();
        d.dispatch(EditorAction::Edit(Box::new(move |draft| apply(draft))));
    })
}

/// A "Remove" button's `onclick` for item `index` of `list`.
fn on_remove(
    d: &Dispatcher,
    list: &'static str,
    index: usize,
    remove: impl Fn(&mut Draft) + 'static,
) -> Callback<MouseEvent> {
    let (d, remove) = (d.clone(), Rc::new(remove));
    Callback::from(move |_: MouseEvent| {
        let remove = remove.clone();
        d.dispatch(EditorAction::Remove {
            list,
            index,
            apply: Box::new(move |draft| remove(draft)),
        });
    })
}

/// An "Add" button's `onclick`: appends an item with `push` and, once it is
/// shown, focuses the input at `focus` (the new item's first field's path).
fn on_add(
    d: &Dispatcher,
    pending_focus: &Rc<RefCell<Option<String>>>,
    focus: String,
    push: impl Fn(&mut Draft) + 'static,
) -> Callback<MouseEvent> {
    let (pending_focus, focus, push) = (pending_focus.clone(), path_id(&focus), on_click(d, push));
    Callback::from(move |e: MouseEvent| {
        *pending_focus.borrow_mut() = Some(focus.clone());
        push.emit(e);
    })
}

#[derive(Properties, PartialEq)]
struct ListEditorProps {
    /// `closures`: the card is `data-testid="closures-editor"`, its title
    /// `#closures-title`.
    name: AttrValue,
    title: AttrValue,
    subtitle: AttrValue,
    /// The errors about the whole list ([`list_error`]).
    error: Html,
    /// Shown instead of the rows when there are none.
    empty: Option<AttrValue>,
    add_id: AttrValue,
    add_label: AttrValue,
    onadd: Callback<MouseEvent>,
    /// The rows.
    #[prop_or_default]
    children: Html,
}

/// The card of a list of items (closures, services, FAQs): title, hint, the
/// list's errors, the rows and an "Add" button.
#[function_component(ListEditor)]
fn list_editor(props: &ListEditorProps) -> Html {
    let name = &props.name;
    html! {
        <section class="card" aria-labelledby={format!("{name}-title")} data-testid={format!("{name}-editor")}>
            <h2 class="card-title" id={format!("{name}-title")}>{ props.title.clone() }</h2>
            <p class="card-subtitle">{ props.subtitle.clone() }</p>
            { props.error.clone() }
            if let Some(empty) = &props.empty {
                <p class="muted">{ empty.clone() }</p>
            }
            <div class="list">{ props.children.clone() }</div>
            <button type="button" class="btn btn-secondary btn-small" id={props.add_id.clone()} onclick={props.onadd.clone()}>
                { props.add_label.clone() }
            </button>
        </section>
    }
}

/// The error message under an input inside a list row.
fn row_error(error: &Option<ApiError>, path: &str) -> Html {
    match field_error(error, path) {
        Some(message) => html! {
            <p class="field-error" id={format!("{}-error", path_id(path))}
                data-testid={format!("field-error-{path}")}>{ message }</p>
        },
        None => html! {},
    }
}

/// Errors about a whole list (`profile.hours`) or an item with no input of
/// its own (`profile.hours[2]`).
fn list_error(error: &Option<ApiError>, path: &str) -> Html {
    row_error(error, path)
}

#[function_component(AgentEditor)]
fn agent_editor(props: &AgentEditorProps) -> Html {
    let session = use_session();
    let busy = use_state(|| false);
    // An input to focus after the next render (a row just added).
    let pending_focus = use_mut_ref(|| None::<String>);
    let summary_ref = use_node_ref();
    let state = &*props.editor;
    let d = props.editor.dispatcher();
    let draft = &state.draft;
    let error = &state.error;
    let dirty = state.draft != state.base;

    {
        let pending_focus = pending_focus.clone();
        use_effect(move || {
            if let Some(id) = pending_focus.borrow_mut().take() {
                focus_by_id(&id, false);
            }
        });
    }
    {
        let summary_ref = summary_ref.clone();
        use_effect_with(state.failures, move |failures| {
            if *failures > 0 {
                if let Some(el) = summary_ref.cast::<web_sys::Element>() {
                    el.scroll_into_view();
                }
            }
        });
    }

    let onsubmit = {
        let (session, busy, d, on_agent) = (
            session.clone(),
            busy.clone(),
            d.clone(),
            props.on_agent.clone(),
        );
        let (draft, id) = (draft.clone(), props.agent.id);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let patch = match draft.patch() {
                Ok(patch) => patch,
                Err(err) => return d.dispatch(EditorAction::Failed(err)),
            };
            busy.set(true);
            let (session, busy, d, on_agent) =
                (session.clone(), busy.clone(), d.clone(), on_agent.clone());
            let api = session.api();
            yew::platform::spawn_local(async move {
                let result = api.update_agent(id, &patch).await;
                busy.set(false);
                match result {
                    Ok(a) => {
                        d.dispatch(EditorAction::Saved(Draft::of(&a)));
                        on_agent.emit(a);
                    }
                    Err(e) if e.is_unauthenticated() => session.dispatch(SessionAction::SignedOut),
                    Err(e) => d.dispatch(EditorAction::Failed(e)),
                }
            });
        })
    };

    // A labelled text input or textarea whose `name` is its JSON path.
    let text_field = |path: &'static str,
                      label: &'static str,
                      value: &str,
                      set: fn(&mut Draft, String),
                      hint: Option<&'static str>,
                      multiline: bool| {
        html! {
            <Field name={path} id={path_id(path)} label={label} value={value.to_string()}
                oninput={on_value(&d, set)} hint={hint.map(AttrValue::Static)} multiline={multiline}
                rows={multiline.then_some(4_u32)} error={field_error(error, path)} />
        }
    };

    // ---- summary ----
    let summary = error.as_ref().map(|err| {
        let items = err.fields.iter().map(|(path, message)| {
            let target = path_id(path);
            let go = {
                let target = target.clone();
                Callback::from(move |e: MouseEvent| {
                    e.prevent_default();
                    focus_by_id(&target, false);
                })
            };
            html! {
                <li>
                    <a href={format!("#{target}")} onclick={go}>{ path_label(path, draft) }</a>
                    { format!(": {message}") }
                </li>
            }
        });
        html! {
            <div class="alert alert-error" role="alert" id="agent-errors" data-testid="form-error"
                ref={summary_ref.clone()}>
                <p>{ &err.message }</p>
                if !err.fields.is_empty() {
                    <ul>{ for items }</ul>
                }
            </div>
        }
    });

    // ---- basics ----
    let c = &props.catalog;
    let voice_known = c.voices.iter().any(|v| v.id == draft.voice_id);
    let language_known = c.languages.iter().any(|(code, _)| *code == draft.language);
    let basics = html! {
        <section class="card" aria-labelledby="basics-title">
            <h2 class="card-title" id="basics-title">{ "Basics" }</h2>
            <div class="form">
                { text_field("name", "Agent name", &draft.name, |d, v| d.name = v,
                    Some("Only you see this name."), false) }
                <div class="form-grid form-grid-tight">
                    <div class={classes!("field", field_error(error, "voice_id").is_some().then_some("field-invalid"))}>
                        <label for="voice_id">{ "Voice" }</label>
                        <select id="voice_id" name="voice_id" onchange={on_change(&d, |d, v| d.voice_id = v)}>
                            if !voice_known {
                                <option value={draft.voice_id.clone()} selected=true>
                                    { if draft.voice_id.is_empty() { "Choose a voice".to_string() } else { draft.voice_id.clone() } }
                                </option>
                            }
                            { for c.voices.iter().map(|v| html! {
                                <option value={v.id.clone()} selected={v.id == draft.voice_id}>
                                    { if v.description.is_empty() { v.name.clone() } else { format!("{} — {}", v.name, v.description) } }
                                </option>
                            }) }
                        </select>
                        { row_error(error, "voice_id") }
                    </div>
                    <div class={classes!("field", field_error(error, "language").is_some().then_some("field-invalid"))}>
                        <label for="language">{ "Language" }</label>
                        <select id="language" name="language" onchange={on_change(&d, |d, v| d.language = v)}>
                            if !language_known {
                                <option value={draft.language.clone()} selected=true>
                                    { if draft.language.is_empty() { "Choose a language".to_string() } else { draft.language.clone() } }
                                </option>
                            }
                            { for c.languages.iter().map(|(code, name)| html! {
                                <option value={code.clone()} selected={*code == draft.language}>{ name }</option>
                            }) }
                        </select>
                        { row_error(error, "language") }
                    </div>
                </div>
                { text_field("greeting", "Greeting", &draft.greeting, |d, v| d.greeting = v,
                    Some("The first thing callers hear, e.g. “Thanks for calling Bright Smiles, how can I help?”"), true) }
                { text_field("instructions", "Custom instructions (optional)", &draft.instructions,
                    |d, v| d.instructions = v,
                    Some("Anything else your receptionist should know or do, in plain words."), true) }
                <fieldset class={classes!("fieldset", field_error(error, "tools").is_some().then_some("field-invalid"))}>
                    <legend>{ "What your agent can do" }</legend>
                    { for c.tools.iter().map(|t| {
                        let checked = draft.tools.contains(&t.name);
                        let toggle = {
                            let name = t.name.clone();
                            let order: Vec<String> = c.tools.iter().map(|t| t.name.clone()).collect();
                            on_click(&d, move |draft| {
                                if draft.tools.contains(&name) {
                                    draft.tools.retain(|n| *n != name);
                                } else {
                                    draft.tools.push(name.clone());
                                    // Keep the catalog's order (unknown tools last).
                                    draft.tools.sort_by_key(|n| order.iter().position(|o| o == n).unwrap_or(usize::MAX));
                                }
                            })
                        };
                        let id = format!("tool-{}", t.name);
                        html! {
                            <div class="option">
                                <label class="checkbox" for={id.clone()}>
                                    <input type="checkbox" id={id} name="tools" value={t.name.clone()}
                                        checked={checked} onclick={toggle} />
                                    <span>{ &t.title }</span>
                                </label>
                                if !t.description.is_empty() {
                                    <p class="field-hint option-hint">{ &t.description }</p>
                                }
                            </div>
                        }
                    }) }
                    { row_error(error, "tools") }
                </fieldset>
            </div>
        </section>
    };

    // ---- business profile ----
    let browser_tz = browser_timezone();
    let use_browser_tz = browser_tz
        .clone()
        .filter(|_| draft.timezone.trim().is_empty())
        .map(|tz| {
            let set = {
                let tz = tz.clone();
                on_click(&d, move |draft| draft.timezone = tz.clone())
            };
            html! {
                <button type="button" class="btn-link small" id="use-browser-timezone" onclick={set}>
                    { format!("Use my time zone ({tz})") }
                </button>
            }
        });
    let after_hours_radio =
        |value: AfterHours, key: &'static str, label: &'static str, hint: &'static str| {
            let id = format!("after-hours-{}", key.replace('_', "-"));
            let set = {
                let d = d.clone();
                Callback::from(move |_: Event| {
                    d.dispatch(EditorAction::Edit(Box::new(move |draft| {
                        draft.after_hours = value
                    })))
                })
            };
            html! {
                <div class="option">
                    <label class="checkbox" for={id.clone()}>
                        <input type="radio" id={id} name="profile.after_hours" value={key}
                            checked={draft.after_hours == value} onchange={set} />
                        <span>{ label }</span>
                    </label>
                    <p class="field-hint option-hint">{ hint }</p>
                </div>
            }
        };
    let profile = html! {
        <section class="card" aria-labelledby="profile-title">
            <h2 class="card-title" id="profile-title">{ "Business profile" }</h2>
            <p class="card-subtitle">{ "What your receptionist tells callers about your business." }</p>
            <div class="form">
                { text_field("profile.business_name", "Business name", &draft.business_name,
                    |d, v| d.business_name = v, None, false) }
                { text_field("profile.description", "What your business does", &draft.description,
                    |d, v| d.description = v,
                    Some("A few sentences, e.g. “Family dental practice offering check-ups, cleanings and whitening.”"), true) }
                { text_field("profile.address", "Address", &draft.address, |d, v| d.address = v, None, false) }
                <div class="form-grid form-grid-tight">
                    <Field name="profile.phone" id="profile-phone" label="Business phone" input_type="tel"
                        value={draft.phone.clone()} oninput={on_value(&d, |d, v| d.phone = v)}
                        error={field_error(error, "profile.phone")} />
                    <Field name="profile.fallback_phone" id="profile-fallback_phone" label="Transfer calls to"
                        input_type="tel" placeholder="+14155550123"
                        hint="A number to pass callers to when they ask for a person (with country code)."
                        value={draft.fallback_phone.clone()} oninput={on_value(&d, |d, v| d.fallback_phone = v)}
                        error={field_error(error, "profile.fallback_phone")} />
                </div>
                <div class="field-with-action">
                    <Field name="profile.timezone" id="profile-timezone" label="Time zone" list="timezones"
                        autocomplete="off" placeholder="e.g. America/New_York"
                        hint="Opening hours are in this time zone."
                        value={draft.timezone.clone()} oninput={on_value(&d, |d, v| d.timezone = v)}
                        error={field_error(error, "profile.timezone")} />
                    { for use_browser_tz }
                    <datalist id="timezones">
                        { for TIMEZONES.iter().map(|tz| html! { <option value={*tz} /> }) }
                    </datalist>
                </div>
                <fieldset class={classes!("fieldset", field_error(error, "profile.after_hours").is_some().then_some("field-invalid"))}>
                    <legend>{ "Outside opening hours" }</legend>
                    { after_hours_radio(AfterHours::TakeMessage, "take_message", "Take a message",
                        "Answer questions and offer to take a message for you.") }
                    { after_hours_radio(AfterHours::AnswerOnly, "answer_only", "Answer questions only",
                        "Answer questions, but don't take messages.") }
                    { row_error(error, "profile.after_hours") }
                </fieldset>
            </div>
        </section>
    };

    // ---- opening hours ----
    // Monday's periods replace those of Tuesday to Friday.
    let copy_weekdays = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| {
            d.dispatch(EditorAction::Replace {
                list: "profile.hours",
                apply: Box::new(|draft| {
                    let weekdays = [Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
                    let monday: Vec<OpeningPeriod> = draft
                        .hours
                        .iter()
                        .filter(|h| h.day == Weekday::Mon)
                        .cloned()
                        .collect();
                    draft.hours.retain(|h| !weekdays.contains(&h.day));
                    for day in weekdays {
                        draft
                            .hours
                            .extend(monday.iter().map(|h| OpeningPeriod { day, ..h.clone() }));
                    }
                    draft.hours.sort_by_key(|h| h.day);
                }),
            })
        })
    };
    let hours = {
        let days = Weekday::ALL.iter().map(|&day| {
            let key = format!("{day:?}").to_lowercase();
            let periods: Vec<(usize, &OpeningPeriod)> = draft
                .hours
                .iter()
                .enumerate()
                .filter(|(_, h)| h.day == day)
                .collect();
            let next_index = draft.hours.len();
            let (open, close) = match periods.last() {
                Some((_, last)) => {
                    let open = add_minutes(&last.close, 60);
                    let close = add_minutes(&open, 180);
                    (open, close)
                }
                None => ("09:00".to_string(), "17:00".to_string()),
            };
            let add = on_add(
                &d,
                &pending_focus,
                format!("profile.hours[{next_index}].open"),
                move |draft| {
                    draft.hours.push(OpeningPeriod {
                        day,
                        open: open.clone(),
                        close: close.clone(),
                    })
                },
            );
            let rows = periods.iter().map(|(i, h)| {
                let i = *i;
                let open_path = format!("profile.hours[{i}].open");
                let close_path = format!("profile.hours[{i}].close");
                let remove = on_remove(&d, "profile.hours", i, move |draft| {
                    if i < draft.hours.len() {
                        draft.hours.remove(i);
                    }
                });
                let invalid = |p: &str| field_error(error, p).is_some().then_some("true");
                html! {
                    <div class="period" key={i}>
                        <div class="period-inputs">
                            <label for={path_id(&open_path)}>{ "Opens" }</label>
                            <input type="time" class="period-open" id={path_id(&open_path)} name={open_path.clone()}
                                value={h.open.clone()} aria-invalid={invalid(&open_path)}
                                oninput={on_value(&d, move |draft, v| if let Some(h) = draft.hours.get_mut(i) { h.open = v })} />
                            <label for={path_id(&close_path)}>{ "Closes" }</label>
                            <input type="time" class="period-close" id={path_id(&close_path)} name={close_path.clone()}
                                value={h.close.clone()} aria-invalid={invalid(&close_path)}
                                oninput={on_value(&d, move |draft, v| if let Some(h) = draft.hours.get_mut(i) { h.close = v })} />
                            <button type="button" class="btn-link remove-period" onclick={remove}>
                                { "Remove" }
                                <span class="visually-hidden">{ format!(" {} {}–{}", day.name(), h.open, h.close) }</span>
                            </button>
                        </div>
                        { row_error(error, &open_path) }
                        { row_error(error, &close_path) }
                        { row_error(error, &format!("profile.hours[{i}].day")) }
                        { list_error(error, &format!("profile.hours[{i}]")) }
                    </div>
                }
            });
            html! {
                <div class="day-hours" data-day={key} role="group" aria-label={day.name()}>
                    <div class="day-name">{ day.name() }</div>
                    <div class="day-periods">
                        if periods.is_empty() {
                            <span class="muted day-closed">{ "Closed" }</span>
                        }
                        { for rows }
                    </div>
                    <div class="day-actions">
                        <button type="button" class="btn btn-secondary btn-small add-period" onclick={add}>
                            { if periods.is_empty() { "Add hours" } else { "Add period" } }
                            <span class="visually-hidden">{ format!(" on {}", day.name()) }</span>
                        </button>
                        if day == Weekday::Mon && !periods.is_empty() {
                            <button type="button" class="btn-link small" id="copy-weekdays" onclick={copy_weekdays.clone()}>
                                { "Copy to Tue–Fri" }
                            </button>
                        }
                    </div>
                </div>
            }
        });
        html! {
            <section class="card" aria-labelledby="hours-title" data-testid="hours-editor">
                <h2 class="card-title" id="hours-title">{ "Opening hours" }</h2>
                <p class="card-subtitle">{ "Add a period for each day you're open; add a second one for a lunch break. Days without hours are closed." }</p>
                { list_error(error, "profile.hours") }
                <div class="hours">{ for days }</div>
            </section>
        }
    };

    // ---- closures ----
    let closures = {
        let add = on_add(
            &d,
            &pending_focus,
            format!("profile.closures[{}].date", draft.closures.len()),
            |draft| draft.closures.push(ClosureDraft::default()),
        );
        let rows = draft.closures.iter().enumerate().map(|(i, c)| {
            let date = format!("profile.closures[{i}].date");
            let end = format!("profile.closures[{i}].end_date");
            let reason = format!("profile.closures[{i}].reason");
            let remove = on_remove(&d, "profile.closures", i, move |draft| {
                if i < draft.closures.len() {
                    draft.closures.remove(i);
                }
            });
            html! {
                <fieldset class="list-item closure-row" key={i}>
                    <legend>{ format!("Closure {}", i + 1) }</legend>
                    <div class="form-grid form-grid-tight">
                        <Field name={date.clone()} id={path_id(&date)} label="First day" input_type="date"
                            value={c.date.clone()} error={field_error(error, &date)}
                            oninput={on_value(&d, move |draft, v| if let Some(c) = draft.closures.get_mut(i) { c.date = v })} />
                        <Field name={end.clone()} id={path_id(&end)} label="Last day (optional)" input_type="date"
                            value={c.end_date.clone()} error={field_error(error, &end)}
                            oninput={on_value(&d, move |draft, v| if let Some(c) = draft.closures.get_mut(i) { c.end_date = v })} />
                        <Field name={reason.clone()} id={path_id(&reason)} label="Reason (optional)"
                            placeholder="e.g. Christmas" value={c.reason.clone()} error={field_error(error, &reason)}
                            oninput={on_value(&d, move |draft, v| if let Some(c) = draft.closures.get_mut(i) { c.reason = v })} />
                    </div>
                    { list_error(error, &format!("profile.closures[{i}]")) }
                    <button type="button" class="btn-link remove-item" onclick={remove}>
                        { "Remove" }<span class="visually-hidden">{ format!(" closure {}", i + 1) }</span>
                    </button>
                </fieldset>
            }
        });
        html! {
            <ListEditor name="closures" title="Closures"
                subtitle="Holidays and days off: your receptionist tells callers you're closed."
                error={list_error(error, "profile.closures")}
                empty={draft.closures.is_empty().then_some("No closures planned.")}
                add_id="add-closure" add_label="Add a closure" onadd={add}>
                { for rows }
            </ListEditor>
        }
    };

    // ---- services ----
    let services = {
        let add = on_add(
            &d,
            &pending_focus,
            format!("profile.services[{}].name", draft.services.len()),
            |draft| draft.services.push(ServiceDraft::default()),
        );
        let rows = draft.services.iter().enumerate().map(|(i, s)| {
            let name = format!("profile.services[{i}].name");
            let duration = format!("profile.services[{i}].duration_minutes");
            let price = format!("profile.services[{i}].price");
            let description = format!("profile.services[{i}].description");
            let remove = on_remove(&d, "profile.services", i, move |draft| {
                if i < draft.services.len() {
                    draft.services.remove(i);
                }
            });
            html! {
                <fieldset class="list-item service-row" key={i}>
                    <legend>{ format!("Service {}", i + 1) }</legend>
                    <div class="form-grid form-grid-tight">
                        <Field name={name.clone()} id={path_id(&name)} label="Name" placeholder="e.g. Cleaning"
                            value={s.name.clone()} error={field_error(error, &name)}
                            oninput={on_value(&d, move |draft, v| if let Some(s) = draft.services.get_mut(i) { s.name = v })} />
                        <Field name={duration.clone()} id={path_id(&duration)} label="Minutes (optional)"
                            inputmode="numeric" placeholder="e.g. 30"
                            value={s.duration.clone()} error={field_error(error, &duration)}
                            oninput={on_value(&d, move |draft, v| if let Some(s) = draft.services.get_mut(i) { s.duration = v })} />
                        <Field name={price.clone()} id={path_id(&price)} label="Price (optional)"
                            placeholder="e.g. from $40" value={s.price.clone()} error={field_error(error, &price)}
                            oninput={on_value(&d, move |draft, v| if let Some(s) = draft.services.get_mut(i) { s.price = v })} />
                    </div>
                    <Field name={description.clone()} id={path_id(&description)} label="Description (optional)"
                        multiline=true rows={Some(2_u32)} value={s.description.clone()} error={field_error(error, &description)}
                        oninput={on_value(&d, move |draft, v| if let Some(s) = draft.services.get_mut(i) { s.description = v })} />
                    { list_error(error, &format!("profile.services[{i}]")) }
                    <button type="button" class="btn-link remove-item" onclick={remove}>
                        { "Remove" }<span class="visually-hidden">{ format!(" service {}", i + 1) }</span>
                    </button>
                </fieldset>
            }
        });
        html! {
            <ListEditor name="services" title="Services"
                subtitle="What you offer, so your receptionist can answer “Do you do…?” and “How much is…?”."
                error={list_error(error, "profile.services")}
                empty={draft.services.is_empty().then_some("No services listed yet.")}
                add_id="add-service" add_label="Add a service" onadd={add}>
                { for rows }
            </ListEditor>
        }
    };

    // ---- FAQs ----
    let faqs = {
        let add = on_add(
            &d,
            &pending_focus,
            format!("profile.faqs[{}].question", draft.faqs.len()),
            |draft| {
                draft.faqs.push(Faq {
                    question: String::new(),
                    answer: String::new(),
                })
            },
        );
        let rows = draft.faqs.iter().enumerate().map(|(i, f)| {
            let question = format!("profile.faqs[{i}].question");
            let answer = format!("profile.faqs[{i}].answer");
            let remove = on_remove(&d, "profile.faqs", i, move |draft| {
                if i < draft.faqs.len() {
                    draft.faqs.remove(i);
                }
            });
            html! {
                <fieldset class="list-item faq-row" key={i}>
                    <legend>{ format!("Question {}", i + 1) }</legend>
                    <Field name={question.clone()} id={path_id(&question)} label="Question"
                        placeholder="e.g. Do you have parking?" value={f.question.clone()}
                        error={field_error(error, &question)}
                        oninput={on_value(&d, move |draft, v| if let Some(f) = draft.faqs.get_mut(i) { f.question = v })} />
                    <Field name={answer.clone()} id={path_id(&answer)} label="Answer" multiline=true rows={Some(2_u32)}
                        value={f.answer.clone()} error={field_error(error, &answer)}
                        oninput={on_value(&d, move |draft, v| if let Some(f) = draft.faqs.get_mut(i) { f.answer = v })} />
                    { list_error(error, &format!("profile.faqs[{i}]")) }
                    <button type="button" class="btn-link remove-item" onclick={remove}>
                        { "Remove" }<span class="visually-hidden">{ format!(" question {}", i + 1) }</span>
                    </button>
                </fieldset>
            }
        });
        html! {
            <ListEditor name="faqs" title="Questions and answers"
                subtitle="Questions callers often ask, with the answer your receptionist should give."
                error={list_error(error, "profile.faqs")}
                empty={draft.faqs.is_empty().then_some("No questions yet.")}
                add_id="add-faq" add_label="Add a question" onadd={add}>
                { for rows }
            </ListEditor>
        }
    };

    let problems = error.as_ref().map(|e| e.fields.len()).unwrap_or(0);
    let save_status = if *busy {
        html! { <span class="muted" role="status">{ "Saving…" }</span> }
    } else if state.saved && !dirty {
        html! { <span class="saved" role="status" id="agent-saved" data-testid="success">{ "Saved" }</span> }
    } else if problems > 0 {
        html! {
            <span class="field-error">
                { format!("{problems} field{} need{} attention", if problems == 1 { "" } else { "s" }, if problems == 1 { "s" } else { "" }) }
            </span>
        }
    } else if error.is_some() {
        html! { <span class="field-error">{ "Not saved" }</span> }
    } else if dirty {
        html! { <span class="muted">{ "Unsaved changes" }</span> }
    } else {
        html! {}
    };

    html! {
        <form class="stack editor" id="agent-form" onsubmit={onsubmit} novalidate=true data-testid="agent-form">
            { for summary }
            { basics }
            { profile }
            { hours }
            { closures }
            { services }
            { faqs }
            <div class="save-bar">
                <div class="save-status">{ save_status }</div>
                <button type="submit" class="btn btn-primary" id="agent-save" disabled={*busy}
                    aria-busy={busy.then_some("true")}>
                    if *busy {
                        <span class="spinner spinner-light" aria-hidden="true"></span>
                        { "Saving…" }
                    } else {
                        { "Save" }
                    }
                </button>
            </div>
        </form>
    }
}
