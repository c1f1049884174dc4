//! Accounts: signup, login and sessions, password change and reset, email
//! verification, and the admin's view of users.

pub mod domain;
mod emails;
pub mod passwords;
pub mod sessions;
pub mod throttle;
pub mod tokens;

use crate::api::{
    self, AccountId, AdminUser, AdminUserDetail, AdminUserPage, AdminUserQuery, Me, Role, UserId,
};
use crate::app::{App, UnitOfWork};
use crate::config::{Config, Secret};
use crate::error::{Error, Result, Validator};
use crate::http::{Reply, Request};
use domain::{BusinessName, EmailAddress, NewPassword};
use tokens::TokenKind;
use uuid::Uuid;

/// Emailed links of one kind a user may ask for per hour.
const EMAILS_PER_HOUR: i64 = 5;

/// A user and their account, selected as [`user_of`] reads them (`users`
/// aliased `u`, `accounts` aliased `a`).
macro_rules! user_columns {
    () => {
        "u.id AS user_id, u.email, u.role, u.email_verified_at IS NOT NULL AS email_verified,
         u.created_at, a.id AS account_id, a.business_name"
    };
}
pub(crate) use user_columns;

/// Reads [`user_columns`].
pub(crate) fn user_of(row: &tokio_postgres::Row) -> Result<(api::User, api::Account)> {
    Ok((
        api::User {
            id: row.try_get("user_id")?,
            email: row.try_get("email")?,
            role: row.try_get("role")?,
            email_verified: row.try_get("email_verified")?,
            created_at: row.try_get("created_at")?,
        },
        api::Account {
            id: row.try_get("account_id")?,
            business_name: row.try_get("business_name")?,
        },
    ))
}

/// Where a request came from, recorded on the session and used to throttle.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    pub fn of(request: &Request) -> ClientInfo {
        ClientInfo {
            ip: request.client_ip(),
            user_agent: request.user_agent().map(str::to_string),
        }
    }
}

/// A new session: what the user sees, and the cookie that carries it.
#[derive(Debug)]
pub struct SignedIn {
    pub me: Me,
    pub token: Secret,
}

impl SignedIn {
    pub fn reply(&self, status: u16, config: &Config) -> Reply {
        let cookie = sessions::Session {
            id: Uuid::nil(),
            token: self.token.clone(),
            csrf_token: String::new(),
            user: self.me.user.clone(),
            account: self.me.account.clone(),
            extended: false,
        }
        .cookie(config);
        Reply::json(status, &self.me).with_header(http::header::SET_COOKIE, &cookie)
    }
}

fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}

struct UserRow {
    user: api::User,
    account: api::Account,
    password_hash: String,
}

/// How a user is looked up.
enum UserKey<'a> {
    Email(&'a str),
    Id(UserId),
}

async fn find_user(
    client: &impl deadpool_postgres::GenericClient,
    key: UserKey<'_>,
) -> Result<Option<UserRow>> {
    macro_rules! select {
        () => {
            concat!(
                "SELECT ",
                user_columns!(),
                ", u.password_hash FROM users u JOIN accounts a ON a.id = u.account_id WHERE "
            )
        };
    }
    let row = match key {
        UserKey::Email(email) => {
            client
                .query_opt(concat!(select!(), "u.email = $1"), &[&email])
                .await?
        }
        UserKey::Id(id) => {
            client
                .query_opt(concat!(select!(), "u.id = $1"), &[&id])
                .await?
        }
    };
    row.map(|row| {
        let (user, account) = user_of(&row)?;
        Ok(UserRow {
            user,
            account,
            password_hash: row.try_get("password_hash")?,
        })
    })
    .transpose()
}

async fn start_session_in(
    tx: &deadpool_postgres::Transaction<'_>,
    row: UserRow,
    client: &ClientInfo,
) -> Result<SignedIn> {
    let (token, csrf_token) = sessions::create_in(
        tx,
        row.user.id,
        client.ip.as_deref(),
        client.user_agent.as_deref(),
    )
    .await?;
    tx.execute(
        "UPDATE users SET last_login_at = now() WHERE id = $1",
        &[&row.user.id],
    )
    .await?;
    Ok(SignedIn {
        me: Me {
            user: row.user,
            account: row.account,
            csrf_token,
        },
        token,
    })
}

