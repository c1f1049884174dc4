//! The "Phone number" card: take a number from the pool, or release it.

use shared::api::{Agent, TakeNumber};
use yew::prelude::*;

use crate::components::{
    failure, field_error, number_badge, number_is_active, Field, FormError, SubmitButton,
};
use crate::hooks::use_action;

use super::confirm::{use_ask, Confirm};

#[derive(Properties, PartialEq)]
pub struct AgentPartProps {
    pub agent: Agent,
    pub on_agent: Callback<Agent>,
}

#[function_component(NumberCard)]
pub fn number_card(props: &AgentPartProps) -> Html {
    let action = use_action();
    let ask = use_ask(&action);
    let a = &props.agent;
    let id = a.id;

    let on_take = {
        let on_agent = props.on_agent.clone();
        action.on_submit(
            |values| {
                let area_code = values.get("area_code").trim().to_string();
                Ok(TakeNumber {
                    area_code: (!area_code.is_empty()).then_some(area_code),
                })
            },
            move |api, request| async move { api.take_number(id, &request).await },
            move |a| on_agent.emit(a),
        )
    };

    let on_release = {
        let (action, ask, on_agent) = (action.clone(), ask.clone(), props.on_agent.clone());
        Callback::from(move |_: MouseEvent| {
            let (ask, on_agent) = (ask.clone(), on_agent.clone());
            action.run_then(
                move |api| async move { api.release_number(id).await },
                move |result| {
                    ask.close();
                    result.map(|a| on_agent.emit(a)).err()
                },
            );
        })
    };

    let (busy, error) = (action.busy(), action.error());
    let body = match &a.number {
        Some(n) => {
            let active = number_is_active(n.status);
            html! {
                <>
                    <p class="number-line">
                        <span class="muted">{ "Callers reach this agent at " }</span>
                        <strong class="phone-number" id="agent-number" data-testid="agent-number">{ n.number.as_str() }</strong>
                        { " " }
                        { number_badge(n.status, Some("number-status")) }
                    </p>
                    if !active {
                        <p class="muted small">{ "The number is being connected; this usually takes a minute or two." }</p>
                    }
                    { for error.as_ref().map(failure) }
                    if ask.open {
                        <Confirm question_id="release-question" question="Release this number?"
                            detail=" Callers who dial it will no longer reach your agent, and you may not get the same number back."
                            confirm_id="release-number-confirm" confirm_label="Yes, release it"
                            busy_label="Releasing…" cancel_label="Keep it" {busy}
                            onconfirm={on_release} oncancel={ask.cancel.clone()} />
                    } else {
                        <div class="actions">
                            <button type="button" class="btn btn-secondary" id="release-number" onclick={ask.ask.clone()}>
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
                <FormError error={error.clone()} shown_fields={&["area_code"][..]} />
                <div class="form-row form-row-end">
                    <Field name="area_code" label="Preferred area code (optional)" inputmode="numeric"
                        autocomplete="off" placeholder="e.g. 415"
                        error={field_error(&error, "area_code")} />
                    <SubmitButton id="take-number" label="Get a phone number" busy_label="Getting a number…"
                        {busy} block=false />
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
