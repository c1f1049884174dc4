//! The "Questions and answers" card: what callers often ask.

use shared::api::Faq;
use yew::prelude::*;

use super::draft::Draft;
use super::state::{list_section, ListOf, PathField, SectionProps};

fn faqs(draft: &mut Draft) -> &mut Vec<Faq> {
    &mut draft.faqs
}

fn new_faq() -> Faq {
    Faq {
        question: String::new(),
        answer: String::new(),
    }
}

const FAQS: ListOf<Faq> = ListOf {
    path: "profile.faqs",
    items: faqs,
    new: new_faq,
    first: "question",
    name: "faqs",
    title: "Questions and answers",
    subtitle: "Questions callers often ask, with the answer your receptionist should give.",
    empty: "No questions yet.",
    add_id: "add-faq",
    add_label: "Add a question",
    row_class: "faq-row",
    noun: "Question",
};

#[function_component(FaqsSection)]
pub fn faqs_section(props: &SectionProps) -> Html {
    list_section(props, &FAQS, &props.editor.draft.faqs, |f, row| {
        let error = row.error.clone();
        html! {
            <>
                <PathField path={row.path("question")} label="Question" placeholder="e.g. Do you have parking?"
                    value={f.question.clone()} error={error.clone()} oninput={row.on(|f, v| f.question = v)} />
                <PathField path={row.path("answer")} label="Answer" multiline=true rows={2_u32}
                    value={f.answer.clone()} {error} oninput={row.on(|f, v| f.answer = v)} />
            </>
        }
    })
}