/// Creates the account and its owner, emails a verification link, and signs
/// the owner in.
pub async fn signup(
    app: &App,
    request: api::SignupRequest,
    client: &ClientInfo,
) -> Result<SignedIn> {
    let mut v = Validator::new();
    let email = v.take("email", EmailAddress::parse(&request.email));
    let business = v.take("business_name", BusinessName::parse(&request.business_name));
    let password = v.take(
        "password",
        NewPassword::parse(&request.password, email.as_ref().map(|e| e.as_str())),
    );
    v.finish()?;
    let (email, business, password) = (email.unwrap(), business.unwrap(), password.unwrap());
    let password_hash = passwords::hash(password.expose()).await?;

    let mut db = app.db.get().await?;
    let mut tx = app.begin(&mut db).await?;
    let account_id: AccountId = tx
        .query_one(
            "INSERT INTO accounts (business_name) VALUES ($1) RETURNING id",
            &[&business.as_str()],
        )
        .await?
        .try_get("id")?;
    let inserted = tx
        .execute(
            "INSERT INTO users (account_id, email, password_hash, role) VALUES ($1, $2, $3, $4)",
            &[&account_id, &email.as_str(), &password_hash, &Role::Owner],
        )
        .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => return Err(Error::EmailTaken),
        other => other?,
    };
    let row = find_user(&*tx, UserKey::Email(email.as_str()))
        .await?
        .ok_or_else(|| Error::internal("user vanished after insert"))?;
    crate::credits::grant_signup_in(&tx, account_id).await?;
    let (token_id, token) = tokens::issue_in(&tx, row.user.id, TokenKind::VerifyEmail).await?;
    let mail = emails::verify_email(
        &app.config.public_url,
        email.as_str(),
        business.as_str(),
        &token,
    );
    tx.enqueue(&format!("verify_email:{token_id}"), &mail)
        .await?;
    let signed_in = start_session_in(&tx, row, client).await?;
    tx.commit().await?;
    tracing::info!(user_id = %signed_in.me.user.id, "account created");
    Ok(signed_in)
}

/// Signs in with email and password. Unknown emails and wrong passwords get
/// the same answer and take the same time; 10 failures per email or per IP
/// within 15 minutes lock further attempts until the window passes.
pub async fn login(app: &App, request: api::LoginRequest, client: &ClientInfo) -> Result<SignedIn> {
    let email = request.email.trim().to_lowercase();
    if email.is_empty() || request.password.is_empty() {
        let mut v = Validator::new();
        v.check(!email.is_empty(), "email", "Enter your email address.");
        v.check(
            !request.password.is_empty(),
            "password",
            "Enter your password.",
        );
        v.finish()?;
    }
    let mut db = app.db.get().await?;
    throttle::check(&db, &email, client.ip.as_deref()).await?;
    let row = find_user(&db, UserKey::Email(&email)).await?;
    let hash = match &row {
        Some(r) => r.password_hash.clone(),
        None => passwords::dummy_hash().await.to_string(),
    };
    let matches = passwords::verify(&request.password, &hash).await?;
    let Some(row) = row.filter(|_| matches) else {
        throttle::record_failure(&db, &email, client.ip.as_deref()).await?;
        return Err(Error::InvalidCredentials);
    };
    let tx = db.transaction().await?;
    let signed_in = start_session_in(&tx, row, client).await?;
    tx.commit().await?;
    Ok(signed_in)
}

pub async fn logout(app: &App, session: &sessions::Session) -> Result<()> {
    let db = app.db.get().await?;
    sessions::revoke(&db, session.id).await
}

/// Changes the password (the current one is required), signs out every
/// session and starts a fresh one for this browser.
pub async fn change_password(
    app: &App,
    session: &sessions::Session,
    request: api::ChangePasswordRequest,
    client: &ClientInfo,
) -> Result<SignedIn> {
    let mut v = Validator::new();
    v.check(
        !request.current_password.is_empty(),
        "current_password",
        "Enter your current password.",
    );
    let password = v.take(
        "new_password",
        NewPassword::parse(&request.new_password, Some(&session.user.email)),
    );
    v.check(
        request.new_password != request.current_password,
        "new_password",
        "Choose a password different from the current one.",
    );
    v.finish()?;
    let password = password.unwrap();
    let mut db = app.db.get().await?;
    let row = find_user(&db, UserKey::Id(session.user.id))
        .await?
        .ok_or(Error::Unauthenticated)?;
    if !passwords::verify(&request.current_password, &row.password_hash).await? {
        return Err(Error::WrongPassword);
    }
    let new_hash = passwords::hash(password.expose()).await?;
    let mut tx = app.begin(&mut db).await?;
    set_password_in(app, &mut tx, row.user.id, &row.user.email, &new_hash).await?;
    let signed_in = start_session_in(&tx, row, client).await?;
    tx.commit().await?;
    Ok(signed_in)
}

