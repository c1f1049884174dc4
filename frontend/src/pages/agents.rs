//! `/agents`: the owner's receptionists, and "New agent" (pick a template,
//! name it, then edit it on `/agents/:id`).

use shared::api::{Agent, NewAgent, Template, TemplateId};
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{
    field_error, focus_by_id, invalid_fields, number_badge, number_is_active, rename_field,
    status_badge, template_name, Card, Field, FormError, SubmitButton, Table,
};
use crate::hooks::{use_action, use_api, use_signed_in};
use crate::session::use_session;
use crate::Route;

/// The template of a blank agent.
pub const CUSTOM_TEMPLATE: TemplateId = TemplateId::Custom;

const COLUMNS: &[&str] = &["Name", "Template", "Status", "Phone number", "_Open"];

/// The number an agent answers, or "No number yet".
fn number_cell(agent: &Agent) -> Html {
    match &agent.number {
        Some(n) => html! {
            <>
                <span class="mono-num">{ n.number.as_str() }</span>
                if !number_is_active(n.status) {
                    { " " }{ number_badge(n.status, None) }
                }
            </>
        },
        None => html! { <span class="muted">{ "No number yet" }</span> },
    }
}

// ---- page ------------------------------------------------------------------

/// Which template the "Name your agent" form is for.
#[derive(Debug, Clone, PartialEq)]
struct Choice {
    template: TemplateId,
    /// What the name input starts with.
    name: String,
}

#[function_component(AgentsPage)]
pub fn agents_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let signed_in = session.me().is_some();
    let agents = use_api(signed_in.then_some(()), |api, ()| async move {
        api.agents().await.map(|list| list.agents)
    });
    let catalog = use_api(signed_in.then_some(()), |api, ()| async move {
        api.templates().await
    });
    let choice = use_state(|| None::<Choice>);

    if let Err(other) = gate {
        return other;
    }

    let loaded_catalog = catalog.loaded();
    let list = agents.view("Loading your agents…", |list| {
        if list.is_empty() {
            return html! {
                <p class="empty" data-testid="agents-empty">
                    { "You have no agents yet. Pick a template below to set up your first receptionist." }
                </p>
            };
        }
        html! {
            <Table columns={COLUMNS} testid="agents-table">
                { for list.iter().map(|a| html! {
                    <tr class="agent-row" data-testid="agent-row" data-agent-id={a.id.to_string()}
                        key={a.id.to_string()}>
                        <td data-label="Name"><strong>{ &a.name }</strong></td>
                        <td data-label="Template">{ template_name(loaded_catalog, a.template) }</td>
                        <td data-label="Status">{ status_badge(a.status, None) }</td>
                        <td data-label="Phone number">{ number_cell(a) }</td>
                        <td class="row-actions">
                            <Link<Route> to={Route::Agent { id: a.id.to_string() }}
                                classes="btn btn-secondary btn-small open-agent">
                                { "Open" }
                                <span class="visually-hidden">{ format!(" {}", a.name) }</span>
                            </Link<Route>>
                        </td>
                    </tr>
                }) }
            </Table>
        }
    });

    let on_choose = {
        let choice = choice.clone();
        Callback::from(move |c: Choice| choice.set(Some(c)))
    };
    let on_cancel = {
        let choice = choice.clone();
        Callback::from(move |_: ()| choice.set(None))
    };

    let templates = catalog.view("Loading templates…", |c| {
        let blank_name = c
            .templates
            .iter()
            .find(|t| t.id == CUSTOM_TEMPLATE)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| "My receptionist".to_string());
        let selected = choice.as_ref().map(|c| c.template);
        html! {
            <>
                <div class="template-grid">
                    { for c.templates.iter().filter(|t| t.id != CUSTOM_TEMPLATE).map(|t| html! {
                        <TemplateCard key={t.id.as_str()} template={t.clone()}
                            selected={selected == Some(t.id)}
                            onchoose={on_choose.clone()} />
                    }) }
                    <BlankCard name={blank_name} selected={selected == Some(CUSTOM_TEMPLATE)}
                        onchoose={on_choose.clone()} />
                </div>
                if let Some(ch) = &*choice {
                    <NewAgentForm key={ch.template.as_str()} template={ch.template}
                        template_name={template_name(Some(c), ch.template)}
                        name={ch.name.clone()} oncancel={on_cancel} />
                }
            </>
        }
    });

    html! {
        <div class="stack" data-testid="agents-page">
            <Card title="Your agents" subtitle="Each agent is an AI receptionist that answers one phone number for your business.">
                { list }
            </Card>
            <section class="card" id="new-agent" data-testid="new-agent">
                <h1 class="card-title">{ "New agent" }</h1>
                <p class="card-subtitle">
                    { "Start from a template made for your kind of business — you can change everything afterwards." }
                </p>
                { templates }
            </section>
        </div>
    }
}

