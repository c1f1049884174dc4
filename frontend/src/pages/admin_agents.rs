//! `/admin/agents?q=&page=` (every agent of every account; pause / resume)
//! and `/admin/numbers` (the phone number pool; provision more).

use std::rc::Rc;

use shared::api::{AdminAgent, AdminAgentPage, AgentStatus, NumberPool, ProvisionNumbers};
use uuid::Uuid;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api::ApiError;
use crate::components::{
    field_error, fmt_date, invalid_fields, set_load, use_list_query, use_signed_in, Field,
    FormError, FormValues, Load, Loading, Pager, SubmitButton, Success,
};
use crate::pages::admin::{failure, not_allowed};
use crate::pages::agents::{status_badge, template_name};
use crate::session::{use_session, SessionAction};
use crate::Route;

const PER_PAGE: i64 = 25;
/// `POST /api/admin/numbers` provisions 1 to this many numbers at once.
const MAX_PROVISION: u32 = 5;

// ---- agents ----------------------------------------------------------------------

/// Changes to the agents list (`Load<AdminAgentPage>` is its reducer state).
pub enum AgentsAction {
    Set(Load<AdminAgentPage>),
    /// Paused or resumed: replace the row.
    Update(AdminAgent),
}

impl Reducible for Load<AdminAgentPage> {
    type Action = AgentsAction;

    fn reduce(self: Rc<Self>, action: AgentsAction) -> Rc<Self> {
        Rc::new(match action {
            AgentsAction::Set(state) => state,
            AgentsAction::Update(agent) => {
                let Load::Loaded(p) = &*self else {
                    return self;
                };
                let mut p = p.clone();
                if let Some(a) = p.agents.iter_mut().find(|a| a.id == agent.id) {
                    *a = agent;
                }
                Load::Loaded(p)
            }
        })
    }
}

