//! `/admin/users` and `/admin/users/:id`: admins browse every user; the
//! detail page includes the account's credits (`admin_credits`).

use shared::api::{AdminUserDetail, AdminUserPage};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::ApiError;
use crate::components::{
    fmt_time, role_label, set_load, use_list_query, use_signed_in, Card, Load, Loading, Pager,
};
use crate::pages::admin_credits::AdminCredits;
use crate::session::use_session;
use crate::Route;

const PER_PAGE: i64 = 25;

pub(crate) fn not_allowed() -> Html {
    html! {
        <Card title="Not allowed" narrow=true testid="forbidden">
            <p>{ "This page is only for Kametrix administrators. If you think you should have access, contact your administrator." }</p>
            <div class="actions">
                <Link<Route> to={Route::Home} classes="btn btn-primary">{ "Go to your dashboard" }</Link<Route>>
            </div>
        </Card>
    }
}

/// Shows an API failure (401 is handled where the request is made).
pub(crate) fn failure(e: &ApiError) -> Html {
    if e.is_forbidden() {
        return not_allowed();
    }
    html! {
        <div class="alert alert-error" role="alert" data-testid="form-error">
            <p>{ &e.message }</p>
        </div>
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "Yes"
    } else {
        "No"
    }
}

// ---- list ------------------------------------------------------------------

#[function_component(AdminUsersPage)]
pub fn admin_users_page() -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let navigator = use_navigator();
    // The list's state lives in the URL: `/admin/users?q=…&page=…`.
    let search = use_list_query(Route::AdminUsers);
    let (q, page) = (search.q.clone(), search.page);
    let is_admin = session.is_admin();

    let list = use_state(|| Load::<AdminUserPage>::Loading);
    let request_seq = use_mut_ref(|| 0u32);

    {
        let list = list.clone();
        let api = session.api();
        let session = session.clone();
        let request_seq = request_seq.clone();
        use_effect_with((q.clone(), page, is_admin), move |(q, page, is_admin)| {
            if *is_admin {
                let seq = {
                    let mut s = request_seq.borrow_mut();
                    *s += 1;
                    *s
                };
                list.set(Load::Loading);
                let (q, page) = (q.clone(), *page);
                yew::platform::spawn_local(async move {
                    let result = api.admin_users(&q, page, PER_PAGE).await;
                    if *request_seq.borrow() != seq {
                        return; // a newer search is under way
                    }
                    set_load(&session, result, |l| list.set(l));
                });
            }
        });
    }

    if let Err(other) = gate {
        return other;
    }
    if !is_admin {
        return not_allowed();
    }

    let body = match &*list {
        Load::Loading => html! { <Loading label="Loading users…" /> },
        Load::Failed(e) => failure(e),
        Load::Loaded(p) => {
            let rows = p.users.iter().map(|u| {
                let id = u.id.to_string();
                let open = {
                    let navigator = navigator.clone();
                    let id = id.clone();
                    Callback::from(move |_: MouseEvent| {
                        if let Some(nav) = &navigator {
                            nav.push(&Route::AdminUser { id: id.clone() });
                        }
                    })
                };
                // The link is for keyboards and "open in new tab"; a plain
                // click bubbles to the row, which navigates in the app.
                let link_click = Callback::from(|e: MouseEvent| {
                    if !(e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0) {
                        e.prevent_default();
                    } else {
                        e.stop_propagation();
                    }
                });
                html! {
                    <tr data-testid="user-row" class="clickable" onclick={open} key={id.clone()}>
                        <td data-label="Email">
                            <a href={format!("/admin/users/{id}")} onclick={link_click}>{ &u.email }</a>
                        </td>
                        <td data-label="Business">{ &u.business_name }</td>
                        <td data-label="Role">
                            <span class={classes!("badge", (u.role == shared::api::Role::Admin).then_some("badge-admin"))}>
                                { role_label(&u.role) }
                            </span>
                        </td>
                        <td data-label="Verified">{ yes_no(u.email_verified) }</td>
                        <td data-label="Created">{ fmt_time(&u.created_at) }</td>
                        <td data-label="Last login">
                            { u.last_login_at.as_ref().map(fmt_time).unwrap_or_else(|| "Never".into()) }
                        </td>
                    </tr>
                }
            });
            html! {
                <>
                    <p class="muted" data-testid="users-total">
                        { format!("{} user{}", p.total, if p.total == 1 { "" } else { "s" }) }
                        if !q.is_empty() { { format!(" matching “{q}”") } }
                    </p>
                    if p.users.is_empty() {
                        <p class="empty" data-testid="users-empty">{ "No users found." }</p>
                    }
                    <div class="table-wrap">
                        <table class="table" data-testid="users-table">
                            <thead>
                                <tr>
                                    <th scope="col">{ "Email" }</th>
                                    <th scope="col">{ "Business" }</th>
                                    <th scope="col">{ "Role" }</th>
                                    <th scope="col">{ "Verified" }</th>
                                    <th scope="col">{ "Created" }</th>
                                    <th scope="col">{ "Last login" }</th>
                                </tr>
                            </thead>
                            <tbody>{ for rows }</tbody>
                        </table>
                    </div>
                    <Pager page={p.page} total={p.total} per_page={p.per_page} onchange={search.onpage.clone()} />
                </>
            }
        }
    };

    html! {
        <section class="card card-wide" data-testid="admin-users-page">
            <h1 class="card-title">{ "Users" }</h1>
            <p class="card-subtitle">{ "Everyone with a Kametrix account. Click a row for details." }</p>
            <form class="search" role="search" onsubmit={search.onsubmit}>
                <label for="q" class="visually-hidden">{ "Search users" }</label>
                <input id="q" name="q" type="search" placeholder="Search by email or business name"
                    value={search.text} oninput={search.oninput} data-testid="users-search" />
                <button type="submit" class="btn btn-primary">{ "Search" }</button>
            </form>
            { body }
        </section>
    }
}

