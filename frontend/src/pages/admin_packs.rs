//! `/admin/packs`: admins edit the credit packs on sale (inline, one row per
//! pack, inactive ones included) and add new ones.

use std::rc::Rc;

use shared::api::{NewPack, Pack, PackPatch};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api::ApiError;
use crate::components::{
    field_error, invalid_fields, not_allowed, rename_field, Field, FormError, FormValues,
    SubmitButton, Success, Table,
};
use crate::hooks::{use_action, use_api, use_signed_in};
use crate::session::use_session;
use crate::units::{
    fmt_money, fmt_pack_minutes, fmt_per_minute, minutes_error, minutes_input, parse_cents,
    parse_minutes, price_error, price_input,
};

/// Inputs of a pack form; the API's field names differ for two of them.
const PACK_INPUTS: &[&str] = &["name", "minutes", "price", "active", "sort"];

const COLUMNS: &[&str] = &[
    "Name",
    "Minutes",
    "Price",
    "Per minute",
    "Active",
    "Sort",
    "_Save",
];

/// Shows the API's `seconds` / `price_cents` errors at the minutes / price inputs.
fn pack_error(e: ApiError) -> ApiError {
    rename_field(
        rename_field(e, "seconds", "minutes"),
        "price_cents",
        "price",
    )
}

fn parse_sort(text: &str) -> Result<i32, &'static str> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(0);
    }
    t.parse::<i32>().map_err(|_| "Enter a whole number.")
}

// ---- list state ----------------------------------------------------------------

fn sorted(mut packs: Vec<Pack>) -> Vec<Pack> {
    packs.sort_by(|a, b| {
        a.sort
            .cmp(&b.sort)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    packs
}

/// Created or saved: replace (or add) it and keep the order.
fn upsert(list: &mut Vec<Pack>, pack: Pack) {
    match list.iter_mut().find(|p| p.id == pack.id) {
        Some(old) => *old = pack,
        None => list.push(pack),
    }
    let packs = std::mem::take(list);
    *list = sorted(packs);
}

// ---- page ------------------------------------------------------------------------

#[function_component(AdminPacksPage)]
pub fn admin_packs_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let is_admin = session.is_admin();
    let packs = use_api(is_admin.then_some(()), |api, ()| async move {
        api.admin_packs().await.map(|list| sorted(list.packs))
    });

    if let Err(other) = gate {
        return other;
    }
    if !is_admin {
        return not_allowed();
    }

    let on_saved = {
        let packs = packs.clone();
        Callback::from(move |p: Pack| packs.update(move |list| upsert(list, p)))
    };

    let table = packs.view("Loading packs…", |list| {
        html! {
            <>
                if list.is_empty() {
                    <p class="empty" data-testid="packs-empty">{ "No packs yet. Add the first one below." }</p>
                }
                <Table columns={COLUMNS} testid="packs-table" class="table-edit">
                    { for list.iter().map(|p| html! {
                        <PackRow key={p.id.to_string()} pack={p.clone()} on_saved={on_saved.clone()} />
                    }) }
                </Table>
            </>
        }
    });

    html! {
        <div class="stack stack-wide" data-testid="admin-packs-page">
            <section class="card card-wide">
                <h1 class="card-title">{ "Credit packs" }</h1>
                <p class="card-subtitle">
                    { "What customers can buy on their Credits page. Inactive packs are hidden from them; lower sort numbers come first. Edit a row and press Save (or Enter)." }
                </p>
                { table }
            </section>
            <NewPackForm on_created={on_saved} />
        </div>
    }
}

// ---- one editable row --------------------------------------------------------------

#[derive(Properties, PartialEq)]
struct PackRowProps {
    pack: Pack,
    on_saved: Callback<Pack>,
}

/// The row's inputs as typed.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    name: String,
    minutes: String,
    price: String,
    active: bool,
    sort: String,
}

impl Draft {
    fn of(p: &Pack) -> Self {
        Draft {
            name: p.name.clone(),
            minutes: minutes_input(p.seconds),
            price: price_input(p.price_cents),
            active: p.active,
            sort: p.sort.to_string(),
        }
    }

    /// Only what changed; a field whose text is as it was loaded is not
    /// re-parsed (a pack of 100 s shows as "1.7" and must stay 100 s).
    fn patch(&self, p: &Pack) -> Result<PackPatch, ApiError> {
        let shown = Draft::of(p);
        let mut patch = PackPatch::default();
        let mut problems: Vec<(&str, &str)> = Vec::new();
        let name = self.name.trim();
        if name != p.name {
            patch.name = Some(name.to_string());
        }
        if self.minutes.trim() != shown.minutes {
            match parse_minutes(&self.minutes, false) {
                Ok(s) if s != p.seconds => patch.seconds = Some(s),
                Ok(_) => {}
                Err(e) => problems.push(("minutes", minutes_error(e))),
            }
        }
        if self.price.trim() != shown.price {
            match parse_cents(&self.price) {
                Ok(c) if c != p.price_cents => patch.price_cents = Some(c),
                Ok(_) => {}
                Err(e) => problems.push(("price", price_error(e))),
            }
        }
        if self.active != p.active {
            patch.active = Some(self.active);
        }
        match parse_sort(&self.sort) {
            Ok(s) if s != p.sort => patch.sort = Some(s),
            Ok(_) => {}
            Err(m) => problems.push(("sort", m)),
        }
        if problems.is_empty() {
            Ok(patch)
        } else {
            Err(invalid_fields(&problems))
        }
    }
}

