//! `/admin/agents?q=&page=` (every agent of every account; pause / resume)
//! and `/admin/numbers` (the phone number pool; provision more).

use shared::api::{AgentId, AgentStatus, NumberPool, ProvisionNumbers};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api::ApiError;
use crate::components::{
    count_of, field_error, fmt_date, invalid_fields, list_total, not_allowed, number_badge,
    search_form_of, status_badge, template_name, Card, Field, FormError, FormValues, Pager,
    SubmitButton, Success, Table,
};
use crate::hooks::{use_action, use_api, use_list_query, use_row_actions, use_signed_in};
use crate::session::use_session;
use crate::Route;

const PER_PAGE: i64 = 25;
/// `POST /api/admin/numbers` provisions 1 to this many numbers at once.
const MAX_PROVISION: u32 = 5;

const AGENT_COLUMNS: &[&str] = &[
    "Agent", "Business", "Template", "Status", "Number", "Created", "_Actions",
];

const NUMBER_COLUMNS: &[&str] = &["Number", "Area code", "Status", "Account", "Agent"];

// ---- agents ----------------------------------------------------------------------

#[function_component(AdminAgentsPage)]
pub fn admin_agents_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let search = use_list_query(Route::AdminAgents);
    let (q, page) = (search.q.clone(), search.page);
    let is_admin = session.is_admin();

    let list = use_api(
        is_admin.then(|| (q.clone(), page)),
        |api, (q, page)| async move { api.admin_agents(&q, page, PER_PAGE).await },
    );
    let actions = use_row_actions();

    if let Err(other) = gate {
        return other;
    }
    if !is_admin {
        return not_allowed();
    }

    let toggle = {
        let (list, actions) = (list.clone(), actions.clone());
        Callback::from(move |(id, pause): (AgentId, bool)| {
            let list = list.clone();
            actions.run(
                id,
                move |api| async move {
                    if pause {
                        api.admin_pause_agent(id).await
                    } else {
                        api.admin_resume_agent(id).await
                    }
                },
                move |agent| {
                    list.update(move |p| {
                        if let Some(a) = p.agents.iter_mut().find(|a| a.id == agent.id) {
                            *a = agent;
                        }
                    })
                },
            );
        })
    };

    let body = list.view("Loading agents…", |p| {
        let rows = p.agents.iter().map(|a| {
            let paused = a.status == AgentStatus::Paused;
            let is_busy = actions.is_busy(a.id);
            let onclick = {
                let (toggle, id) = (toggle.clone(), a.id);
                Callback::from(move |_: MouseEvent| toggle.emit((id, !paused)))
            };
            let error = actions.error(a.id);
            html! {
                <tr class="admin-agent-row" data-testid="admin-agent-row" data-agent-id={a.id.to_string()}
                    key={a.id.to_string()}>
                    <td data-label="Agent"><strong>{ &a.name }</strong></td>
                    <td data-label="Business">{ &a.business_name }</td>
                    <td data-label="Template">{ template_name(None, a.template) }</td>
                    <td data-label="Status">{ status_badge(a.status, None) }</td>
                    <td data-label="Number">
                        { match &a.number {
                            Some(n) => html! { <span class="phone-number">{ n.as_str() }</span> },
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
                { list_total("agents-total", p.total, "agent", &q) }
                if p.agents.is_empty() {
                    <p class="empty" data-testid="agents-empty">{ "No agents found." }</p>
                } else {
                    <Table columns={AGENT_COLUMNS} testid="admin-agents-table">{ for rows }</Table>
                }
                <Pager page={p.page} total={p.total} per_page={p.per_page} onchange={search.onpage.clone()} />
            </>
        }
    });

    html! {
        <Card title="All agents" wide=true testid="admin-agents-page"
            subtitle="Every agent of every account. Pausing an agent stops it answering calls until it is resumed.">
            { search_form_of(&search, "Search agents", "Search by agent or business name", "agents-search") }
            { body }
        </Card>
    }
}

// ---- numbers ---------------------------------------------------------------------

/// The provision form's request, or what is wrong with it.
fn provision_request(values: &FormValues) -> Result<ProvisionNumbers, ApiError> {
    let area_code = values.get("area_code").trim().to_string();
    let count = match values.get("count").trim().parse::<u32>() {
        Ok(n) if (1..=MAX_PROVISION).contains(&n) => n,
        _ => return Err(invalid_fields(&[("count", "Enter a number from 1 to 5.")])),
    };
    Ok(ProvisionNumbers {
        area_code: (!area_code.is_empty()).then_some(area_code),
        count: Some(count),
    })
}

#[function_component(AdminNumbersPage)]
pub fn admin_numbers_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let is_admin = session.is_admin();
    let pool = use_api(is_admin.then_some(()), |api, ()| async move {
        api.admin_numbers().await
    });
    let action = use_action();
    let count = use_state(|| "1".to_string());

    if let Err(other) = gate {
        return other;
    }
    if !is_admin {
        return not_allowed();
    }

    let onsubmit = {
        let (before, done, pool) = (
            pool.loaded().map(|p| p.numbers.len()),
            action.clone(),
            pool.clone(),
        );
        action.on_submit(
            provision_request,
            |api, request| async move {
                let asked = request.count.unwrap_or(1) as usize;
                api.admin_provision_numbers(&request)
                    .await
                    .map(|p| (p, asked))
            },
            move |(p, asked): (NumberPool, usize)| {
                let added = before
                    .map(|b| p.numbers.len().saturating_sub(b))
                    .unwrap_or(asked);
                done.set_done(format!(
                    "Provisioned {}. {} available.",
                    count_of(added as i64, "number"),
                    p.available
                ));
                pool.set(p);
            },
        )
    };

    let on_count = {
        let count = count.clone();
        Callback::from(move |e: InputEvent| {
            count.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };

    let table = pool.view("Loading numbers…", |p| html! {
            <>
                <p class="pool-count">
                    <strong id="numbers-available" data-testid="numbers-available">{ p.available }</strong>
                    { format!(" of {} available for new agents", count_of(p.numbers.len() as i64, "number")) }
                </p>
                if p.numbers.is_empty() {
                    <p class="empty" data-testid="numbers-empty">{ "The pool is empty. Provision numbers below." }</p>
                } else {
                    <Table columns={NUMBER_COLUMNS} testid="numbers-table">
                                { for p.numbers.iter().map(|n| html! {
                                    <tr class="number-row" data-testid="number-row" key={n.id.to_string()}>
                                        <td data-label="Number"><span class="phone-number">{ n.number.as_str() }</span></td>
                                        <td data-label="Area code">{ &n.area_code }</td>
                                        <td data-label="Status">{ number_badge(n.status, None) }</td>
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
                    </Table>
                }
            </>
        });

    let error = action.error();
    html! {
        <div class="stack stack-wide" data-testid="admin-numbers-page">
            <Card title="Phone numbers" wide=true
                subtitle="The pool owners take numbers from when they set up an agent.">
                { table }
            </Card>
            <section class="card card-wide" data-testid="provision-numbers">
                <h2 class="card-title">{ "Provision numbers" }</h2>
                if let Some(message) = action.done() {
                    <Success><p>{ message }</p></Success>
                }
                <form class="form" onsubmit={onsubmit} novalidate=true data-testid="provision-form">
                    <FormError error={error.clone()} shown_fields={&["area_code", "count"][..]} />
                    <div class="form-grid form-grid-tight">
                        <Field name="area_code" label="Area code (optional)" inputmode="numeric" placeholder="e.g. 415"
                            autocomplete="off" hint="Leave empty for the default, 415 (San Francisco)."
                            error={field_error(&error, "area_code")} />
                        <Field name="count" label="How many (1–5)" input_type="number" inputmode="numeric"
                            value={(*count).clone()} oninput={on_count}
                            error={field_error(&error, "count")} />
                    </div>
                    <SubmitButton label="Provision numbers" busy_label="Provisioning…" busy={action.busy()} />
                </form>
            </section>
        </div>
    }
}
