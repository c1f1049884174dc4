//! The "Questions and answers" card: what callers often ask.

use shared::api::Faq;
use yew::prelude::*;

use super::draft::Draft;
use super::state::{
    list_error, on_add, on_item, on_remove_item, ListEditor, ListRow, PathField, SectionProps,
};

const LIST: &str = "profile.faqs";

fn faqs(draft: &mut Draft) -> &mut Vec<Faq> {
    &mut draft.faqs
}

#[function_component(FaqsSection)]
pub fn faqs_section(props: &SectionProps) -> Html {
    let d = props.editor.dispatcher();
    let (draft, error) = (&props.editor.draft, &props.editor.error);
    let add = on_add(
        &d,
        &props.focus,
        format!("{LIST}[{}].question", draft.faqs.len()),
        |draft| {
            draft.faqs.push(Faq {
                question: String::new(),
                answer: String::new(),
            })
        },
    );
    let rows = draft.faqs.iter().enumerate().map(|(i, f)| {
        html! {
            <ListRow key={i} class="faq-row" noun="Question" list={LIST} index={i}
                error={error.clone()} onremove={on_remove_item(&d, LIST, i, faqs)}>
                <PathField path={format!("{LIST}[{i}].question")} label="Question"
                    placeholder="e.g. Do you have parking?" value={f.question.clone()} error={error.clone()}
                    oninput={on_item(&d, faqs, i, |f, v| f.question = v)} />
                <PathField path={format!("{LIST}[{i}].answer")} label="Answer" multiline=true rows={2_u32}
                    value={f.answer.clone()} error={error.clone()}
                    oninput={on_item(&d, faqs, i, |f, v| f.answer = v)} />
            </ListRow>
        }
    });
    html! {
        <ListEditor name="faqs" title="Questions and answers"
            subtitle="Questions callers often ask, with the answer your receptionist should give."
            error={list_error(error, LIST)}
            empty={draft.faqs.is_empty().then_some("No questions yet.")}
            add_id="add-faq" add_label="Add a question" onadd={add}>
            { for rows }
        </ListEditor>
    }
}
