//! The "Delete agent" card.

use shared::api::Agent;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::failure;
use crate::hooks::use_action;
use crate::Route;

use super::confirm::{use_ask, Confirm};

#[derive(Properties, PartialEq)]
pub struct DeleteCardProps {
    pub agent: Agent,
}

#[function_component(DeleteCard)]
pub fn delete_card(props: &DeleteCardProps) -> Html {
    let navigator = use_navigator();
    // The agents list is next: busy until it shows.
    let action = use_action().leaving();
    let ask = use_ask(&action);
    let id = props.agent.id;

    let on_delete = {
        let action = action.clone();
        Callback::from(move |_: MouseEvent| {
            let navigator = navigator.clone();
            action.run(
                move |api| async move { api.delete_agent(id).await },
                move |()| {
                    if let Some(nav) = navigator {
                        nav.push(&Route::Agents);
                    }
                },
            );
        })
    };

    html! {
        <section class="card card-danger" data-testid="delete-agent">
            <h2 class="card-title">{ "Delete agent" }</h2>
            { for action.error().as_ref().map(failure) }
            if ask.open {
                <Confirm question_id="delete-question" question={format!("Delete “{}”?", props.agent.name)}
                    detail=" It will stop answering calls right away. This can't be undone."
                    confirm_id="agent-delete-confirm" confirm_label="Yes, delete this agent"
                    busy_label="Deleting…" cancel_label="Cancel" busy={action.busy()}
                    onconfirm={on_delete} oncancel={ask.cancel.clone()} />
            } else {
                <p class="muted">{ "Deleting an agent stops it answering calls. This can't be undone." }</p>
                <button type="button" class="btn btn-danger-outline" id="agent-delete" onclick={ask.ask.clone()}>
                    { "Delete agent" }
                </button>
            }
        </section>
    }
}