/// Stores a new password hash, revokes every session and emails the owner.
async fn set_password_in(
    app: &App,
    tx: &mut UnitOfWork<'_>,
    user_id: UserId,
    email_address: &str,
    hash: &str,
) -> Result<()> {
    tx.execute(
        "UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1",
        &[&user_id, &hash],
    )
    .await?;
    sessions::revoke_all_in(&**tx, user_id).await?;
    tx.execute(
        "UPDATE auth_tokens SET used_at = now()
         WHERE user_id = $1 AND kind = $2 AND used_at IS NULL",
        &[&user_id, &TokenKind::ResetPassword],
    )
    .await?;
    let mail = emails::password_changed(&app.config.public_url, email_address);
    tx.enqueue(&format!("password_changed:{}", Uuid::new_v4()), &mail)
        .await
}

/// Emails a reset link if the address has an account; answers the same
/// either way.
pub async fn forgot_password(app: &App, request: api::ForgotPasswordRequest) -> Result<()> {
    let email = EmailAddress::parse(&request.email).map_err(|m| Error::field("email", &m))?;
    let mut db = app.db.get().await?;
    let Some(row) = find_user(&db, UserKey::Email(email.as_str())).await? else {
        return Ok(());
    };
    let mut tx = app.begin(&mut db).await?;
    if recent_tokens_in(&tx, row.user.id, TokenKind::ResetPassword).await? >= EMAILS_PER_HOUR {
        tracing::info!(user_id = %row.user.id, "reset email limit reached; not sending");
        return Ok(());
    }
    let (token_id, token) = tokens::issue_in(&tx, row.user.id, TokenKind::ResetPassword).await?;
    let mail = emails::reset_password(&app.config.public_url, &row.user.email, &token);
    tx.enqueue(&format!("reset_password:{token_id}"), &mail)
        .await?;
    tx.commit().await
}

async fn recent_tokens_in(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: UserId,
    kind: TokenKind,
) -> Result<i64> {
    // Serialises concurrent requests for one user, so the limit holds.
    tx.execute("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", &[&user_id])
        .await?;
    Ok(tx
        .query_one(
            "SELECT count(*) FROM auth_tokens
             WHERE user_id = $1 AND kind = $2 AND created_at > now() - interval '1 hour'",
            &[&user_id, &kind],
        )
        .await?
        .get(0))
}

/// Sets a new password from an emailed reset link (single use, 1 hour).
/// Proves the address too, so it also marks the email verified.
pub async fn reset_password(app: &App, request: api::ResetPasswordRequest) -> Result<()> {
    let mut db = app.db.get().await?;
    let mut tx = app.begin(&mut db).await?;
    let user_id = tokens::consume_in(&tx, request.token.trim(), TokenKind::ResetPassword).await?;
    let row = find_user(&*tx, UserKey::Id(user_id))
        .await?
        .ok_or(Error::InvalidToken)?;
    // A refused password rolls the transaction back: the link still works.
    let password = NewPassword::parse(&request.new_password, Some(&row.user.email))
        .map_err(|m| Error::field("new_password", &m))?;
    let hash = passwords::hash(password.expose()).await?;
    set_password_in(app, &mut tx, user_id, &row.user.email, &hash).await?;
    tx.execute(
        "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1",
        &[&user_id],
    )
    .await?;
    tx.commit().await
}

/// Marks the address verified from an emailed link.
pub async fn verify_email(
    app: &App,
    request: api::VerifyEmailRequest,
) -> Result<api::VerifyEmailResponse> {
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    let user_id = tokens::consume_in(&tx, request.token.trim(), TokenKind::VerifyEmail).await?;
    let email: String = tx
        .query_one(
            "UPDATE users SET email_verified_at = coalesce(email_verified_at, now())
             WHERE id = $1 RETURNING email",
            &[&user_id],
        )
        .await?
        .get(0);
    tx.commit().await?;
    Ok(api::VerifyEmailResponse {
        message: "Your email address is confirmed.".into(),
        email,
    })
}

/// Sends a fresh verification link (at most 5 an hour).
pub async fn resend_verification(app: &App, session: &sessions::Session) -> Result<String> {
    if session.user.email_verified {
        return Ok("Your email address is already confirmed.".into());
    }
    let mut db = app.db.get().await?;
    let mut tx = app.begin(&mut db).await?;
    if recent_tokens_in(&tx, session.user.id, TokenKind::VerifyEmail).await? >= EMAILS_PER_HOUR {
        return Err(Error::TooManyAttempts { retry_after: 3600 });
    }
    let (token_id, token) = tokens::issue_in(&tx, session.user.id, TokenKind::VerifyEmail).await?;
    let mail = emails::verify_email(
        &app.config.public_url,
        &session.user.email,
        &session.account.business_name,
        &token,
    );
    tx.enqueue(&format!("verify_email:{token_id}"), &mail)
        .await?;
    tx.commit().await?;
    Ok(format!("We sent a new link to {}.", session.user.email))
}

