//! `/calls` (call history with filters; the filters and page live in the
//! URL: `?agent_id=&from=&to=&outcome=&page=`) and `/calls/:id` (one call:
//! facts, summary, recording and the conversation).

use std::rc::Rc;

use shared::api::{CallId, Turn};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::ApiError;
use crate::components::{
    back_link, count_of, detail_view, ended_reason_label, fmt_clock, fmt_local, outcome_badge,
    outcome_label, row_link, truncate, turn_role, Card, DetailTexts, Pager, Table, OUTCOMES,
};
use crate::hooks::{use_api, use_signed_in};
use crate::queries::CallsQuery;
use crate::session::use_session;
use crate::units::minutes;
use crate::Route;

const COLUMNS: &[&str] = &[
    "When",
    "Agent",
    "Caller",
    "#Duration",
    "Outcome",
    "#Credits",
    "Summary",
];

const CALL_TEXTS: DetailTexts = DetailTexts {
    loading: "Loading the call…",
    title: "Call",
    not_found_title: "Call not found",
    not_found_text: "We couldn't find this call.",
    not_found_testid: "call-not-found",
};

/// Characters of a call's summary shown in the table.
const SUMMARY_CHARS: usize = 90;

// ---- list ----------------------------------------------------------------------

#[function_component(CallsPage)]
pub fn calls_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let navigator = use_navigator();
    let location = use_location();
    let query = location
        .and_then(|l| l.query::<CallsQuery>().ok())
        .unwrap_or_default()
        .cleaned();
    let api_query = query.api();
    let signed_in = session.me().is_some();

    let agents = use_api(signed_in.then_some(()), |api, ()| async move {
        api.agents().await.map(|list| list.agents)
    });
    let calls = use_api(signed_in.then(|| api_query.clone()), |api, q| async move {
        api.calls(&q).await
    });
    let agent_select = use_node_ref();
    let outcome_select = use_node_ref();

    {
        // Once a person has used a select, its options' `selected` no longer
        // moves it: set the value the URL says (e.g. after "Clear filters").
        let (agent_select, outcome_select) = (agent_select.clone(), outcome_select.clone());
        let agents_loaded = agents.loaded().is_some();
        use_effect_with(
            (
                query.agent_id.clone().unwrap_or_default(),
                query.outcome.clone().unwrap_or_default(),
                agents_loaded,
            ),
            move |(agent_id, outcome, _)| {
                if let Some(select) = agent_select.cast::<HtmlSelectElement>() {
                    select.set_value(agent_id);
                }
                if let Some(select) = outcome_select.cast::<HtmlSelectElement>() {
                    select.set_value(outcome);
                }
            },
        );
    }

    if let Err(other) = gate {
        return other;
    }

    let go = {
        let navigator = navigator.clone();
        Rc::new(move |q: CallsQuery| {
            if let Some(nav) = &navigator {
                let _ = nav.push_with_query(&Route::Calls, &q.cleaned());
            }
        })
    };
    // A filter changed: back to page 1.
    let set_filter = |apply: fn(&mut CallsQuery, String)| {
        let (go, query) = (go.clone(), query.clone());
        move |value: String| {
            let mut next = query.clone();
            apply(&mut next, value);
            next.page = None;
            go(next);
        }
    };
    let on_select = |apply: fn(&mut CallsQuery, String)| {
        let set = set_filter(apply);
        Callback::from(move |e: Event| set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let on_date = |apply: fn(&mut CallsQuery, String)| {
        let set = set_filter(apply);
        Callback::from(move |e: Event| set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let clear = {
        let go = go.clone();
        Callback::from(move |_: MouseEvent| go(CallsQuery::default()))
    };
    let onsubmit = Callback::from(|e: SubmitEvent| e.prevent_default());

    let agent_options = agents.loaded().cloned().unwrap_or_default();
    let selected_agent = query.agent_id.clone().unwrap_or_default();
    let unknown_agent = !selected_agent.is_empty()
        && agents.loaded().is_some()
        && !agent_options
            .iter()
            .any(|a| a.id.to_string() == selected_agent);
    let selected_outcome = query.outcome.clone().unwrap_or_default();

    let filters = html! {
        <form class="filters" role="search" aria-label="Filter calls" onsubmit={onsubmit} data-testid="call-filters">
            <div class="field">
                <label for="agent_id">{ "Agent" }</label>
                <select id="agent_id" name="agent_id" ref={agent_select.clone()} onchange={on_select(|q, v| q.agent_id = Some(v))}>
                    <option value="" selected={selected_agent.is_empty()}>{ "All agents" }</option>
                    if unknown_agent {
                        <option value={selected_agent.clone()} selected=true>{ "Deleted agent" }</option>
                    }
                    { for agent_options.iter().map(|a| {
                        let id = a.id.to_string();
                        html! {
                            <option value={id.clone()} selected={id == selected_agent}>{ &a.name }</option>
                        }
                    }) }
                </select>
            </div>
            <div class="field">
                <label for="from">{ "From" }</label>
                <input type="date" id="from" name="from" value={query.from.clone().unwrap_or_default()}
                    onchange={on_date(|q, v| q.from = Some(v))} />
            </div>
            <div class="field">
                <label for="to">{ "To" }</label>
                <input type="date" id="to" name="to" value={query.to.clone().unwrap_or_default()}
                    onchange={on_date(|q, v| q.to = Some(v))} />
            </div>
            <div class="field">
                <label for="outcome">{ "Outcome" }</label>
                <select id="outcome" name="outcome" ref={outcome_select.clone()} onchange={on_select(|q, v| q.outcome = Some(v))}>
                    <option value="" selected={selected_outcome.is_empty()}>{ "All outcomes" }</option>
                    { for OUTCOMES.iter().map(|outcome| html! {
                        <option value={outcome.as_str()} selected={outcome.as_str() == selected_outcome}>
                            { outcome_label(*outcome) }
                        </option>
                    }) }
                </select>
            </div>
            if query.has_filters() {
                <div class="filters-clear">
                    <button type="button" class="btn btn-secondary" id="clear-filters" onclick={clear}>
                        { "Clear filters" }
                    </button>
                </div>
            }
        </form>
    };

    let body = calls.view("Loading calls…", |p| {
        let onchange = {
            let (go, query) = (go.clone(), query.clone());
            Callback::from(move |to: i64| {
                let mut next = query.clone();
                next.page = Some(to.max(1));
                go(next);
            })
        };
        let rows = p.calls.iter().map(|c| {
            let id = c.id.to_string();
            let (open, link_click) = row_link(&navigator, Route::Call { id: id.clone() });
            let when = c.started_at.as_ref().unwrap_or(&c.created_at);
            html! {
                <tr class="call-row clickable" data-testid="call-row" data-call-id={id.clone()}
                    onclick={open} key={id.clone()}>
                    <td data-label="When">
                        <a href={format!("/calls/{id}")} onclick={link_click}>{ fmt_local(when) }</a>
                    </td>
                    <td data-label="Agent">
                        { c.agent_name.clone().unwrap_or_else(|| "Deleted agent".into()) }
                    </td>
                    <td data-label="Caller">
                        { c.caller.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "Unknown".into()) }
                    </td>
                    <td data-label="Duration" class="num">{ fmt_clock(c.duration_seconds) }</td>
                    <td data-label="Outcome">{ outcome_badge(c.outcome) }</td>
                    <td data-label="Credits" class="num">{ minutes(c.charged_seconds) }</td>
                    <td data-label="Summary" class="wrap summary-cell">
                        { match c.summary.as_deref().filter(|s| !s.trim().is_empty()) {
                            Some(s) => html! { <span title={s.to_string()}>{ truncate(s, SUMMARY_CHARS) }</span> },
                            None => html! { <span class="muted">{ "—" }</span> },
                        } }
                    </td>
                </tr>
            }
        });
        html! {
            <>
                <p class="muted" data-testid="calls-total">{ count_of(p.total, "call") }</p>
                if p.calls.is_empty() {
                    <p class="empty" data-testid="calls-empty">
                        { if query.has_filters() {
                            "No calls match these filters."
                        } else {
                            "No calls yet. Once your agent has a phone number, its calls show up here."
                        } }
                    </p>
                } else {
                    <Table columns={COLUMNS} testid="calls-table">{ for rows }</Table>
                }
                <Pager page={p.page} total={p.total} per_page={p.per_page} {onchange} />
            </>
        }
    });

    html! {
        <Card title="Calls" wide=true testid="calls-page"
            subtitle="Every call your receptionist took. Click a call to read the conversation.">
            { filters }
            { body }
        </Card>
    }
}

// ---- detail --------------------------------------------------------------------

#[derive(Properties, PartialEq)]
pub struct CallDetailProps {
    pub id: String,
}

fn turn_view(turn: &Turn) -> Html {
    let (class, who) = turn_role(turn.role);
    let at = fmt_clock(turn.at_ms.max(0) / 1000);
    html! {
        <li class={classes!("turn", class)} data-role={turn.role.as_str()}>
            <div class="turn-meta">
                <span class="turn-who">{ who }</span>
                <span class="turn-at">{ at }</span>
            </div>
            <p class="turn-text">{ &turn.text }</p>
        </li>
    }
}

#[function_component(CallDetailPage)]
pub fn call_detail_page(props: &CallDetailProps) -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let signed_in = session.me().is_some();
    let id = props.id.trim().parse::<CallId>().ok();
    let detail = use_api(signed_in.then_some(id), |api, id| async move {
        match id {
            Some(id) => api.call(id).await,
            None => Err(ApiError::not_found("There is no call with this id.")),
        }
    });

    if let Err(other) = gate {
        return other;
    }

    let back = back_link(Route::Calls, "← All calls");

    let d = match detail_view(&detail, &CALL_TEXTS, &back) {
        Ok(d) => d,
        Err(other) => return other,
    };
    let c = &d.call;
    let caller = c.caller.clone().filter(|s| !s.is_empty());
    let title = match &caller {
        Some(number) => format!("Call from {number}"),
        None => "Call".to_string(),
    };
    let started = c.started_at.as_ref().unwrap_or(&c.created_at);
    let agent = match (c.agent_id, &c.agent_name) {
        (Some(id), Some(name)) => html! {
            <Link<Route> to={Route::Agent { id: id.to_string() }}>{ name }</Link<Route>>
        },
        (_, Some(name)) => html! { { name } },
        _ => html! { <span class="muted">{ "Deleted agent" }</span> },
    };

    html! {
        <div class="stack" data-testid="call-detail">
            <section class="card">
                <p class="eyebrow">{ "Call" }</p>
                <h1 class="card-title">{ title }</h1>
                <dl class="details">
                    <div><dt>{ "Agent" }</dt><dd data-testid="call-agent">{ agent }</dd></div>
                    <div>
                        <dt>{ "Caller" }</dt>
                        <dd data-testid="call-caller">
                            { match &caller {
                                Some(n) => html! { <a href={format!("tel:{n}")}>{ n }</a> },
                                None => html! { <span class="muted">{ "Unknown" }</span> },
                            } }
                        </dd>
                    </div>
                    <div>
                        <dt>{ "Number called" }</dt>
                        <dd data-testid="call-number">{ d.number.clone().unwrap_or_else(|| "—".into()) }</dd>
                    </div>
                    <div><dt>{ "Started" }</dt><dd data-testid="call-started">{ fmt_local(started) }</dd></div>
                    <div><dt>{ "Duration" }</dt><dd data-testid="call-duration">{ fmt_clock(c.duration_seconds) }</dd></div>
                    <div><dt>{ "Outcome" }</dt><dd data-testid="call-outcome">{ outcome_badge(c.outcome) }</dd></div>
                    <div>
                        <dt>{ "Ended because" }</dt>
                        <dd data-testid="call-ended-reason">
                            { c.ended_reason.as_deref().map(ended_reason_label).filter(|s| !s.is_empty())
                                .unwrap_or_else(|| "—".into()) }
                        </dd>
                    </div>
                    <div><dt>{ "Credits charged" }</dt><dd data-testid="call-charged">{ minutes(c.charged_seconds) }</dd></div>
                </dl>
                { back }
            </section>
            <section class="card" aria-labelledby="summary-title">
                <h2 class="card-title" id="summary-title">{ "Summary" }</h2>
                { match c.summary.as_deref().filter(|s| !s.trim().is_empty()) {
                    Some(s) => html! { <p class="call-summary" id="call-summary">{ s }</p> },
                    None => html! { <p class="muted" id="call-summary">{ "No summary for this call." }</p> },
                } }
            </section>
            <section class="card" aria-labelledby="recording-title">
                <h2 class="card-title" id="recording-title">{ "Recording" }</h2>
                { match &d.recording_url {
                    Some(url) => html! {
                        <div class="recording">
                            <audio controls=true preload="none" src={url.clone()} id="call-audio">
                                { "Your browser can't play this recording here; use the link below." }
                            </audio>
                            <p>
                                <a href={url.clone()} id="recording-link" target="_blank" rel="noopener noreferrer">
                                    { "Open the recording" }
                                    <span class="visually-hidden">{ " (opens in a new tab)" }</span>
                                </a>
                            </p>
                        </div>
                    },
                    None => html! { <p class="muted">{ "No recording for this call." }</p> },
                } }
            </section>
            <section class="card" aria-labelledby="conversation-title">
                <h2 class="card-title" id="conversation-title">{ "Conversation" }</h2>
                if d.transcript.is_empty() {
                    <p class="muted" data-testid="no-transcript">{ "No conversation was recorded for this call." }</p>
                } else {
                    <ol class="conversation" data-testid="conversation">
                        { for d.transcript.iter().map(turn_view) }
                    </ol>
                }
            </section>
        </div>
    }
}
