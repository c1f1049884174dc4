//! The editor's state (the draft, what was last saved, the errors) and the
//! pieces every section of the editor is made of.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::api::ApiError;
use crate::components::{field_error, value_of};

use super::draft::{path_id, shift_errors, Draft};

#[derive(Default, PartialEq)]
pub struct Editor {
    pub draft: Draft,
    /// The draft as last loaded or saved: "unsaved changes" compares to it.
    pub base: Draft,
    pub error: Option<ApiError>,
    pub saved: bool,
    /// Bumped by every failed save: the summary scrolls into view.
    pub failures: u32,
}

pub type Apply = Box<dyn FnOnce(&mut Draft)>;

pub enum EditorAction {
    Load(Draft),
    Saved(Draft),
    Edit(Apply),
    /// Removes item `index` of `list` (a JSON path such as `profile.faqs`).
    Remove {
        list: &'static str,
        index: usize,
        apply: Apply,
    },
    /// Rearranges `list` as a whole: its item errors no longer match.
    Replace {
        list: &'static str,
        apply: Apply,
    },
    Failed(ApiError),
}

impl Reducible for Editor {
    type Action = EditorAction;

    fn reduce(self: Rc<Self>, action: EditorAction) -> Rc<Self> {
        let mut next = Editor {
            draft: self.draft.clone(),
            base: self.base.clone(),
            error: self.error.clone(),
            saved: self.saved,
            failures: self.failures,
        };
        match action {
            EditorAction::Load(draft) => {
                next.draft = draft.clone();
                next.base = draft;
                next.error = None;
                next.saved = false;
            }
            EditorAction::Saved(draft) => {
                next.draft = draft.clone();
                next.base = draft;
                next.error = None;
                next.saved = true;
            }
            EditorAction::Edit(apply) => {
                apply(&mut next.draft);
                next.saved = false;
            }
            EditorAction::Remove { list, index, apply } => {
                apply(&mut next.draft);
                if let Some(err) = &mut next.error {
                    shift_errors(err, list, index);
                }
                next.saved = false;
            }
            EditorAction::Replace { list, apply } => {
                apply(&mut next.draft);
                if let Some(err) = &mut next.error {
                    let prefix = format!("{list}[");
                    err.fields.retain(|k, _| !k.starts_with(&prefix));
                }
                next.saved = false;
            }
            EditorAction::Failed(err) => {
                next.error = Some(err);
                next.saved = false;
                next.failures += 1;
            }
        }
        Rc::new(next)
    }
}

/// An input to focus after the next render (a row just added).
#[derive(Clone, Default)]
pub struct Focus(pub Rc<RefCell<Option<String>>>);

