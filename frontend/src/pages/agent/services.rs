//! The "Services" card: what the business offers, with durations and prices.

use yew::prelude::*;

use super::draft::{Draft, ServiceDraft};
use super::state::{list_section, ListOf, PathField, SectionProps};

fn services(draft: &mut Draft) -> &mut Vec<ServiceDraft> {
    &mut draft.services
}

const SERVICES: ListOf<ServiceDraft> = ListOf {
    path: "profile.services",
    items: services,
    new: ServiceDraft::default,
    first: "name",
    name: "services",
    title: "Services",
    subtitle: "What you offer, so your receptionist can answer “Do you do…?” and “How much is…?”.",
    empty: "No services listed yet.",
    add_id: "add-service",
    add_label: "Add a service",
    row_class: "service-row",
    noun: "Service",
};

#[function_component(ServicesSection)]
pub fn services_section(props: &SectionProps) -> Html {
    list_section(props, &SERVICES, &props.editor.draft.services, |s, row| {
        let error = row.error.clone();
        html! {
            <>
                <div class="form-grid form-grid-tight">
                    <PathField path={row.path("name")} label="Name" placeholder="e.g. Cleaning"
                        value={s.name.clone()} error={error.clone()} oninput={row.on(|s, v| s.name = v)} />
                    <PathField path={row.path("duration_minutes")} label="Minutes (optional)"
                        inputmode="numeric" placeholder="e.g. 30" value={s.duration.clone()}
                        error={error.clone()} oninput={row.on(|s, v| s.duration = v)} />
                    <PathField path={row.path("price")} label="Price (optional)" placeholder="e.g. from $40"
                        value={s.price.clone()} error={error.clone()} oninput={row.on(|s, v| s.price = v)} />
                </div>
                <PathField path={row.path("description")} label="Description (optional)"
                    multiline=true rows={2_u32} value={s.description.clone()} {error}
                    oninput={row.on(|s, v| s.description = v)} />
            </>
        }
    })
}