#[function_component(AdminAgentsPage)]
pub fn admin_agents_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let search = use_list_query(Route::AdminAgents);
    let (q, page) = (search.q.clone(), search.page);
    let is_admin = session.is_admin();

    let list = use_reducer(|| Load::<AdminAgentPage>::Loading);
    let request_seq = use_mut_ref(|| 0u32);
    let busy = use_state(Vec::<Uuid>::new);
    let row_error = use_state(|| None::<(Uuid, String)>);

    {
        let list = list.dispatcher();
        let api = session.api();
        let session = session.clone();
        let request_seq = request_seq.clone();
        use_effect_with((q.clone(), page, is_admin), move |(q, page, is_admin)| {
            if *is_admin {
                let seq = {
                    let mut s = request_seq.borrow_mut();
                    *s += 1;
                    *s
                };
                list.dispatch(AgentsAction::Set(Load::Loading));
                let (q, page) = (q.clone(), *page);
                yew::platform::spawn_local(async move {
                    let result = api.admin_agents(&q, page, PER_PAGE).await;
                    if *request_seq.borrow() != seq {
                        return;
                    }
                    set_load(&session, result, |l| list.dispatch(AgentsAction::Set(l)));
                });
            }
        });
    }

    if let Err(other) = gate {
        return other;
    }
    if !is_admin {
        return not_allowed();
    }

    let toggle = {
        let (session, list, busy, row_error) = (
            session.clone(),
            list.dispatcher(),
            busy.clone(),
            row_error.clone(),
        );
        Callback::from(move |(id, pause): (Uuid, bool)| {
            if busy.contains(&id) {
                return;
            }
            let mut now = (*busy).clone();
            now.push(id);
            busy.set(now);
            row_error.set(None);
            let (session, list, busy, row_error) = (
                session.clone(),
                list.clone(),
                busy.clone(),
                row_error.clone(),
            );
            let api = session.api();
            yew::platform::spawn_local(async move {
                let result = if pause {
                    api.admin_pause_agent(id).await
                } else {
                    api.admin_resume_agent(id).await
                };
                let mut now = (*busy).clone();
                now.retain(|b| *b != id);
                busy.set(now);
                match result {
                    Ok(a) => list.dispatch(AgentsAction::Update(a)),
                    Err(e) if e.is_unauthenticated() => session.dispatch(SessionAction::SignedOut),
                    Err(e) => row_error.set(Some((id, e.message))),
                }
            });
        })
    };

    let body = match &*list {
        Load::Loading => html! { <Loading label="Loading agents…" /> },
        Load::Failed(e) => failure(e),
        Load::Loaded(p) => {
            let rows = p.agents.iter().map(|a| {
                let paused = a.status == AgentStatus::Paused;
                let is_busy = busy.contains(&a.id);
                let onclick = {
                    let (toggle, id) = (toggle.clone(), a.id);
                    Callback::from(move |_: MouseEvent| toggle.emit((id, !paused)))
                };
                let error = row_error
                    .as_ref()
                    .filter(|(id, _)| *id == a.id)
                    .map(|(_, m)| m.clone());
                html! {
                    <tr class="admin-agent-row" data-testid="admin-agent-row" data-agent-id={a.id.to_string()}
                        key={a.id.to_string()}>
                        <td data-label="Agent"><strong>{ &a.name }</strong></td>
                        <td data-label="Business">{ &a.business_name }</td>
                        <td data-label="Template">{ template_name(None, &a.template) }</td>
                        <td data-label="Status">{ status_badge(a.status, None) }</td>
                        <td data-label="Number">
                            { match &a.number {
                                Some(n) => html! { <span class="phone-number">{ n }</span> },
                                None => html! { <span class="muted">{ "—" }</span> },
                            } }
                        </td>
                        <td data-label="Created">{ fmt_date(&a.created_at) }</td>
                        <td class="row-actions">
                            <button type="button"
                                class={classes!("btn", "btn-small", if paused { "btn-primary" } else { "btn-secondary" },
                                    if paused { "resume-agent" } else { "pause-agent" })}
                                onclick={onclick} disabled={is_busy} aria-busy={is_busy.then_some("true")}>
                                { match (paused, is_busy) {
                                    (true, true) => "Resuming…",
                                    (true, false) => "Resume",
                                    (false, true) => "Pausing…",
                                    (false, false) => "Pause",
                                } }
                                <span class="visually-hidden">{ format!(" {}", a.name) }</span>
                            </button>
                            if let Some(message) = error {
                                <p class="field-error" role="alert" data-testid="form-error">{ message }</p>
                            }
                        </td>
                    </tr>
                }
            });
            html! {
                <>
                    <p class="muted" data-testid="agents-total">
                        { format!("{} agent{}", p.total, if p.total == 1 { "" } else { "s" }) }
                        if !q.is_empty() { { format!(" matching “{q}”") } }
                    </p>
                    if p.agents.is_empty() {
                        <p class="empty" data-testid="agents-empty">{ "No agents found." }</p>
                    } else {
                        <div class="table-wrap">
                            <table class="table" data-testid="admin-agents-table">
                                <thead>
                                    <tr>
                                        <th scope="col">{ "Agent" }</th>
                                        <th scope="col">{ "Business" }</th>
                                        <th scope="col">{ "Template" }</th>
                                        <th scope="col">{ "Status" }</th>
                                        <th scope="col">{ "Number" }</th>
                                        <th scope="col">{ "Created" }</th>
                                        <th scope="col"><span class="visually-hidden">{ "Actions" }</span></th>
                                    </tr>
                                </thead>
                                <tbody>{ for rows }</tbody>
                            </table>
                        </div>
                    }
                    <Pager page={p.page} total={p.total} per_page={p.per_page} onchange={search.onpage.clone()} />
                </>
            }
        }
    };

    html! {
        <section class="card card-wide" data-testid="admin-agents-page">
            <h1 class="card-title">{ "All agents" }</h1>
            <p class="card-subtitle">{ "Every agent of every account. Pausing an agent stops it answering calls until it is resumed." }</p>
            <form class="search" role="search" onsubmit={search.onsubmit}>
                <label for="q" class="visually-hidden">{ "Search agents" }</label>
                <input id="q" name="q" type="search" placeholder="Search by agent or business name"
                    value={search.text} oninput={search.oninput} data-testid="agents-search" />
                <button type="submit" class="btn btn-primary">{ "Search" }</button>
            </form>
            { body }
        </section>
    }
}

// ---- numbers ---------------------------------------------------------------------

