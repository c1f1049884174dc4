//! "Are you sure?" before releasing the number or deleting the agent.

use yew::prelude::*;

use crate::hooks::Action;

/// Whether the question is open, with the callbacks that open and close it.
#[derive(Clone, PartialEq)]
pub struct Ask {
    pub open: bool,
    pub ask: Callback<MouseEvent>,
    pub cancel: Callback<MouseEvent>,
    state: UseStateHandle<bool>,
}

impl Ask {
    pub fn close(&self) {
        self.state.set(false);
    }
}

/// The question for `action`: asking clears its last error.
#[hook]
pub fn use_ask(action: &Action) -> Ask {
    let state = use_state(|| false);
    let ask = {
        let (state, action) = (state.clone(), action.clone());
        Callback::from(move |_: MouseEvent| {
            action.clear();
            state.set(true)
        })
    };
    let cancel = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.set(false))
    };
    Ask {
        open: *state,
        ask,
        cancel,
        state,
    }
}

#[derive(Properties, PartialEq)]
pub struct ConfirmProps {
    /// `id` of the question (the group's label).
    pub question_id: AttrValue,
    /// In bold: "Release this number?".
    pub question: AttrValue,
    /// What happens then.
    pub detail: AttrValue,
    pub confirm_id: AttrValue,
    pub confirm_label: AttrValue,
    pub busy_label: AttrValue,
    pub cancel_label: AttrValue,
    pub busy: bool,
    pub onconfirm: Callback<MouseEvent>,
    pub oncancel: Callback<MouseEvent>,
}

#[function_component(Confirm)]
pub fn confirm(props: &ConfirmProps) -> Html {
    let busy = props.busy;
    html! {
        <div class="confirm" role="group" aria-labelledby={props.question_id.clone()}>
            <p id={props.question_id.clone()}>
                <strong>{ props.question.clone() }</strong>
                { props.detail.clone() }
            </p>
            <div class="form-row">
                <button type="button" class="btn btn-danger" id={props.confirm_id.clone()}
                    onclick={props.onconfirm.clone()} disabled={busy} aria-busy={busy.then_some("true")}>
                    { if busy { props.busy_label.clone() } else { props.confirm_label.clone() } }
                </button>
                <button type="button" class="btn btn-secondary" onclick={props.oncancel.clone()} disabled={busy}>
                    { props.cancel_label.clone() }
                </button>
            </div>
        </div>
    }
}
