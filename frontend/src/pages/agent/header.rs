//! The agent's header card: template, name, status, pause / resume, test
//! call and the link to its calls.

use shared::api::{Agent, AgentStatus, Catalog};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{failure, status_badge, template_name};
use crate::hooks::use_action;
use crate::queries::CallsQuery;
use crate::Route;

#[derive(Properties, PartialEq)]
pub struct AgentHeaderProps {
    pub agent: Agent,
    pub catalog: Catalog,
    pub on_agent: Callback<Agent>,
}

#[function_component(AgentHeader)]
pub fn agent_header(props: &AgentHeaderProps) -> Html {
    let action = use_action();
    let a = &props.agent;
    let paused = a.status == AgentStatus::Paused;

    let toggle = {
        let (action, on_agent) = (action.clone(), props.on_agent.clone());
        let id = a.id;
        Callback::from(move |_: MouseEvent| {
            let on_agent = on_agent.clone();
            action.run(
                move |api| async move {
                    if paused {
                        api.resume_agent(id).await
                    } else {
                        api.pause_agent(id).await
                    }
                },
                move |a| on_agent.emit(a),
            );
        })
    };

    let calls_query = CallsQuery {
        agent_id: Some(a.id.to_string()),
        ..CallsQuery::default()
    };
    let busy = action.busy();

    html! {
        <section class="card" data-testid="agent-header">
            <p class="eyebrow">{ template_name(Some(&props.catalog), a.template) }</p>
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
            if let Some(e) = action.error() {
                { failure(&e) }
            }
            <div class="actions">
                if paused {
                    <button type="button" class="btn btn-primary" id="agent-resume" onclick={toggle}
                        disabled={busy} aria-busy={busy.then_some("true")}>
                        { if busy { "Resuming…" } else { "Resume" } }
                    </button>
                } else {
                    <button type="button" class="btn btn-secondary" id="agent-pause" onclick={toggle}
                        disabled={busy} aria-busy={busy.then_some("true")}>
                        { if busy { "Pausing…" } else { "Pause" } }
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