// ---- template cards ----------------------------------------------------------

#[derive(Properties, PartialEq)]
struct TemplateCardProps {
    template: Template,
    selected: bool,
    onchoose: Callback<Choice>,
}

#[function_component(TemplateCard)]
fn template_card(props: &TemplateCardProps) -> Html {
    let t = &props.template;
    let onclick = {
        let (onchoose, template, name) = (props.onchoose.clone(), t.id, t.name.clone());
        Callback::from(move |_: MouseEvent| {
            onchoose.emit(Choice {
                template,
                name: name.clone(),
            })
        })
    };
    html! {
        <article class={classes!("template-card", props.selected.then_some("selected"))}
            data-template={t.id.as_str()} data-testid="template-card">
            <h2 class="template-name">{ &t.name }</h2>
            <p class="template-description">{ &t.description }</p>
            <button type="button" class="btn btn-primary btn-block use-template" onclick={onclick}
                aria-pressed={props.selected.then_some("true")}>
                { "Use this template" }
                <span class="visually-hidden">{ format!(": {}", t.name) }</span>
            </button>
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct BlankCardProps {
    /// What the name input starts with.
    name: String,
    selected: bool,
    onchoose: Callback<Choice>,
}

#[function_component(BlankCard)]
fn blank_card(props: &BlankCardProps) -> Html {
    let onclick = {
        let (onchoose, name) = (props.onchoose.clone(), props.name.clone());
        Callback::from(move |_: MouseEvent| {
            onchoose.emit(Choice {
                template: CUSTOM_TEMPLATE,
                name: name.clone(),
            })
        })
    };
    html! {
        <article class={classes!("template-card", "template-blank", props.selected.then_some("selected"))}
            data-template={CUSTOM_TEMPLATE.as_str()} data-testid="template-card">
            <h2 class="template-name">{ "Start blank" }</h2>
            <p class="template-description">
                { "An empty agent: write the greeting and instructions yourself." }
            </p>
            <button type="button" class="btn btn-secondary btn-block use-template" id="start-blank"
                onclick={onclick} aria-pressed={props.selected.then_some("true")}>
                { "Start blank" }
            </button>
        </article>
    }
}

// ---- name it and create ------------------------------------------------------

#[derive(Properties, PartialEq)]
struct NewAgentFormProps {
    template: TemplateId,
    template_name: String,
    /// The name input's starting value.
    name: String,
    oncancel: Callback<()>,
}

#[function_component(NewAgentForm)]
fn new_agent_form(props: &NewAgentFormProps) -> Html {
    let navigator = use_navigator();
    let action = use_action().leaving();
    let name = use_state(|| props.name.clone());

    // Shown below the cards: bring it into view and put the cursor in it.
    use_effect_with(props.template, |_| focus_by_id("new-agent-name", true));

    let oninput = {
        let name = name.clone();
        Callback::from(move |e: InputEvent| {
            name.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };

    let onsubmit = {
        let template = props.template;
        let name = name.clone();
        action.on_submit(
            move |_| {
                let name = name.trim().to_string();
                if name.is_empty() {
                    return Err(invalid_fields(&[(
                        "new-agent-name",
                        "Give your agent a name.",
                    )]));
                }
                Ok(NewAgent {
                    template: template.as_str().to_string(),
                    name: Some(name),
                    ..NewAgent::default()
                })
            },
            |api, request| async move {
                let result = api.create_agent(&request).await;
                result.map_err(|e| rename_field(e, "name", "new-agent-name"))
            },
            move |agent: Agent| {
                if let Some(nav) = &navigator {
                    nav.push(&Route::Agent {
                        id: agent.id.to_string(),
                    });
                }
            },
        )
    };
    let cancel = {
        let oncancel = props.oncancel.clone();
        Callback::from(move |_: MouseEvent| oncancel.emit(()))
    };

    let (busy, error) = (action.busy(), action.error());
    html! {
        <form class="form new-agent-form" onsubmit={onsubmit} novalidate=true data-testid="new-agent-form"
            data-template={props.template.as_str()}>
            <h2 class="section-title">
                { if props.template == CUSTOM_TEMPLATE {
                    "Name your new agent".to_string()
                } else {
                    format!("Name your new agent ({})", props.template_name)
                } }
            </h2>
            <FormError error={error.clone()} shown_fields={&["new-agent-name"][..]} />
            <Field name="new-agent-name" label="Agent name" autofocus=true
                value={(*name).clone()} oninput={oninput}
                hint="Only you see this name; callers hear the greeting."
                error={field_error(&error, "new-agent-name")} />
            <div class="form-row">
                <SubmitButton id="create-agent" label="Create agent" busy_label="Creating…" {busy} block=false />
                <button type="button" class="btn btn-secondary" onclick={cancel} disabled={busy}>
                    { "Cancel" }
                </button>
            </div>
        </form>
    }
}
