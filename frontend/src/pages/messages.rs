//! `/messages?status=&page=`: messages callers left with the receptionist.
//! Tabs Unhandled (the default) / Handled / All; "Mark handled" takes a
//! message off the Unhandled list.

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use shared::api::{CallerMessage, MessageFilter, MessageId, MessagePage};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{fmt_local, is_urgent, urgency_badge, Card, Pager};
use crate::hooks::{use_api, use_row_actions, use_signed_in};
use crate::session::use_session;
use crate::Route;

const PER_PAGE: i64 = 25;

/// The default tab, where a handled message leaves the list.
const UNHANDLED: MessageFilter = MessageFilter::Unhandled;

const TABS: &[(MessageFilter, &str)] = &[
    (UNHANDLED, "Unhandled"),
    (MessageFilter::Handled, "Handled"),
    (MessageFilter::All, "All"),
];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct MessagesQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<i64>,
}

/// Marked handled: the message replaces its old self, or leaves the list
/// (`drop`, on the Unhandled tab).
fn handled(p: &mut MessagePage, message: CallerMessage, drop: bool) {
    let was_unhandled = p
        .messages
        .iter()
        .any(|m| m.id == message.id && m.handled_at.is_none());
    if drop {
        let before = p.messages.len();
        p.messages.retain(|m| m.id != message.id);
        if p.messages.len() < before {
            p.total = (p.total - 1).max(0);
        }
    } else if let Some(m) = p.messages.iter_mut().find(|m| m.id == message.id) {
        *m = message;
    }
    if was_unhandled {
        p.unhandled = (p.unhandled - 1).max(0);
    }
}

#[function_component(MessagesPage)]
pub fn messages_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let navigator = use_navigator();
    let location = use_location();
    let query = location
        .and_then(|l| l.query::<MessagesQuery>().ok())
        .unwrap_or_default();
    let status = query
        .status
        .as_deref()
        .and_then(|s| s.parse::<MessageFilter>().ok())
        .unwrap_or(UNHANDLED);
    let page = query.page.unwrap_or(1).max(1);
    let signed_in = session.me().is_some();

    let inbox = use_api(
        signed_in.then_some((status, page)),
        |api, (status, page)| async move { api.messages(status, page, PER_PAGE).await },
    );
    let actions = use_row_actions();

    if let Err(other) = gate {
        return other;
    }

    let go = {
        let navigator = navigator.clone();
        Rc::new(move |status: MessageFilter, page: i64| {
            let q = MessagesQuery {
                status: (status != UNHANDLED).then(|| status.to_string()),
                page: (page > 1).then_some(page),
            };
            if let Some(nav) = &navigator {
                let _ = nav.push_with_query(&Route::Messages, &q);
            }
        })
    };

    let mark = {
        let (inbox, actions) = (inbox.clone(), actions.clone());
        let drop = status == UNHANDLED;
        Callback::from(move |id: MessageId| {
            let inbox = inbox.clone();
            actions.run(
                id,
                move |api| async move { api.mark_message_handled(id).await },
                move |message| inbox.update(move |p| handled(p, message, drop)),
            );
        })
    };

    let unhandled_count = inbox.loaded().map(|p| p.unhandled);
    let tabs = html! {
        <nav class="tabs" aria-label="Which messages">
            { for TABS.iter().map(|&(key, label)| {
                let active = key == status;
                let onclick = {
                    let go = go.clone();
                    Callback::from(move |_: MouseEvent| go(key, 1))
                };
                html! {
                    <button type="button" class={classes!("tab", active.then_some("active"))}
                        id={format!("tab-{key}")} data-testid={format!("tab-{key}")}
                        aria-current={active.then_some("page")} onclick={onclick}>
                        { label }
                        if key == UNHANDLED {
                            if let Some(n) = unhandled_count.filter(|n| *n > 0) {
                                <span class="tab-count" data-testid="unhandled-count">{ n }</span>
                            }
                        }
                    </button>
                }
            }) }
        </nav>
    };

    let body = inbox.view("Loading messages…", |p| {
        let onchange = {
            let go = go.clone();
            Callback::from(move |to: i64| go(status, to.max(1)))
        };
        let items = p.messages.iter().map(|m| {
            let is_busy = actions.is_busy(m.id);
            let error = actions.error(m.id);
            let onclick = {
                let (mark, id) = (mark.clone(), m.id);
                Callback::from(move |_: MouseEvent| mark.emit(id))
            };
            let name = if m.caller_name.trim().is_empty() {
                "Unknown caller".to_string()
            } else {
                m.caller_name.clone()
            };
            html! {
                <li class={classes!("message-row", is_urgent(m.urgency).then_some("message-urgent"),
                        m.handled_at.is_some().then_some("message-handled"))}
                    data-testid="message-row" data-message-id={m.id.to_string()} key={m.id.to_string()}>
                    <div class="message-head">
                        <strong class="message-caller">{ &name }</strong>
                        if !m.caller_number.trim().is_empty() {
                            <a class="message-number" href={format!("tel:{}", m.caller_number.trim())}>
                                { &m.caller_number }
                            </a>
                        }
                        { urgency_badge(m.urgency) }
                    </div>
                    <p class="message-reason">{ &m.reason }</p>
                    <div class="message-meta muted small">
                        <span>{ fmt_local(&m.created_at) }</span>
                        if let Some(agent) = &m.agent_name {
                            <span>{ format!("Taken by {agent}") }</span>
                        }
                        if let Some(call_id) = m.call_id {
                            <Link<Route> to={Route::Call { id: call_id.to_string() }} classes="message-call">
                                { "View the call" }
                            </Link<Route>>
                        }
                    </div>
                    if let Some(text) = error {
                        <p class="field-error" role="alert" data-testid="form-error">{ text }</p>
                    }
                    <div class="message-actions">
                        if let Some(at) = &m.handled_at {
                            <span class="muted small handled-at">{ format!("Handled {}", fmt_local(at)) }</span>
                        } else {
                            <button type="button" class="btn btn-secondary btn-small mark-handled"
                                onclick={onclick} disabled={is_busy} aria-busy={is_busy.then_some("true")}>
                                { if is_busy { "Marking…" } else { "Mark handled" } }
                                <span class="visually-hidden">{ format!(": message from {name}") }</span>
                            </button>
                        }
                    </div>
                </li>
            }
        });
        let empty = match status {
            MessageFilter::Unhandled => "You're all caught up: no new messages.",
            MessageFilter::Handled => "No handled messages yet.",
            MessageFilter::All => "No messages yet. When a caller leaves a message, it shows up here.",
        };
        html! {
            <>
                if p.messages.is_empty() {
                    <p class="empty" data-testid="messages-empty">{ empty }</p>
                } else {
                    <ul class="message-list" data-testid="message-list">{ for items }</ul>
                }
                if p.total > p.per_page.max(1) || p.page > 1 {
                    <Pager page={p.page} total={p.total} per_page={p.per_page} {onchange} />
                }
            </>
        }
    });

    html! {
        <Card title="Messages" testid="messages-page"
            subtitle="Messages callers left with your receptionist. Mark them handled once you've called back.">
            { tabs }
            { body }
        </Card>
    }
}
