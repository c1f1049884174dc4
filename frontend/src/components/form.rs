//! Form building blocks: a labelled field with its error, the form-level
//! error, the success message, the submit button and reading a submitted form.

use wasm_bindgen::JsCast;
use web_sys::{FormData, HtmlFormElement};
use yew::prelude::*;

use crate::api::ApiError;

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    /// Used as `id` (unless `id` is given), `name` and in
    /// `data-testid="field-error-<name>"`.
    pub name: AttrValue,
    /// The input's `id` when it differs from `name` (e.g. `name` is a JSON
    /// path like `profile.timezone`, `id` is `profile-timezone`).
    #[prop_or_default]
    pub id: Option<AttrValue>,
    /// `list`: the id of a `<datalist>` of suggestions.
    #[prop_or_default]
    pub list: Option<AttrValue>,
    /// Rows of a `<textarea>` (3 unless given).
    #[prop_or_default]
    pub rows: Option<u32>,
    pub label: AttrValue,
    #[prop_or(AttrValue::Static("text"))]
    pub input_type: AttrValue,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub error: Option<String>,
    #[prop_or_default]
    pub autofocus: bool,
    #[prop_or_default]
    pub oninput: Option<Callback<InputEvent>>,
    #[prop_or_default]
    pub value: Option<AttrValue>,
    /// `inputmode` (e.g. `decimal` for amounts: the right phone keyboard).
    #[prop_or_default]
    pub inputmode: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    /// A `<textarea>` instead of an `<input>`.
    #[prop_or_default]
    pub multiline: bool,
}

/// A labelled input with its hint and its error message.
#[function_component(Field)]
pub fn field(props: &FieldProps) -> Html {
    let name = props.name.clone();
    let id = props.id.clone().unwrap_or_else(|| name.clone());
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = match (&props.error, &props.hint) {
        (Some(_), _) => Some(error_id.clone()),
        (None, Some(_)) => Some(hint_id.clone()),
        _ => None,
    };
    html! {
        <div class={classes!("field", props.error.is_some().then_some("field-invalid"))}>
            <label for={id.clone()}>{ props.label.clone() }</label>
            if props.multiline {
                <textarea
                    id={id.clone()}
                    name={name.clone()}
                    rows={props.rows.unwrap_or(3).to_string()}
                    autofocus={props.autofocus}
                    placeholder={props.placeholder.clone()}
                    value={props.value.clone()}
                    oninput={props.oninput.clone()}
                    aria-invalid={props.error.is_some().then_some("true")}
                    aria-describedby={described_by}
                />
            } else {
                <input
                    id={id.clone()}
                    name={name.clone()}
                    type={props.input_type.clone()}
                    list={props.list.clone()}
                    autocomplete={props.autocomplete.clone()}
                    autofocus={props.autofocus}
                    inputmode={props.inputmode.clone()}
                    placeholder={props.placeholder.clone()}
                    value={props.value.clone()}
                    oninput={props.oninput.clone()}
                    aria-invalid={props.error.is_some().then_some("true")}
                    aria-describedby={described_by}
                />
            }
            if let Some(err) = &props.error {
                <p class="field-error" id={error_id} data-testid={format!("field-error-{name}")}>
                    { err.clone() }
                </p>
            } else if let Some(hint) = &props.hint {
                <p class="field-hint" id={hint_id}>{ hint.clone() }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct FormErrorProps {
    pub error: Option<ApiError>,
    /// Fields that have an input on this form (their errors show there);
    /// errors for any other field are listed here.
    #[prop_or_default]
    pub shown_fields: &'static [&'static str],
}

/// The form-level error: the API's `message`, plus field errors that have no
/// input of their own on the form.
#[function_component(FormError)]
pub fn form_error(props: &FormErrorProps) -> Html {
    let Some(err) = &props.error else {
        return html! {};
    };
    let others: Vec<_> = err
        .fields
        .iter()
        .filter(|(k, _)| !props.shown_fields.contains(&k.as_str()))
        .collect();
    html! {
        <div class="alert alert-error" role="alert" data-testid="form-error">
            <p>{ &err.message }</p>
            if !others.is_empty() {
                <ul>
                    { for others.iter().map(|(_, v)| html! { <li>{ v.as_str() }</li> }) }
                </ul>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SuccessProps {
    #[prop_or_default]
    pub children: Html,
}

#[function_component(Success)]
pub fn success(props: &SuccessProps) -> Html {
    html! {
        <div class="alert alert-success" role="status" data-testid="success">
            { props.children.clone() }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SubmitProps {
    pub label: AttrValue,
    pub busy_label: AttrValue,
    pub busy: bool,
    #[prop_or_default]
    pub id: Option<AttrValue>,
    /// As wide as the form (`btn-block`); false for a button in a row.
    #[prop_or(true)]
    pub block: bool,
}

/// The form's submit button; disabled with a "…ing" label while busy.
#[function_component(SubmitButton)]
pub fn submit_button(props: &SubmitProps) -> Html {
    html! {
        <button type="submit" class={classes!("btn", "btn-primary", props.block.then_some("btn-block"))}
            id={props.id.clone()} disabled={props.busy} aria-busy={props.busy.then_some("true")}>
            if props.busy {
                <span class="spinner spinner-light" aria-hidden="true"></span>
                { props.busy_label.clone() }
            } else {
                { props.label.clone() }
            }
        </button>
    }
}

/// Values of a submitted form by input name. Reading the form itself (rather
/// than tracking every keystroke) also picks up what the browser autofilled.
pub struct FormValues(Option<FormData>);

impl FormValues {
    /// Stops the browser's own submission and reads the form.
    pub fn from_submit(e: &SubmitEvent) -> Self {
        e.prevent_default();
        let data = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            .and_then(|form| FormData::new_with_form(&form).ok());
        FormValues(data)
    }

    pub fn get(&self, name: &str) -> String {
        self.0
            .as_ref()
            .and_then(|d| d.get(name).as_string())
            .unwrap_or_default()
    }
}

/// A client-side `validation_failed`: `fields` are (input name, message).
pub fn invalid_fields(fields: &[(&str, &str)]) -> ApiError {
    ApiError::invalid(fields)
}

/// Shows the API's error for request field `from` at input `to` (the API
/// takes `amount_seconds`, the form asks for `amount_minutes`).
pub fn rename_field(mut err: ApiError, from: &str, to: &str) -> ApiError {
    if let Some(message) = err.fields.remove(from) {
        err.fields.insert(to.to_string(), message);
    }
    err
}

/// The error to show next to input `name`.
pub fn field_error(error: &Option<ApiError>, name: &str) -> Option<String> {
    error
        .as_ref()
        .and_then(|e| e.field(name))
        .map(str::to_string)
}
