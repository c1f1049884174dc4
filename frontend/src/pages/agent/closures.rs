//! The "Closures" card: holidays and days off.

use yew::prelude::*;

use super::draft::{ClosureDraft, Draft};
use super::state::{list_section, ListOf, PathField, SectionProps};

fn closures(draft: &mut Draft) -> &mut Vec<ClosureDraft> {
    &mut draft.closures
}

const CLOSURES: ListOf<ClosureDraft> = ListOf {
    path: "profile.closures",
    items: closures,
    new: ClosureDraft::default,
    first: "date",
    name: "closures",
    title: "Closures",
    subtitle: "Holidays and days off: your receptionist tells callers you're closed.",
    empty: "No closures planned.",
    add_id: "add-closure",
    add_label: "Add a closure",
    row_class: "closure-row",
    noun: "Closure",
};

#[function_component(ClosuresSection)]
pub fn closures_section(props: &SectionProps) -> Html {
    list_section(props, &CLOSURES, &props.editor.draft.closures, |c, row| {
        let error = row.error.clone();
        html! {
            <div class="form-grid form-grid-tight">
                <PathField path={row.path("date")} label="First day" input_type="date"
                    value={c.date.clone()} error={error.clone()} oninput={row.on(|c, v| c.date = v)} />
                <PathField path={row.path("end_date")} label="Last day (optional)" input_type="date"
                    value={c.end_date.clone()} error={error.clone()} oninput={row.on(|c, v| c.end_date = v)} />
                <PathField path={row.path("reason")} label="Reason (optional)" placeholder="e.g. Christmas"
                    value={c.reason.clone()} {error} oninput={row.on(|c, v| c.reason = v)} />
            </div>
        }
    })
}
