//! `/settings/password`: change the password of the signed-in user.

use shared::api::ChangePasswordRequest;
use web_sys::HtmlFormElement;
use yew::prelude::*;

use crate::api::ApiError;
use crate::components::{
    field_error, use_signed_in, Card, Field, FormError, FormValues, SubmitButton, Success,
};
use crate::session::{use_session, SessionAction};

#[function_component(ChangePasswordPage)]
pub fn change_password_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let done = use_state(|| false);
    let form = use_node_ref();

    if let Err(other) = gate {
        return other;
    }

    let onsubmit = {
        let session = session.clone();
        let (busy, error, done, form) = (busy.clone(), error.clone(), done.clone(), form.clone());
        Callback::from(move |e: SubmitEvent| {
            let values = FormValues::from_submit(&e);
            if *busy {
                return;
            }
            let request = ChangePasswordRequest {
                current_password: values.get("current_password"),
                new_password: values.get("new_password"),
            };
            busy.set(true);
            error.set(None);
            done.set(false);
            let (session, busy, error, done, form) = (
                session.clone(),
                busy.clone(),
                error.clone(),
                done.clone(),
                form.clone(),
            );
            let api = session.api();
            yew::platform::spawn_local(async move {
                let result = api.change_password(&request).await;
                busy.set(false);
                match result {
                    Ok(me) => {
                        // Fresh session cookie and CSRF token.
                        session.dispatch(SessionAction::SignedIn(me));
                        if let Some(form) = form.cast::<HtmlFormElement>() {
                            form.reset();
                        }
                        done.set(true);
                    }
                    Err(e) if e.is_unauthenticated() => session.dispatch(SessionAction::SignedOut),
                    Err(mut e) => {
                        if e.code == "wrong_password" && e.fields.is_empty() {
                            e.fields
                                .insert("current_password".into(), e.message.clone());
                        }
                        error.set(Some(e));
                    }
                }
            });
        })
    };

    html! {
        <Card title="Change password" narrow=true testid="change-password-page"
            subtitle="You'll stay signed in here; other devices will be signed out.">
            if *done {
                <Success><p>{ "Your password has been changed." }</p></Success>
            }
            <form class="form" ref={form} onsubmit={onsubmit} novalidate=true
                data-testid="change-password-form">
                <FormError error={(*error).clone()}
                    shown_fields={&["current_password", "new_password"][..]} />
                <Field name="current_password" label="Current password" input_type="password"
                    autocomplete="current-password" error={field_error(&error, "current_password")} />
                <Field name="new_password" label="New password" input_type="password"
                    autocomplete="new-password" hint="At least 10 characters, not your email address."
                    error={field_error(&error, "new_password")} />
                <SubmitButton label="Change password" busy_label="Saving…" busy={*busy} />
            </form>
        </Card>
    }
}