#[function_component(AdminNumbersPage)]
pub fn admin_numbers_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let is_admin = session.is_admin();
    let pool = use_state(|| Load::<NumberPool>::Loading);
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let done = use_state(|| None::<String>);
    let count = use_state(|| "1".to_string());

    {
        let (pool, session) = (pool.clone(), session.clone());
        use_effect_with(is_admin, move |is_admin| {
            if *is_admin {
                let api = session.api();
                yew::platform::spawn_local(async move {
                    let result = api.admin_numbers().await;
                    set_load(&session, result, |l| pool.set(l));
                });
            }
        });
    }

    if let Err(other) = gate {
        return other;
    }
    if !is_admin {
        return not_allowed();
    }

    let onsubmit = {
        let (session, pool, busy, error, done) = (
            session.clone(),
            pool.clone(),
            busy.clone(),
            error.clone(),
            done.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            let values = FormValues::from_submit(&e);
            if *busy {
                return;
            }
            done.set(None);
            let area_code = values.get("area_code").trim().to_string();
            let count_text = values.get("count").trim().to_string();
            let count = match count_text.parse::<u32>() {
                Ok(n) if (1..=MAX_PROVISION).contains(&n) => n,
                _ => {
                    return error.set(Some(invalid_fields(&[(
                        "count",
                        "Enter a number from 1 to 5.",
                    )])))
                }
            };
            let request = ProvisionNumbers {
                area_code: (!area_code.is_empty()).then_some(area_code),
                count: Some(count),
            };
            let before = match &*pool {
                Load::Loaded(p) => Some(p.numbers.len()),
                _ => None,
            };
            busy.set(true);
            error.set(None);
            let (session, pool, busy, error, done) = (
                session.clone(),
                pool.clone(),
                busy.clone(),
                error.clone(),
                done.clone(),
            );
            let api = session.api();
            yew::platform::spawn_local(async move {
                let result = api.admin_provision_numbers(&request).await;
                busy.set(false);
                match result {
                    Ok(p) => {
                        let added = before
                            .map(|b| p.numbers.len().saturating_sub(b))
                            .unwrap_or(count as usize);
                        done.set(Some(format!(
                            "Provisioned {added} number{}. {} available.",
                            if added == 1 { "" } else { "s" },
                            p.available
                        )));
                        pool.set(Load::Loaded(p));
                    }
                    Err(e) if e.is_unauthenticated() => session.dispatch(SessionAction::SignedOut),
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };

    let on_count = {
        let count = count.clone();
        Callback::from(move |e: InputEvent| {
            count.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };

    let table = match &*pool {
        Load::Loading => html! { <Loading label="Loading numbers…" /> },
        Load::Failed(e) => failure(e),
        Load::Loaded(p) => html! {
            <>
                <p class="pool-count">
                    <strong id="numbers-available" data-testid="numbers-available">{ p.available }</strong>
                    { format!(" of {} number{} available for new agents", p.numbers.len(),
                        if p.numbers.len() == 1 { "" } else { "s" }) }
                </p>
                if p.numbers.is_empty() {
                    <p class="empty" data-testid="numbers-empty">{ "The pool is empty. Provision numbers below." }</p>
                } else {
                    <div class="table-wrap">
                        <table class="table" data-testid="numbers-table">
                            <thead>
                                <tr>
                                    <th scope="col">{ "Number" }</th>
                                    <th scope="col">{ "Area code" }</th>
                                    <th scope="col">{ "Status" }</th>
                                    <th scope="col">{ "Account" }</th>
                                    <th scope="col">{ "Agent" }</th>
                                </tr>
                            </thead>
                            <tbody>
                                { for p.numbers.iter().map(|n| html! {
                                    <tr class="number-row" data-testid="number-row" key={n.id.to_string()}>
                                        <td data-label="Number"><span class="phone-number">{ &n.number }</span></td>
                                        <td data-label="Area code">{ &n.area_code }</td>
                                        <td data-label="Status">
                                            <span class={classes!("badge", if n.status == "active" { "status-active" } else { "badge-warn" })}>
                                                { if n.status == "active" { "Active".to_string() } else if n.status == "activating" { "Activating".to_string() } else { n.status.clone() } }
                                            </span>
                                        </td>
                                        <td data-label="Account">
                                            { n.business_name.clone().unwrap_or_else(|| "—".into()) }
                                        </td>
                                        <td data-label="Agent">
                                            { match &n.agent_name {
                                                Some(name) => html! { { name } },
                                                None if n.agent_id.is_some() => html! { { "Taken" } },
                                                None => html! { <span class="available">{ "Available" }</span> },
                                            } }
                                        </td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                }
            </>
        },
    };

    html! {
        <div class="stack stack-wide" data-testid="admin-numbers-page">
            <section class="card card-wide">
                <h1 class="card-title">{ "Phone numbers" }</h1>
                <p class="card-subtitle">{ "The pool owners take numbers from when they set up an agent." }</p>
                { table }
            </section>
            <section class="card card-wide" data-testid="provision-numbers">
                <h2 class="card-title">{ "Provision numbers" }</h2>
                if let Some(message) = &*done {
                    <Success><p>{ message }</p></Success>
                }
                <form class="form" onsubmit={onsubmit} novalidate=true data-testid="provision-form">
                    <FormError error={(*error).clone()} shown_fields={&["area_code", "count"][..]} />
                    <div class="form-grid form-grid-tight">
                        <Field name="area_code" label="Area code (optional)" inputmode="numeric" placeholder="e.g. 415"
                            autocomplete="off" hint="Leave empty for the default, 415 (San Francisco)."
                            error={field_error(&error, "area_code")} />
                        <Field name="count" label="How many (1–5)" input_type="number" inputmode="numeric"
                            value={(*count).clone()} oninput={on_count}
                            error={field_error(&error, "count")} />
                    </div>
                    <SubmitButton label="Provision numbers" busy_label="Provisioning…" busy={*busy} />
                </form>
            </section>
        </div>
    }
}
