//! The "Opening hours" card: periods per weekday, "Copy to Tue–Fri".

use shared::api::{OpeningPeriod, Weekday};
use yew::prelude::*;

use crate::components::field_error;

use super::draft::{add_minutes, path_id, Draft};
use super::state::{
    list_error, on_add, on_item, on_remove_item, row_error, EditorAction, SectionProps,
};

fn hours(draft: &mut Draft) -> &mut Vec<OpeningPeriod> {
    &mut draft.hours
}

#[function_component(HoursSection)]
pub fn hours_section(props: &SectionProps) -> Html {
    let d = props.editor.dispatcher();
    let (draft, error) = (&props.editor.draft, &props.editor.error);
    // Monday's periods replace those of Tuesday to Friday.
    let copy_weekdays = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| {
            d.dispatch(EditorAction::Replace {
                list: "profile.hours",
                apply: Box::new(|draft| {
                    let weekdays = [Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
                    let monday: Vec<OpeningPeriod> = draft
                        .hours
                        .iter()
                        .filter(|h| h.day == Weekday::Mon)
                        .cloned()
                        .collect();
                    draft.hours.retain(|h| !weekdays.contains(&h.day));
                    for day in weekdays {
                        draft
                            .hours
                            .extend(monday.iter().map(|h| OpeningPeriod { day, ..h.clone() }));
                    }
                    draft.hours.sort_by_key(|h| h.day);
                }),
            })
        })
    };
    {
        let days = Weekday::ALL.iter().map(|&day| {
            let key = format!("{day:?}").to_lowercase();
            let periods: Vec<(usize, &OpeningPeriod)> = draft
                .hours
                .iter()
                .enumerate()
                .filter(|(_, h)| h.day == day)
                .collect();
            let next_index = draft.hours.len();
            let (open, close) = match periods.last() {
                Some((_, last)) => {
                    let open = add_minutes(&last.close, 60);
                    let close = add_minutes(&open, 180);
                    (open, close)
                }
                None => ("09:00".to_string(), "17:00".to_string()),
            };
            let add = on_add(
                &d,
                &props.focus,
                format!("profile.hours[{next_index}].open"),
                move |draft| {
                    draft.hours.push(OpeningPeriod {
                        day,
                        open: open.clone(),
                        close: close.clone(),
                    })
                },
            );
            let rows = periods.iter().map(|(i, h)| {
                let i = *i;
                let open_path = format!("profile.hours[{i}].open");
                let close_path = format!("profile.hours[{i}].close");
                let remove = on_remove_item(&d, "profile.hours", i, hours);
                let invalid = |p: &str| field_error(error, p).is_some().then_some("true");
                html! {
                    <div class="period" key={i}>
                        <div class="period-inputs">
                            <label for={path_id(&open_path)}>{ "Opens" }</label>
                            <input type="time" class="period-open" id={path_id(&open_path)} name={open_path.clone()}
                                value={h.open.clone()} aria-invalid={invalid(&open_path)}
                                oninput={on_item(&d, hours, i, |h, v| h.open = v)} />
                            <label for={path_id(&close_path)}>{ "Closes" }</label>
                            <input type="time" class="period-close" id={path_id(&close_path)} name={close_path.clone()}
                                value={h.close.clone()} aria-invalid={invalid(&close_path)}
                                oninput={on_item(&d, hours, i, |h, v| h.close = v)} />
                            <button type="button" class="btn-link remove-period" onclick={remove}>
                                { "Remove" }
                                <span class="visually-hidden">{ format!(" {} {}–{}", day.name(), h.open, h.close) }</span>
                            </button>
                        </div>
                        { row_error(error, &open_path) }
                        { row_error(error, &close_path) }
                        { row_error(error, &format!("profile.hours[{i}].day")) }
                        { list_error(error, &format!("profile.hours[{i}]")) }
                    </div>
                }
            });
            html! {
                <div class="day-hours" data-day={key} role="group" aria-label={day.name()}>
                    <div class="day-name">{ day.name() }</div>
                    <div class="day-periods">
                        if periods.is_empty() {
                            <span class="muted day-closed">{ "Closed" }</span>
                        }
                        { for rows }
                    </div>
                    <div class="day-actions">
                        <button type="button" class="btn btn-secondary btn-small add-period" onclick={add}>
                            { if periods.is_empty() { "Add hours" } else { "Add period" } }
                            <span class="visually-hidden">{ format!(" on {}", day.name()) }</span>
                        </button>
                        if day == Weekday::Mon && !periods.is_empty() {
                            <button type="button" class="btn-link small" id="copy-weekdays" onclick={copy_weekdays.clone()}>
                                { "Copy to Tue–Fri" }
                            </button>
                        }
                    </div>
                </div>
            }
        });
        html! {
            <section class="card" aria-labelledby="hours-title" data-testid="hours-editor">
                <h2 class="card-title" id="hours-title">{ "Opening hours" }</h2>
                <p class="card-subtitle">{ "Add a period for each day you're open; add a second one for a lunch break. Days without hours are closed." }</p>
                { list_error(error, "profile.hours") }
                <div class="hours">{ for days }</div>
            </section>
        }
    }
}