/// Creates a user with its own account, or, if the email exists, sets its
/// role and password (so `make admin` also repairs a lost admin login).
/// Operators' tool: the email counts as verified.
pub async fn upsert_user(
    app: &App,
    email: &str,
    password: &str,
    business_name: &str,
    role: Role,
) -> Result<UserId> {
    let mut v = Validator::new();
    let email = v.take("email", EmailAddress::parse(email));
    let business = v.take("business_name", BusinessName::parse(business_name));
    let password = v.take(
        "password",
        NewPassword::parse(password, email.as_ref().map(|e| e.as_str())),
    );
    v.finish()?;
    let (email, business, password) = (email.unwrap(), business.unwrap(), password.unwrap());
    let hash = passwords::hash(password.expose()).await?;
    let mut db = app.db.get().await?;
    let tx = db.transaction().await?;
    let existing = find_user(&tx, UserKey::Email(email.as_str())).await?;
    let id = match existing {
        Some(row) => {
            tx.execute(
                "UPDATE users SET role = $2, password_hash = $3, password_changed_at = now(),
                        email_verified_at = coalesce(email_verified_at, now())
                 WHERE id = $1",
                &[&row.user.id, &role, &hash],
            )
            .await?;
            row.user.id
        }
        None => {
            let account_id: AccountId = tx
                .query_one(
                    "INSERT INTO accounts (business_name) VALUES ($1) RETURNING id",
                    &[&business.as_str()],
                )
                .await?
                .get(0);
            crate::credits::grant_signup_in(&tx, account_id).await?;
            tx.query_one(
                "INSERT INTO users (account_id, email, password_hash, role, email_verified_at)
                 VALUES ($1, $2, $3, $4, now()) RETURNING id",
                &[&account_id, &email.as_str(), &hash, &role],
            )
            .await?
            .get(0)
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// A user as admins see it (`users` aliased `u`, `accounts` aliased `a`).
macro_rules! admin_user_select {
    () => {
        concat!(
            "SELECT ",
            user_columns!(),
            ", u.last_login_at,
             (SELECT count(*) FROM sessions s
              WHERE s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > now())
                 AS active_sessions
             FROM users u JOIN accounts a ON a.id = u.account_id"
        )
    };
}

fn admin_user(row: &tokio_postgres::Row) -> Result<AdminUser> {
    let (user, account) = user_of(row)?;
    Ok(AdminUser {
        id: user.id,
        email: user.email,
        role: user.role,
        email_verified: user.email_verified,
        created_at: user.created_at,
        account_id: account.id,
        business_name: account.business_name,
        last_login_at: row.try_get("last_login_at")?,
    })
}

/// Every user, newest first, optionally filtered by a part of the email.
pub async fn admin_list_users(app: &App, query: AdminUserQuery) -> Result<AdminUserPage> {
    let mut v = Validator::new();
    let (page, per_page) = v.page(query.page, query.per_page, 25);
    let q = query.q.unwrap_or_default().trim().to_lowercase();
    v.check(q.chars().count() <= 254, "q", "The search is too long.");
    v.finish()?;
    let pattern = crate::db::contains_pattern(&q);
    let db = app.db.get().await?;
    let total: i64 = db
        .query_one(
            "SELECT count(*) FROM users u WHERE u.email LIKE $1",
            &[&pattern],
        )
        .await?
        .get(0);
    let rows = db
        .query(
            concat!(
                admin_user_select!(),
                " WHERE u.email LIKE $1 ORDER BY u.created_at DESC, u.id LIMIT $2 OFFSET $3"
            ),
            &[&pattern, &per_page, &((page - 1).saturating_mul(per_page))],
        )
        .await?;
    Ok(AdminUserPage {
        users: rows.iter().map(admin_user).collect::<Result<_>>()?,
        total,
        page,
        per_page,
    })
}

pub async fn admin_get_user(app: &App, id: UserId) -> Result<AdminUserDetail> {
    let db = app.db.get().await?;
    let row = db
        .query_opt(concat!(admin_user_select!(), " WHERE u.id = $1"), &[&id])
        .await?
        .ok_or(Error::NotFound)?;
    Ok(AdminUserDetail {
        user: admin_user(&row)?,
        active_sessions: row.try_get("active_sessions")?,
    })
}
