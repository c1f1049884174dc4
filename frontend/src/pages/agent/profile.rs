//! The "Business profile" card: what the receptionist tells callers about
//! the business, where to transfer calls, and what to do after hours.

use shared::api::AfterHours;
use yew::prelude::*;

use crate::components::{field_error, Field};

use super::state::{on_click, on_value, row_error, EditorAction, PathField, SectionProps};

/// Suggestions for the time zone input (any IANA name is accepted).
const TIMEZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "America/Toronto",
    "America/Vancouver",
    "America/Edmonton",
    "America/Winnipeg",
    "America/Halifax",
    "America/St_Johns",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Vienna",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Africa/Casablanca",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Manila",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Pacific/Auckland",
    "UTC",
];

/// The browser's own time zone (`Intl`), e.g. `Europe/Paris`.
fn browser_timezone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    let options = format.resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
        .filter(|tz| !tz.is_empty())
}

#[function_component(ProfileSection)]
pub fn profile_section(props: &SectionProps) -> Html {
    let d = props.editor.dispatcher();
    let (draft, error) = (&props.editor.draft, &props.editor.error);
    let browser_tz = browser_timezone();
    let use_browser_tz = browser_tz
        .clone()
        .filter(|_| draft.timezone.trim().is_empty())
        .map(|tz| {
            let set = {
                let tz = tz.clone();
                on_click(&d, move |draft| draft.timezone = tz.clone())
            };
            html! {
                <button type="button" class="btn-link small" id="use-browser-timezone" onclick={set}>
                    { format!("Use my time zone ({tz})") }
                </button>
            }
        });
    let after_hours_radio =
        |value: AfterHours, key: &'static str, label: &'static str, hint: &'static str| {
            let id = format!("after-hours-{}", key.replace('_', "-"));
            let set = {
                let d = d.clone();
                Callback::from(move |_: Event| {
                    d.dispatch(EditorAction::Edit(Box::new(move |draft| {
                        draft.after_hours = value
                    })))
                })
            };
            html! {
                <div class="option">
                    <label class="checkbox" for={id.clone()}>
                        <input type="radio" id={id} name="profile.after_hours" value={key}
                            checked={draft.after_hours == value} onchange={set} />
                        <span>{ label }</span>
                    </label>
                    <p class="field-hint option-hint">{ hint }</p>
                </div>
            }
        };
    html! {
        <section class="card" aria-labelledby="profile-title">
            <h2 class="card-title" id="profile-title">{ "Business profile" }</h2>
            <p class="card-subtitle">{ "What your receptionist tells callers about your business." }</p>
            <div class="form">
                <PathField path="profile.business_name" label="Business name" value={draft.business_name.clone()}
                    error={error.clone()} oninput={on_value(&d, |d, v| d.business_name = v)} />
                <PathField path="profile.description" label="What your business does" value={draft.description.clone()}
                    error={error.clone()} oninput={on_value(&d, |d, v| d.description = v)} multiline=true rows={4_u32}
                    hint="A few sentences, e.g. “Family dental practice offering check-ups, cleanings and whitening.”" />
                <PathField path="profile.address" label="Address" value={draft.address.clone()}
                    error={error.clone()} oninput={on_value(&d, |d, v| d.address = v)} />
                <div class="form-grid form-grid-tight">
                    <Field name="profile.phone" id="profile-phone" label="Business phone" input_type="tel"
                        value={draft.phone.clone()} oninput={on_value(&d, |d, v| d.phone = v)}
                        error={field_error(error, "profile.phone")} />
                    <Field name="profile.fallback_phone" id="profile-fallback_phone" label="Transfer calls to"
                        input_type="tel" placeholder="+14155550123"
                        hint="A number to pass callers to when they ask for a person (with country code)."
                        value={draft.fallback_phone.clone()} oninput={on_value(&d, |d, v| d.fallback_phone = v)}
                        error={field_error(error, "profile.fallback_phone")} />
                </div>
                <div class="field-with-action">
                    <Field name="profile.timezone" id="profile-timezone" label="Time zone" list="timezones"
                        autocomplete="off" placeholder="e.g. America/New_York"
                        hint="Opening hours are in this time zone."
                        value={draft.timezone.clone()} oninput={on_value(&d, |d, v| d.timezone = v)}
                        error={field_error(error, "profile.timezone")} />
                    { for use_browser_tz }
                    <datalist id="timezones">
                        { for TIMEZONES.iter().map(|tz| html! { <option value={*tz} /> }) }
                    </datalist>
                </div>
                <fieldset class={classes!("fieldset", field_error(error, "profile.after_hours").is_some().then_some("field-invalid"))}>
                    <legend>{ "Outside opening hours" }</legend>
                    { after_hours_radio(AfterHours::TakeMessage, "take_message", "Take a message",
                        "Answer questions and offer to take a message for you.") }
                    { after_hours_radio(AfterHours::AnswerOnly, "answer_only", "Answer questions only",
                        "Answer questions, but don't take messages.") }
                    { row_error(error, "profile.after_hours") }
                </fieldset>
            </div>
        </section>
    }
}
