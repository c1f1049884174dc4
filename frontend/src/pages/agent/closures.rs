//! The "Closures" card: holidays and days off.

use yew::prelude::*;

use super::draft::{ClosureDraft, Draft};
use super::state::{
    list_error, on_add, on_item, on_remove_item, ListEditor, ListRow, PathField, SectionProps,
};

const LIST: &str = "profile.closures";

fn closures(draft: &mut Draft) -> &mut Vec<ClosureDraft> {
    &mut draft.closures
}

#[function_component(ClosuresSection)]
pub fn closures_section(props: &SectionProps) -> Html {
    let d = props.editor.dispatcher();
    let (draft, error) = (&props.editor.draft, &props.editor.error);
    let add = on_add(
        &d,
        &props.focus,
        format!("{LIST}[{}].date", draft.closures.len()),
        |draft| draft.closures.push(ClosureDraft::default()),
    );
    let rows = draft.closures.iter().enumerate().map(|(i, c)| {
        html! {
            <ListRow key={i} class="closure-row" noun="Closure" list={LIST} index={i}
                error={error.clone()} onremove={on_remove_item(&d, LIST, i, closures)}>
                <div class="form-grid form-grid-tight">
                    <PathField path={format!("{LIST}[{i}].date")} label="First day" input_type="date"
                        value={c.date.clone()} error={error.clone()}
                        oninput={on_item(&d, closures, i, |c, v| c.date = v)} />
                    <PathField path={format!("{LIST}[{i}].end_date")} label="Last day (optional)"
                        input_type="date" value={c.end_date.clone()} error={error.clone()}
                        oninput={on_item(&d, closures, i, |c, v| c.end_date = v)} />
                    <PathField path={format!("{LIST}[{i}].reason")} label="Reason (optional)"
                        placeholder="e.g. Christmas" value={c.reason.clone()} error={error.clone()}
                        oninput={on_item(&d, closures, i, |c, v| c.reason = v)} />
                </div>
            </ListRow>
        }
    });
    html! {
        <ListEditor name="closures" title="Closures"
            subtitle="Holidays and days off: your receptionist tells callers you're closed."
            error={list_error(error, LIST)}
            empty={draft.closures.is_empty().then_some("No closures planned.")}
            add_id="add-closure" add_label="Add a closure" onadd={add}>
            { for rows }
        </ListEditor>
    }
}
