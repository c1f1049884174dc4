//! "What your agent can do": the tools of the catalog, as checkboxes.

use shared::api::ToolName;
use yew::prelude::*;

use crate::components::field_error;

use super::basics::CatalogSectionProps;
use super::state::{on_click, row_error};

#[function_component(ToolsSection)]
pub fn tools_section(props: &CatalogSectionProps) -> Html {
    let d = props.editor.dispatcher();
    let (draft, error) = (&props.editor.draft, &props.editor.error);
    let c = &props.catalog;
    html! {
    <fieldset class={classes!("fieldset", field_error(error, "tools").is_some().then_some("field-invalid"))}>
        <legend>{ "What your agent can do" }</legend>
        { for c.tools.iter().map(|t| {
            let checked = draft.tools.contains(&t.name);
            let toggle = {
                let name = t.name;
                let order: Vec<ToolName> = c.tools.iter().map(|t| t.name).collect();
                on_click(&d, move |draft| {
                    if draft.tools.contains(&name) {
                        draft.tools.retain(|n| *n != name);
                    } else {
                        draft.tools.push(name);
                        // Keep the catalog's order (unknown tools last).
                        draft.tools.sort_by_key(|n| order.iter().position(|o| o == n).unwrap_or(usize::MAX));
                    }
                })
            };
            let id = format!("tool-{}", t.name);
            html! {
                <div class="option">
                    <label class="checkbox" for={id.clone()}>
                        <input type="checkbox" id={id} name="tools" value={t.name.as_str()}
                            checked={checked} onclick={toggle} />
                        <span>{ &t.title }</span>
                    </label>
                    if !t.description.is_empty() {
                        <p class="field-hint option-hint">{ &t.description }</p>
                    }
                </div>
            }
        }) }
        { row_error(error, "tools") }
    </fieldset>
    }
}
