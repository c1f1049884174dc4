//! The editor form: the error summary, the sections and the save bar. One
//! Save PATCHes everything.

use shared::api::{Agent, Catalog};
use yew::prelude::*;

use crate::components::{focus_by_id, SubmitButton};
use crate::hooks::use_action;

use super::basics::BasicsSection;
use super::closures::ClosuresSection;
use super::draft::{path_id, path_label, Draft};
use super::faqs::FaqsSection;
use super::hours::HoursSection;
use super::profile::ProfileSection;
use super::services::ServicesSection;
use super::state::{Editor, EditorAction, Focus};

#[derive(Properties, PartialEq)]
pub struct AgentEditorProps {
    pub agent: Agent,
    pub catalog: Catalog,
    pub editor: UseReducerHandle<Editor>,
    pub on_agent: Callback<Agent>,
}

#[function_component(AgentEditor)]
pub fn agent_editor(props: &AgentEditorProps) -> Html {
    let action = use_action();
    let focus = use_state(Focus::default);
    let summary_ref = use_node_ref();
    let state = &*props.editor;
    let d = props.editor.dispatcher();
    let draft = &state.draft;
    let error = &state.error;
    let dirty = state.draft != state.base;
    let busy = action.busy();

    {
        let pending = focus.0.clone();
        use_effect(move || {
            if let Some(id) = pending.borrow_mut().take() {
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
        let (action, d, on_agent) = (action.clone(), d.clone(), props.on_agent.clone());
        let (draft, id) = (draft.clone(), props.agent.id);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if action.busy() {
                return;
            }
            let patch = match draft.patch() {
                Ok(patch) => patch,
                Err(err) => return d.dispatch(EditorAction::Failed(err)),
            };
            let (d, failed, on_agent) = (d.clone(), d.clone(), on_agent.clone());
            action.run_then(
                move |api| async move { api.update_agent(id, &patch).await },
                move |result| {
                    match result {
                        Ok(a) => {
                            d.dispatch(EditorAction::Saved(Draft::of(&a)));
                            on_agent.emit(a);
                        }
                        Err(e) => failed.dispatch(EditorAction::Failed(e)),
                    }
                    None
                },
            );
        })
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

    let (editor, focus) = (props.editor.clone(), (*focus).clone());
    let problems = error.as_ref().map(|e| e.fields.len()).unwrap_or(0);
    let save_status = if busy {
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
            <BasicsSection editor={editor.clone()} catalog={props.catalog.clone()} />
            <ProfileSection editor={editor.clone()} focus={focus.clone()} />
            <HoursSection editor={editor.clone()} focus={focus.clone()} />
            <ClosuresSection editor={editor.clone()} focus={focus.clone()} />
            <ServicesSection editor={editor.clone()} focus={focus.clone()} />
            <FaqsSection {editor} {focus} />
            <div class="save-bar">
                <div class="save-status">{ save_status }</div>
                <SubmitButton id="agent-save" label="Save" busy_label="Saving…" {busy} block=false />
            </div>
        </form>
    }
}
