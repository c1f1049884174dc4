//! `/agents/:id`: one agent. Its status (pause / resume, test call), its
//! phone number (take one from the pool, release it), the editor (basics,
//! business profile, opening hours, closures, services, FAQs; one Save that
//! PATCHes all of it) and delete.
//!
//! The API reports field errors by JSON path (`profile.hours[2].close`): each
//! input's `name` is that path and its `id` the path with `.`, `[` and `]`
//! turned into `-` (`profile-hours-2-close`), so errors show at their input.

mod basics;
mod closures;
mod confirm;
mod delete;
mod draft;
mod editor;
mod faqs;
mod header;
mod hours;
mod number;
mod profile;
mod services;
mod state;
mod tools;

use shared::api::AgentId;
use yew::prelude::*;

use crate::api::ApiError;
use crate::components::{
    back_link, detail_view, failure_with_retry, Card, DetailTexts, Load, Loading,
};
use crate::hooks::{use_api, use_signed_in};
use crate::session::use_session;
use crate::Route;

use delete::DeleteCard;
use draft::Draft;
use editor::AgentEditor;
use header::AgentHeader;
use number::NumberCard;
use state::{Editor, EditorAction};

const AGENT_TEXTS: DetailTexts = DetailTexts {
    loading: "Loading your agent…",
    title: "Agent",
    not_found_title: "Agent not found",
    not_found_text: "We couldn't find this agent. It may have been deleted.",
    not_found_testid: "agent-not-found",
};

#[derive(Properties, PartialEq)]
pub struct AgentPageProps {
    pub id: String,
}

#[function_component(AgentPage)]
pub fn agent_page(props: &AgentPageProps) -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let signed_in = session.me().is_some();
    let id = props.id.trim().parse::<AgentId>().ok();
    let editor = use_reducer(Editor::default);
    let agent = {
        let editor = editor.dispatcher();
        use_api(signed_in.then_some(id), move |api, id| async move {
            let Some(id) = id else {
                return Err(ApiError::not_found("There is no agent with this id."));
            };
            let agent = api.agent(id).await?;
            editor.dispatch(EditorAction::Load(Draft::of(&agent)));
            Ok(agent)
        })
    };
    let catalog = use_api(signed_in.then_some(()), |api, ()| async move {
        api.templates().await
    });

    if let Err(other) = gate {
        return other;
    }

    let back = back_link(Route::Agents, "← All agents");

    let a = match detail_view(&agent, &AGENT_TEXTS, &back) {
        Ok(a) => a.clone(),
        Err(other) => return other,
    };
    let c = match catalog.load() {
        Load::Loaded(c) => c.clone(),
        Load::Failed(e) => {
            return html! {
                <Card title="Agent" narrow=true>
                    { failure_with_retry(e, catalog.retry()) }
                    { back }
                </Card>
            }
        }
        _ => return html! { <Loading label={AGENT_TEXTS.loading} /> },
    };

    let on_agent = agent.setter();
    html! {
        <div class="stack agent-page" data-testid="agent-page" data-agent-id={a.id.to_string()}>
            <AgentHeader agent={a.clone()} catalog={c.clone()} on_agent={on_agent.clone()} />
            <NumberCard agent={a.clone()} on_agent={on_agent.clone()} />
            <AgentEditor agent={a.clone()} catalog={c} editor={editor.clone()} {on_agent} />
            <DeleteCard agent={a} />
        </div>
    }
}
