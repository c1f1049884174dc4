//! `/settings/password`: change the password of the signed-in user.

use shared::api::ChangePasswordRequest;
use yew::prelude::*;

use crate::api::ApiError;
use crate::components::{field_error, reset_form, Card, Field, FormError, SubmitButton, Success};
use crate::hooks::{use_action, use_signed_in};
use crate::session::{use_session, SessionAction};

/// A wrong current password is shown at its input.
fn at_current_password(mut e: ApiError) -> ApiError {
    if e.is_wrong_password() && e.fields.is_empty() {
        e.fields
            .insert("current_password".into(), e.message.clone());
    }
    e
}

#[function_component(ChangePasswordPage)]
pub fn change_password_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let action = use_action();
    let form = use_node_ref();

    if let Err(other) = gate {
        return other;
    }

    let onsubmit = {
        let (done, form) = (action.clone(), form.clone());
        action.on_submit(
            |values| {
                Ok(ChangePasswordRequest {
                    current_password: values.get("current_password"),
                    new_password: values.get("new_password"),
                })
            },
            |api, request| async move {
                api.change_password(&request)
                    .await
                    .map_err(at_current_password)
            },
            move |me| {
                // Fresh session cookie and CSRF token.
                session.dispatch(SessionAction::SignedIn(me));
                reset_form(&form);
                done.set_done("Your password has been changed.".to_string());
            },
        )
    };

    let error = action.error();
    html! {
        <Card title="Change password" narrow=true testid="change-password-page"
            subtitle="You'll stay signed in here; other devices will be signed out.">
            if let Some(message) = action.done() {
                <Success><p>{ message }</p></Success>
            }
            <form class="form" ref={form} onsubmit={onsubmit} novalidate=true
                data-testid="change-password-form">
                <FormError error={error.clone()}
                    shown_fields={&["current_password", "new_password"][..]} />
                <Field name="current_password" label="Current password" input_type="password"
                    autocomplete="current-password" error={field_error(&error, "current_password")} />
                <Field name="new_password" label="New password" input_type="password"
                    autocomplete="new-password" hint="At least 10 characters, not your email address."
                    error={field_error(&error, "new_password")} />
                <SubmitButton label="Change password" busy_label="Saving…" busy={action.busy()} />
            </form>
        </Card>
    }
}