impl PartialEq for Focus {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// What every section of the editor gets.
#[derive(Properties, PartialEq)]
pub struct SectionProps {
    pub editor: UseReducerHandle<Editor>,
    pub focus: Focus,
}

pub type Dispatcher = UseReducerDispatcher<Editor>;

/// `oninput` that stores the value with `set`.
pub fn on_value(
    d: &Dispatcher,
    set: impl Fn(&mut Draft, String) + 'static,
) -> Callback<InputEvent> {
    let (d, set) = (d.clone(), Rc::new(set));
    Callback::from(move |e: InputEvent| {
        let value = value_of(e.target());
        let set = set.clone();
        d.dispatch(EditorAction::Edit(Box::new(move |draft| set(draft, value))));
    })
}

/// `onchange` (selects, radios) that stores the value with `set`.
pub fn on_change(d: &Dispatcher, set: impl Fn(&mut Draft, String) + 'static) -> Callback<Event> {
    let (d, set) = (d.clone(), Rc::new(set));
    Callback::from(move |e: Event| {
        let value = value_of(e.target());
        let set = set.clone();
        d.dispatch(EditorAction::Edit(Box::new(move |draft| set(draft, value))));
    })
}

/// A button's `onclick` that applies `apply` to the draft.
pub fn on_click(d: &Dispatcher, apply: impl Fn(&mut Draft) + 'static) -> Callback<MouseEvent> {
    let (d, apply) = (d.clone(), Rc::new(apply));
    Callback::from(move |_: MouseEvent| {
        let apply = apply.clone();
        d.dispatch(EditorAction::Edit(Box::new(move |draft| apply(draft))));
    })
}

/// A "Remove" button's `onclick` for item `index` of `list`.
pub fn on_remove(
    d: &Dispatcher,
    list: &'static str,
    index: usize,
    remove: impl Fn(&mut Draft) + 'static,
) -> Callback<MouseEvent> {
    let (d, remove) = (d.clone(), Rc::new(remove));
    Callback::from(move |_: MouseEvent| {
        let remove = remove.clone();
        d.dispatch(EditorAction::Remove {
            list,
            index,
            apply: Box::new(move |draft| remove(draft)),
        });
    })
}

/// An "Add" button's `onclick`: appends an item with `push` and, once it is
/// shown, focuses the input at `focus` (the new item's first field's path).
pub fn on_add(
    d: &Dispatcher,
    pending_focus: &Focus,
    focus: String,
    push: impl Fn(&mut Draft) + 'static,
) -> Callback<MouseEvent> {
    let (pending_focus, focus, push) = (pending_focus.clone(), path_id(&focus), on_click(d, push));
    Callback::from(move |e: MouseEvent| {
        *pending_focus.0.borrow_mut() = Some(focus.clone());
        push.emit(e);
    })
}

#[derive(Properties, PartialEq)]
pub struct ListEditorProps {
    /// `closures`: the card is `data-testid="closures-editor"`, its title
    /// `#closures-title`.
    pub name: AttrValue,
    pub title: AttrValue,
    pub subtitle: AttrValue,
    /// The errors about the whole list ([`list_error`]).
    pub error: Html,
    /// Shown instead of the rows when there are none.
    pub empty: Option<AttrValue>,
    pub add_id: AttrValue,
    pub add_label: AttrValue,
    pub onadd: Callback<MouseEvent>,
    /// The rows.
    #[prop_or_default]
    pub children: Html,
}

/// The card of a list of items (closures, services, FAQs): title, hint, the
/// list's errors, the rows and an "Add" button.
#[function_component(ListEditor)]
pub fn list_editor(props: &ListEditorProps) -> Html {
    let name = &props.name;
    html! {
        <section class="card" aria-labelledby={format!("{name}-title")} data-testid={format!("{name}-editor")}>
            <h2 class="card-title" id={format!("{name}-title")}>{ props.title.clone() }</h2>
            <p class="card-subtitle">{ props.subtitle.clone() }</p>
            { props.error.clone() }
            if let Some(empty) = &props.empty {
                <p class="muted">{ empty.clone() }</p>
            }
            <div class="list">{ props.children.clone() }</div>
            <button type="button" class="btn btn-secondary btn-small" id={props.add_id.clone()} onclick={props.onadd.clone()}>
                { props.add_label.clone() }
            </button>
        </section>
    }
}

/// The error message under an input inside a list row.
pub fn row_error(error: &Option<ApiError>, path: &str) -> Html {
    match field_error(error, path) {
        Some(message) => html! {
            <p class="field-error" id={format!("{}-error", path_id(path))}
                data-testid={format!("field-error-{path}")}>{ message }</p>
        },
        None => html! {},
    }
}

/// Errors about a whole list (`profile.hours`) or an item with no input of
/// its own (`profile.hours[2]`).
pub fn list_error(error: &Option<ApiError>, path: &str) -> Html {
    row_error(error, path)
}

/// The list `items` of the draft, e.g. `|d| &mut d.closures`.
pub type Items<T> = fn(&mut Draft) -> &mut Vec<T>;

/// `oninput` that stores the value in field `set` of item `index` of `items`.
pub fn on_item<T: 'static>(
    d: &Dispatcher,
    items: Items<T>,
    index: usize,
    set: fn(&mut T, String),
) -> Callback<InputEvent> {
    on_value(d, move |draft, value| {
        if let Some(item) = items(draft).get_mut(index) {
            set(item, value);
        }
    })
}

/// A "Remove" button's `onclick` for item `index` of `items` (at JSON path
/// `list`).
pub fn on_remove_item<T: 'static>(
    d: &Dispatcher,
    list: &'static str,
    index: usize,
    items: Items<T>,
) -> Callback<MouseEvent> {
    on_remove(d, list, index, move |draft| {
        let items = items(draft);
        if index < items.len() {
            items.remove(index);
        }
    })
}

#[derive(Properties, PartialEq)]
pub struct PathFieldProps {
    /// The JSON path: the input's `name`; its `id` is [`path_id`] of it.
    pub path: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    /// The editor's error: this input shows its own field's part.
    pub error: Option<ApiError>,
    pub oninput: Callback<InputEvent>,
    #[prop_or(AttrValue::Static("text"))]
    pub input_type: AttrValue,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub inputmode: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub multiline: bool,
    #[prop_or_default]
    pub rows: Option<u32>,
}

