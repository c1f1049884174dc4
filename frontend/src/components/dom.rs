//! Small browser helpers: waiting, focusing an element, reading an input.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{EventTarget, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

/// Waits `ms` milliseconds (a `setTimeout` as a future).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled = web_sys::window().map(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .is_ok()
        });
        if scheduled != Some(true) {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Focuses the element `id` (which scrolls it into view) and, for a text
/// input with `select`, selects its text.
pub fn focus_by_id(id: &str, select: bool) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|el| el.dyn_into::<HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
        if select {
            if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
                input.select();
            }
        }
    }
}

/// The value of the input, textarea or select an event came from.
pub fn value_of(target: Option<EventTarget>) -> String {
    let Some(target) = target else {
        return String::new();
    };
    if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
        input.value()
    } else if let Some(area) = target.dyn_ref::<HtmlTextAreaElement>() {
        area.value()
    } else if let Some(select) = target.dyn_ref::<HtmlSelectElement>() {
        select.value()
    } else {
        String::new()
    }
}

/// Resets the `<form>` behind `form` (after a successful submit).
pub fn reset_form(form: &yew::NodeRef) {
    if let Some(form) = form.cast::<web_sys::HtmlFormElement>() {
        form.reset();
    }
}