fn cell_error(error: &Option<ApiError>, name: &str) -> Html {
    match field_error(error, name) {
        Some(message) => html! {
            <p class="field-error" data-testid={format!("field-error-{name}")}>{ message }</p>
        },
        None => html! {},
    }
}

#[function_component(PackRow)]
fn pack_row(props: &PackRowProps) -> Html {
    let p = &props.pack;
    let draft = use_state(|| Draft::of(p));
    let action = use_action();
    let saved = use_state(|| false);

    {
        // A saved pack comes back from the API: show it as stored.
        let draft = draft.clone();
        use_effect_with(p.clone(), move |p| draft.set(Draft::of(p)));
    }

    let dirty = *draft != Draft::of(p);
    let form_id = format!("pack-form-{}", p.id);
    let input_id = |field: &str| format!("pack-{}-{field}", p.id);

    // Applies an edit; back to the stored values, the row has nothing to
    // save, so an earlier error would only be in the way.
    let update = {
        let (draft, saved, action, pack) =
            (draft.clone(), saved.clone(), action.clone(), p.clone());
        Rc::new(move |next: Draft| {
            if next == Draft::of(&pack) {
                action.clear();
            }
            draft.set(next);
            saved.set(false);
        })
    };
    let edit = |apply: fn(&mut Draft, String)| {
        let (draft, update) = (draft.clone(), update.clone());
        Callback::from(move |e: InputEvent| {
            let mut next = (*draft).clone();
            apply(
                &mut next,
                e.target_unchecked_into::<HtmlInputElement>().value(),
            );
            update(next);
        })
    };
    let toggle_active = {
        let (draft, update) = (draft.clone(), update.clone());
        Callback::from(move |e: Event| {
            let mut next = (*draft).clone();
            next.active = e.target_unchecked_into::<HtmlInputElement>().checked();
            update(next);
        })
    };

    let onsubmit = {
        let (draft, action, saved) = (draft.clone(), action.clone(), saved.clone());
        let (pack, on_saved) = (p.clone(), props.on_saved.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if action.busy() {
                return;
            }
            let patch = match draft.patch(&pack) {
                Ok(patch) => patch,
                Err(e) => return action.fail(e),
            };
            action.clear();
            if patch == PackPatch::default() {
                // Only whitespace or an equal value changed: nothing to send.
                draft.set(Draft::of(&pack));
                return;
            }
            let (saved, on_saved, id) = (saved.clone(), on_saved.clone(), pack.id);
            action.run(
                move |api| async move { api.admin_update_pack(id, &patch).await.map_err(pack_error) },
                move |p| {
                    saved.set(true);
                    on_saved.emit(p);
                },
            );
        })
    };

    let (busy, error) = (action.busy(), action.error());
    let row_error = error.as_ref().and_then(|e| {
        let has_cell = e.fields.keys().any(|k| PACK_INPUTS.contains(&k.as_str()));
        let others: Vec<&String> = e
            .fields
            .iter()
            .filter(|(k, _)| !PACK_INPUTS.contains(&k.as_str()))
            .map(|(_, v)| v)
            .collect();
        if has_cell && others.is_empty() {
            None
        } else if others.is_empty() {
            Some(e.message.clone())
        } else {
            Some(
                others
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        }
    });
    let currency = p.currency.to_uppercase();
    // One input of the row, with its hidden label, its unit and its error.
    let cell = |field: &'static str,
                label: String,
                class: &'static str,
                inputmode: Option<&'static str>,
                value: &str,
                set: fn(&mut Draft, String),
                unit: Option<String>| {
        let input = html! {
            <input id={input_id(field)} name={field} form={form_id.clone()} class={class}
                inputmode={inputmode} value={value.to_string()} oninput={edit(set)}
                aria-invalid={field_error(&error, field).is_some().then_some("true")} />
        };
        html! {
            <div class="cell-edit">
                <label class="visually-hidden" for={input_id(field)}>{ label }</label>
                if let Some(unit) = unit {
                    <div class="input-affix">
                        { input }
                        <span class="muted small">{ unit }</span>
                    </div>
                } else {
                    { input }
                }
                { cell_error(&error, field) }
            </div>
        }
    };

    html! {
        <tr data-testid="pack-row" class={classes!((!p.active).then_some("row-inactive"))}>
            <td data-label="Name">{ cell("name", "Name".into(), "input-name", None, &draft.name, |d, v| d.name = v, None) }</td>
            <td data-label="Minutes">
                { cell("minutes", "Minutes".into(), "input-num", Some("decimal"), &draft.minutes, |d, v| d.minutes = v, None) }
            </td>
            <td data-label="Price">
                { cell("price", format!("Price ({currency})"), "input-num", Some("decimal"), &draft.price,
                    |d, v| d.price = v, Some(currency.clone())) }
            </td>
            <td data-label="Per minute" class="muted">
                { fmt_per_minute(p.price_cents, p.seconds, &p.currency).unwrap_or_else(|| "—".into()) }
            </td>
            <td data-label="Active">
                <div class="cell-edit">
                    <label class="checkbox">
                        <input type="checkbox" id={input_id("active")} name="active" form={form_id.clone()}
                            checked={draft.active} onchange={toggle_active} />
                        <span>{ if draft.active { "On sale" } else { "Hidden" } }</span>
                    </label>
                    { cell_error(&error, "active") }
                </div>
            </td>
            <td data-label="Sort">
                { cell("sort", "Sort".into(), "input-sort", Some("numeric"), &draft.sort, |d, v| d.sort = v, None) }
            </td>
            <td class="row-actions">
                <form id={form_id} onsubmit={onsubmit} novalidate=true>
                    <button type="submit" class="btn btn-primary btn-small" data-testid="save-pack"
                        disabled={busy || !dirty} aria-busy={busy.then_some("true")}
                        aria-label={format!("Save {}", p.name)}>
                        { if busy { "Saving…" } else { "Save" } }
                    </button>
                </form>
                if *saved && !dirty {
                    <span class="saved" role="status" data-testid="pack-saved">{ "Saved" }</span>
                }
                if let Some(message) = row_error {
                    <p class="field-error" role="alert" data-testid="form-error">{ message }</p>
                }
            </td>
        </tr>
    }
}

