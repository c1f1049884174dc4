//! The "Basics" card: name, voice, language, greeting, instructions and
//! what the agent can do.

use shared::api::Catalog;
use yew::prelude::*;

use crate::components::field_error;

use super::state::{on_change, on_value, row_error, Editor, PathField};
use super::tools::ToolsSection;

#[derive(Properties, PartialEq)]
pub struct CatalogSectionProps {
    pub editor: UseReducerHandle<Editor>,
    pub catalog: Catalog,
}

#[function_component(BasicsSection)]
pub fn basics_section(props: &CatalogSectionProps) -> Html {
    let d = props.editor.dispatcher();
    let (draft, error) = (&props.editor.draft, &props.editor.error);
    let c = &props.catalog;
    let mut voices = c.voices.iter().map(|v| {
        let label = if v.description.is_empty() {
            v.name.clone()
        } else {
            format!("{} — {}", v.name, v.description)
        };
        (v.id.clone(), label)
    });
    let mut languages = c.languages.iter().cloned();
    // A select of the catalog's options; a value the catalog does not
    // know (or none yet) stays selected as it is.
    let select = |id: &'static str,
                  label: &'static str,
                  choose: &'static str,
                  current: &str,
                  options: &mut dyn Iterator<Item = (String, String)>,
                  onchange: Callback<Event>| {
        let options: Vec<(String, String)> = options.collect();
        let known = options.iter().any(|(value, _)| value == current);
        html! {
            <div class={classes!("field", field_error(error, id).is_some().then_some("field-invalid"))}>
                <label for={id}>{ label }</label>
                <select {id} name={id} {onchange}>
                    if !known {
                        <option value={current.to_string()} selected=true>
                            { if current.is_empty() { choose.to_string() } else { current.to_string() } }
                        </option>
                    }
                    { for options.iter().map(|(value, text)| html! {
                        <option value={value.clone()} selected={value == current}>{ text }</option>
                    }) }
                </select>
                { row_error(error, id) }
            </div>
        }
    };
    html! {
        <section class="card" aria-labelledby="basics-title">
            <h2 class="card-title" id="basics-title">{ "Basics" }</h2>
            <div class="form">
                <PathField path="name" label="Agent name" value={draft.name.clone()} error={error.clone()}
                    oninput={on_value(&d, |d, v| d.name = v)} hint="Only you see this name." />
                <div class="form-grid form-grid-tight">
                    { select("voice_id", "Voice", "Choose a voice", &draft.voice_id, &mut voices,
                        on_change(&d, |d, v| d.voice_id = v)) }
                    { select("language", "Language", "Choose a language", &draft.language, &mut languages,
                        on_change(&d, |d, v| d.language = v)) }
                </div>
                <PathField path="greeting" label="Greeting" value={draft.greeting.clone()} error={error.clone()}
                    oninput={on_value(&d, |d, v| d.greeting = v)} multiline=true rows={4_u32}
                    hint="The first thing callers hear, e.g. “Thanks for calling Bright Smiles, how can I help?”" />
                <PathField path="instructions" label="Custom instructions (optional)" value={draft.instructions.clone()}
                    error={error.clone()} oninput={on_value(&d, |d, v| d.instructions = v)} multiline=true rows={4_u32}
                    hint="Anything else your receptionist should know or do, in plain words." />
                <ToolsSection editor={props.editor.clone()} catalog={props.catalog.clone()} />
            </div>
        </section>
    }
}
