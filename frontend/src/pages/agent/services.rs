//! The "Services" card: what the business offers, with durations and prices.

use yew::prelude::*;

use super::draft::{Draft, ServiceDraft};
use super::state::{
    list_error, on_add, on_item, on_remove_item, ListEditor, ListRow, PathField, SectionProps,
};

const LIST: &str = "profile.services";

fn services(draft: &mut Draft) -> &mut Vec<ServiceDraft> {
    &mut draft.services
}

#[function_component(ServicesSection)]
pub fn services_section(props: &SectionProps) -> Html {
    let d = props.editor.dispatcher();
    let (draft, error) = (&props.editor.draft, &props.editor.error);
    let add = on_add(
        &d,
        &props.focus,
        format!("{LIST}[{}].name", draft.services.len()),
        |draft| draft.services.push(ServiceDraft::default()),
    );
    let rows = draft.services.iter().enumerate().map(|(i, s)| {
        html! {
            <ListRow key={i} class="service-row" noun="Service" list={LIST} index={i}
                error={error.clone()} onremove={on_remove_item(&d, LIST, i, services)}>
                <div class="form-grid form-grid-tight">
                    <PathField path={format!("{LIST}[{i}].name")} label="Name" placeholder="e.g. Cleaning"
                        value={s.name.clone()} error={error.clone()}
                        oninput={on_item(&d, services, i, |s, v| s.name = v)} />
                    <PathField path={format!("{LIST}[{i}].duration_minutes")} label="Minutes (optional)"
                        inputmode="numeric" placeholder="e.g. 30" value={s.duration.clone()} error={error.clone()}
                        oninput={on_item(&d, services, i, |s, v| s.duration = v)} />
                    <PathField path={format!("{LIST}[{i}].price")} label="Price (optional)"
                        placeholder="e.g. from $40" value={s.price.clone()} error={error.clone()}
                        oninput={on_item(&d, services, i, |s, v| s.price = v)} />
                </div>
                <PathField path={format!("{LIST}[{i}].description")} label="Description (optional)"
                    multiline=true rows={2_u32} value={s.description.clone()} error={error.clone()}
                    oninput={on_item(&d, services, i, |s, v| s.description = v)} />
            </ListRow>
        }
    });
    html! {
        <ListEditor name="services" title="Services"
            subtitle="What you offer, so your receptionist can answer “Do you do…?” and “How much is…?”."
            error={list_error(error, LIST)}
            empty={draft.services.is_empty().then_some("No services listed yet.")}
            add_id="add-service" add_label="Add a service" onadd={add}>
            { for rows }
        </ListEditor>
    }
}