// ---- new pack ------------------------------------------------------------------------

#[derive(Properties, PartialEq)]
struct NewPackProps {
    on_created: Callback<Pack>,
}

/// The new pack of its form, or what is wrong with it.
fn new_pack(values: &FormValues) -> Result<NewPack, ApiError> {
    let mut problems: Vec<(&str, &str)> = Vec::new();
    let seconds = parse_minutes(&values.get("minutes"), false)
        .map_err(|e| problems.push(("minutes", minutes_error(e))))
        .unwrap_or(0);
    let price_cents = parse_cents(&values.get("price"))
        .map_err(|e| problems.push(("price", price_error(e))))
        .unwrap_or(0);
    let sort = parse_sort(&values.get("sort"))
        .map_err(|m| problems.push(("sort", m)))
        .unwrap_or(0);
    if !problems.is_empty() {
        return Err(invalid_fields(&problems));
    }
    Ok(NewPack {
        name: values.get("name").trim().to_string(),
        seconds,
        price_cents,
        active: !values.get("active").is_empty(),
        sort,
    })
}

#[function_component(NewPackForm)]
fn new_pack_form(props: &NewPackProps) -> Html {
    let action = use_action();
    // Bumped after a pack is added: a fresh form with the defaults (a form
    // reset would not bring back the checkbox, which Yew sets as a property).
    let form_key = use_state(|| 0_u32);

    let onsubmit = {
        let (done, form_key) = (action.clone(), form_key.clone());
        let on_created = props.on_created.clone();
        action.on_submit(
            new_pack,
            |api, request| async move { api.admin_create_pack(&request).await.map_err(pack_error) },
            move |p: Pack| {
                done.set_done(format!(
                    "Added “{}”: {} for {}.",
                    p.name,
                    fmt_pack_minutes(p.seconds),
                    fmt_money(p.price_cents, &p.currency)
                ));
                form_key.set(*form_key + 1);
                on_created.emit(p);
            },
        )
    };

    let error = action.error();
    html! {
        <section class="card card-wide" data-testid="new-pack">
            <h1 class="card-title">{ "New pack" }</h1>
            if let Some(message) = action.done() {
                <Success><p>{ message }</p></Success>
            }
            <form class="form" key={*form_key} onsubmit={onsubmit} novalidate=true data-testid="new-pack-form">
                <FormError error={error.clone()} shown_fields={PACK_INPUTS} />
                <div class="form-grid form-grid-tight">
                    <Field name="name" label="Name" placeholder="e.g. Starter" error={field_error(&error, "name")} />
                    <Field name="minutes" label="Minutes" inputmode="decimal" placeholder="e.g. 100"
                        hint="At most one decimal." error={field_error(&error, "minutes")} />
                    <Field name="price" label="Price (USD)" inputmode="decimal" placeholder="e.g. 25.00"
                        hint="Dollars and cents." error={field_error(&error, "price")} />
                    <Field name="sort" label="Sort" inputmode="numeric" value="0"
                        hint="Lower numbers come first." error={field_error(&error, "sort")} />
                </div>
                <label class="checkbox">
                    <input type="checkbox" id="active" name="active" checked=true />
                    <span>{ "On sale (customers can buy it)" }</span>
                </label>
                <SubmitButton label="Add pack" busy_label="Adding…" busy={action.busy()} />
            </form>
        </section>
    }
}
