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
    let voice_known = c.voices.iter().any(|v| v.id == draft.voice_id);
    let language_known = c.languages.iter().any(|(code, _)| *code == draft.language);
    html! {
        <section class="card" aria-labelledby="basics-title">
            <h2 class="card-title" id="basics-title">{ "Basics" }</h2>
            <div class="form">
                <PathField path="name" label="Agent name" value={draft.name.clone()} error={error.clone()}
                    oninput={on_value(&d, |d, v| d.name = v)} hint="Only you see this name." />
                <div class="form-grid form-grid-tight">
                    <div class={classes!("field", field_error(error, "voice_id").is_some().then_some("field-invalid"))}>
                        <label for="voice_id">{ "Voice" }</label>
                        <select id="voice_id" name="voice_id" onchange={on_change(&d, |d, v| d.voice_id = v)}>
                            if !voice_known {
                                <option value={draft.voice_id.clone()} selected=true>
                                    { if draft.voice_id.is_empty() { "Choose a voice".to_string() } else { draft.voice_id.clone() } }
                                </option>
                            }
                            { for c.voices.iter().map(|v| html! {
                                <option value={v.id.clone()} selected={v.id == draft.voice_id}>
                                    { if v.description.is_empty() { v.name.clone() } else { format!("{} — {}", v.name, v.description) } }
                                </option>
                            }) }
                        </select>
                        { row_error(error, "voice_id") }
                    </div>
                    <div class={classes!("field", field_error(error, "language").is_some().then_some("field-invalid"))}>
                        <label for="language">{ "Language" }</label>
                        <select id="language" name="language" onchange={on_change(&d, |d, v| d.language = v)}>
                            if !language_known {
                                <option value={draft.language.clone()} selected=true>
                                    { if draft.language.is_empty() { "Choose a language".to_string() } else { draft.language.clone() } }
                                </option>
                            }
                            { for c.languages.iter().map(|(code, name)| html! {
                                <option value={code.clone()} selected={*code == draft.language}>{ name }</option>
                            }) }
                        </select>
                        { row_error(error, "language") }
                    </div>
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