// ---- detail ----------------------------------------------------------------

#[derive(Properties, PartialEq)]
pub struct AdminUserDetailProps {
    pub id: String,
}

#[function_component(AdminUserDetailPage)]
pub fn admin_user_page(props: &AdminUserDetailProps) -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let is_admin = session.is_admin();
    let detail = use_state(|| Load::<AdminUserDetail>::Loading);

    {
        let detail = detail.clone();
        let api = session.api();
        let session = session.clone();
        use_effect_with((props.id.clone(), is_admin), move |(id, is_admin)| {
            if *is_admin {
                detail.set(Load::Loading);
                let id = id.clone();
                yew::platform::spawn_local(async move {
                    let result = api.admin_user(&id).await;
                    set_load(&session, result, |l| detail.set(l));
                });
            }
        });
    }

    if let Err(other) = gate {
        return other;
    }
    if !is_admin {
        return not_allowed();
    }

    let back = html! {
        <div class="actions">
            <Link<Route> to={Route::AdminUsers} classes="btn btn-secondary">{ "← All users" }</Link<Route>>
        </div>
    };

    match &*detail {
        Load::Loading => html! { <Loading label="Loading user…" /> },
        Load::Failed(e) if e.status == 404 => html! {
            <Card title="User not found" narrow=true testid="user-not-found">
                <p>{ "There is no user with this id. They may have been removed." }</p>
                { back }
            </Card>
        },
        Load::Failed(e) => html! {
            <Card title="User" narrow=true>
                { failure(e) }
                { back }
            </Card>
        },
        Load::Loaded(d) => {
            let u = &d.user;
            html! {
                <div class="stack">
                <Card title={u.email.clone()} subtitle={u.business_name.clone()} testid="user-detail">
                    <dl class="details">
                        <div><dt>{ "Email" }</dt><dd data-testid="detail-email">{ &u.email }</dd></div>
                        <div><dt>{ "Business" }</dt><dd data-testid="detail-business">{ &u.business_name }</dd></div>
                        <div><dt>{ "Role" }</dt><dd data-testid="detail-role">{ role_label(&u.role) }</dd></div>
                        <div><dt>{ "Email verified" }</dt><dd data-testid="detail-verified">{ yes_no(u.email_verified) }</dd></div>
                        <div><dt>{ "Created" }</dt><dd>{ fmt_time(&u.created_at) }</dd></div>
                        <div>
                            <dt>{ "Last login" }</dt>
                            <dd>{ u.last_login_at.as_ref().map(fmt_time).unwrap_or_else(|| "Never".into()) }</dd>
                        </div>
                        <div><dt>{ "Active sessions" }</dt><dd data-testid="active-sessions">{ d.active_sessions }</dd></div>
                        <div><dt>{ "User id" }</dt><dd class="mono">{ u.id.to_string() }</dd></div>
                        <div><dt>{ "Account id" }</dt><dd class="mono">{ u.account_id.to_string() }</dd></div>
                    </dl>
                    { back }
                </Card>
                <AdminCredits account_id={u.account_id} />
                </div>
            }
        }
    }
}
