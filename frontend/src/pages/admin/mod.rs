//! `/admin/users` and `/admin/users/:id`: admins browse every user; the
//! detail page includes the account's credits (`credits`).

mod credits;

use shared::api::Role;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{
    back_link, detail_view, fmt_time, list_total, not_allowed, role_label, row_link,
    search_form_of, yes_no, Card, DetailTexts, Pager, Table,
};
use crate::hooks::{use_api, use_list_query, use_signed_in};
use crate::session::use_session;
use crate::Route;
use credits::AdminCredits;

const PER_PAGE: i64 = 25;

const COLUMNS: &[&str] = &[
    "Email",
    "Business",
    "Role",
    "Verified",
    "Created",
    "Last login",
];

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

    let list = use_api(
        is_admin.then(|| (q.clone(), page)),
        |api, (q, page)| async move { api.admin_users(&q, page, PER_PAGE).await },
    );

    if let Err(other) = gate {
        return other;
    }
    if !is_admin {
        return not_allowed();
    }

    let body = list.view("Loading users…", |p| {
        let rows = p.users.iter().map(|u| {
            let id = u.id.to_string();
            let (open, link_click) = row_link(&navigator, Route::AdminUser { id: id.clone() });
            html! {
                <tr data-testid="user-row" class="clickable" onclick={open} key={id.clone()}>
                    <td data-label="Email">
                        <a href={format!("/admin/users/{id}")} onclick={link_click}>{ &u.email }</a>
                    </td>
                    <td data-label="Business">{ &u.business_name }</td>
                    <td data-label="Role">
                        <span class={classes!("badge", (u.role == Role::Admin).then_some("badge-admin"))}>
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
                { list_total("users-total", p.total, "user", &q) }
                if p.users.is_empty() {
                    <p class="empty" data-testid="users-empty">{ "No users found." }</p>
                }
                <Table columns={COLUMNS} testid="users-table">{ for rows }</Table>
                <Pager page={p.page} total={p.total} per_page={p.per_page} onchange={search.onpage.clone()} />
            </>
        }
    });

    html! {
        <Card title="Users" wide=true testid="admin-users-page"
            subtitle="Everyone with a Kametrix account. Click a row for details.">
            { search_form_of(&search, "Search users", "Search by email or business name", "users-search") }
            { body }
        </Card>
    }
}

// ---- detail ----------------------------------------------------------------

#[derive(Properties, PartialEq)]
pub struct AdminUserDetailProps {
    pub id: String,
}

const USER_TEXTS: DetailTexts = DetailTexts {
    loading: "Loading user…",
    title: "User",
    not_found_title: "User not found",
    not_found_text: "There is no user with this id. They may have been removed.",
    not_found_testid: "user-not-found",
};

#[function_component(AdminUserDetailPage)]
pub fn admin_user_page(props: &AdminUserDetailProps) -> Html {
    let session = use_session();
    let gate = use_signed_in();
    let is_admin = session.is_admin();
    let detail = use_api(is_admin.then(|| props.id.clone()), |api, id| async move {
        api.admin_user(&id).await
    });

    if let Err(other) = gate {
        return other;
    }
    if !is_admin {
        return not_allowed();
    }

    let back = back_link(Route::AdminUsers, "← All users");

    let d = match detail_view(&detail, &USER_TEXTS, &back) {
        Ok(d) => d,
        Err(other) => return other,
    };
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