/// A [`crate::components::Field`] named by its JSON path.
#[function_component(PathField)]
pub fn path_field(props: &PathFieldProps) -> Html {
    let path = props.path.clone();
    html! {
        <crate::components::Field name={path.clone()} id={path_id(&path)} label={props.label.clone()}
            input_type={props.input_type.clone()} value={props.value.clone()}
            placeholder={props.placeholder.clone()} inputmode={props.inputmode.clone()}
            hint={props.hint.clone()} multiline={props.multiline} rows={props.rows}
            oninput={props.oninput.clone()} error={field_error(&props.error, &path)} />
    }
}

#[derive(Properties, PartialEq)]
pub struct ListRowProps {
    /// `closure-row`, `service-row`, `faq-row`.
    pub class: &'static str,
    /// What one item is called: "Closure", "Service", "Question".
    pub noun: &'static str,
    /// The list's JSON path (`profile.closures`).
    pub list: &'static str,
    pub index: usize,
    pub error: Option<ApiError>,
    pub onremove: Callback<MouseEvent>,
    /// The item's inputs.
    #[prop_or_default]
    pub children: Html,
}

/// One item of a list (a closure, a service, a question): its inputs, its
/// own errors and its "Remove" button.
#[function_component(ListRow)]
pub fn list_row(props: &ListRowProps) -> Html {
    let n = props.index + 1;
    html! {
        <fieldset class={classes!("list-item", props.class)}>
            <legend>{ format!("{} {n}", props.noun) }</legend>
            { props.children.clone() }
            { list_error(&props.error, &format!("{}[{}]", props.list, props.index)) }
            <button type="button" class="btn-link remove-item" onclick={props.onremove.clone()}>
                { "Remove" }<span class="visually-hidden">{ format!(" {} {n}", props.noun.to_lowercase()) }</span>
            </button>
        </fieldset>
    }
}

/// One list of the editor (closures, services, FAQs): where it is in the
/// draft and in the API's paths, and what its card says.
pub struct ListOf<T: 'static> {
    /// The JSON path (`profile.closures`).
    pub path: &'static str,
    pub items: Items<T>,
    /// A new, empty item.
    pub new: fn() -> T,
    /// The field of a new item that gets the cursor.
    pub first: &'static str,
    /// `closures`: the card is `data-testid="closures-editor"`.
    pub name: &'static str,
    pub title: &'static str,
    pub subtitle: &'static str,
    /// Shown when the list is empty.
    pub empty: &'static str,
    pub add_id: &'static str,
    pub add_label: &'static str,
    /// The class of a row (`closure-row`) and what one item is called.
    pub row_class: &'static str,
    pub noun: &'static str,
}

/// What a row of a [`ListOf`] needs to draw its inputs.
pub struct Row<'a, T: 'static> {
    pub list: &'a ListOf<T>,
    pub d: &'a Dispatcher,
    pub error: &'a Option<ApiError>,
    pub index: usize,
}

impl<T: 'static> Row<'_, T> {
    /// The JSON path of field `field` of this item.
    pub fn path(&self, field: &str) -> String {
        format!("{}[{}].{field}", self.list.path, self.index)
    }

    /// `oninput` that stores the value with `set`.
    pub fn on(&self, set: fn(&mut T, String)) -> Callback<InputEvent> {
        on_item(self.d, self.list.items, self.index, set)
    }
}

/// The card of `list` (showing `items`): a [`ListRow`] per item with the
/// inputs `row` draws, and the "Add" button.
pub fn list_section<T: 'static>(
    props: &SectionProps,
    list: &ListOf<T>,
    items: &[T],
    row: impl Fn(&T, &Row<T>) -> Html,
) -> Html {
    let d = props.editor.dispatcher();
    let error = &props.editor.error;
    let new = list.new;
    let items_of = list.items;
    let add = on_add(
        &d,
        &props.focus,
        format!("{}[{}].{}", list.path, items.len(), list.first),
        move |draft| items_of(draft).push(new()),
    );
    let rows = items.iter().enumerate().map(|(index, item)| {
        let ctx = Row {
            list,
            d: &d,
            error,
            index,
        };
        html! {
            <ListRow key={index} class={list.row_class} noun={list.noun} list={list.path} {index}
                error={error.clone()} onremove={on_remove_item(&d, list.path, index, list.items)}>
                { row(item, &ctx) }
            </ListRow>
        }
    });
    html! {
        <ListEditor name={list.name} title={list.title} subtitle={list.subtitle}
            error={list_error(error, list.path)}
            empty={items.is_empty().then_some(list.empty)}
            add_id={list.add_id} add_label={list.add_label} onadd={add}>
            { for rows }
        </ListEditor>
    }
}
