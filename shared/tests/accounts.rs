//! The accounts service against a real PostgreSQL (a fresh database per test).

use shared::accounts::{self, sessions, ClientInfo};
use shared::api::{self, ErrorCode, Role, UserId};
use shared::app::App;
use shared::db;
use shared::email::Email;
use shared::error::Error;
use shared::outbox::OutboxMessage;
use shared::testing::{
    self, an_owner_at, execute, scalar, signup_request, BUSINESS_NAME, PASSWORD,
};

fn login_request(email: &str, password: &str) -> api::LoginRequest {
    api::LoginRequest {
        email: email.into(),
        password: password.into(),
    }
}

async fn log_in(
    app: &App,
    email: &str,
    password: &str,
    client: &ClientInfo,
) -> Result<accounts::SignedIn, Error> {
    accounts::login(app, login_request(email, password), client).await
}

fn from_ip(ip: &str) -> ClientInfo {
    ClientInfo {
        ip: Some(ip.into()),
        user_agent: Some("test".into()),
    }
}

async fn count(app: &App, sql: &str) -> i64 {
    scalar(app, sql, &[]).await
}

/// The token in the newest queued email whose link contains `path`.
async fn emailed_token(app: &App, to: &str, path: &str) -> String {
    let rows = app
        .db
        .get()
        .await
        .unwrap()
        .query(
            "SELECT payload FROM outbox WHERE queue = $1 ORDER BY id DESC",
            &[&Email::QUEUE],
        )
        .await
        .unwrap();
    for row in rows {
        let email: Email = serde_json::from_value(row.get(0)).expect("an email payload");
        if email.to == to {
            if let Some(rest) = email.text.split(&format!("{path}?token=")).nth(1) {
                return rest.split_whitespace().next().unwrap().to_string();
            }
        }
    }
    panic!("no email to {to} with a {path} link");
}

async fn session_of(app: &App, signed_in: &accounts::SignedIn) -> Option<sessions::Session> {
    sessions::authenticate(&app.db, signed_in.token.expose())
        .await
        .unwrap()
}

#[tokio::test]
async fn signup_creates_an_unverified_owner_signs_in_and_queues_a_verification_link() {
    let app = testing::app().await;
    let s = accounts::signup(
        &app,
        signup_request(" Ann@Example.com "),
        &from_ip("1.1.1.1"),
    )
    .await
    .unwrap();
    assert_eq!(s.me.user.email, "ann@example.com");
    assert_eq!(s.me.user.role, Role::Owner);
    assert!(!s.me.user.email_verified);
    assert_eq!(s.me.account.business_name, BUSINESS_NAME);
    let session = session_of(&app, &s)
        .await
        .expect("the new session authenticates");
    assert_eq!(session.csrf_token, s.me.csrf_token);

    let token = emailed_token(&app, "ann@example.com", "/verify").await;
    let verified = accounts::verify_email(
        &app,
        api::VerifyEmailRequest {
            token: token.clone(),
        },
    )
    .await
    .unwrap();
    assert_eq!(verified.email, "ann@example.com");
    assert!(session_of(&app, &s).await.unwrap().user.email_verified);
    let again = accounts::verify_email(&app, api::VerifyEmailRequest { token }).await;
    assert!(
        matches!(again, Err(Error::InvalidToken)),
        "a verification link works once"
    );
}

#[tokio::test]
async fn only_the_token_hash_is_stored() {
    let app = testing::app().await;
    let s = an_owner_at(&app, "ann@example.com").await;
    let stored: Vec<u8> = scalar(&app, "SELECT token_hash FROM sessions", &[]).await;
    assert_ne!(stored, s.token.expose().as_bytes());
    assert_eq!(stored, accounts::tokens::hash_token(s.token.expose()));
    let hash: String = scalar(&app, "SELECT password_hash FROM users", &[]).await;
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
}

#[tokio::test]
async fn a_second_signup_with_the_same_email_in_any_case_is_refused_and_stores_nothing() {
    let app = testing::app().await;
    an_owner_at(&app, "ann@example.com").await;
    let e = accounts::signup(
        &app,
        signup_request("ANN@example.com"),
        &ClientInfo::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, Error::EmailTaken));
    assert_eq!(e.status(), 409);
    assert_eq!(count(&app, "SELECT count(*) FROM accounts").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM outbox").await, 1);
}

#[tokio::test]
async fn invalid_signups_report_every_bad_field_and_store_nothing() {
    let app = testing::app().await;
    let e = accounts::signup(
        &app,
        api::SignupRequest {
            email: "not-an-email".into(),
            password: "password123".into(),
            business_name: "  ".into(),
        },
        &ClientInfo::default(),
    )
    .await
    .unwrap_err();
    let Error::Validation(fields) = e else {
        panic!("expected field errors")
    };
    assert!(fields.contains_key("email"));
    assert!(fields["password"].contains("too common"));
    assert!(fields.contains_key("business_name"));
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 0);
}

#[tokio::test]
async fn unknown_emails_and_wrong_passwords_get_the_same_answer() {
    let app = testing::app().await;
    an_owner_at(&app, "ann@example.com").await;
    let wrong = log_in(
        &app,
        "ann@example.com",
        "not-the-password",
        &from_ip("1.1.1.1"),
    )
    .await
    .unwrap_err();
    let unknown = log_in(&app, "bob@example.com", PASSWORD, &from_ip("1.1.1.1"))
        .await
        .unwrap_err();
    assert_eq!(wrong.body(), unknown.body());
    assert_eq!(wrong.status(), 401);
    let ok = log_in(&app, "ANN@example.com", PASSWORD, &from_ip("1.1.1.1"))
        .await
        .unwrap();
    assert_eq!(ok.me.user.email, "ann@example.com");
}

#[tokio::test]
async fn ten_failed_logins_for_an_email_lock_it_even_for_the_right_password() {
    let app = testing::app().await;
    an_owner_at(&app, "ann@example.com").await;
    for i in 0..10 {
        let e = log_in(
            &app,
            "ann@example.com",
            "wrong-password-x",
            &from_ip(&format!("10.0.0.{i}")),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::InvalidCredentials), "attempt {i}: {e:?}");
    }
    let e = log_in(&app, "ann@example.com", PASSWORD, &from_ip("10.0.1.1"))
        .await
        .unwrap_err();
    let Error::TooManyAttempts { retry_after } = e else {
        panic!("expected 429, got {e:?}")
    };
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    // Once the failures are older than 15 minutes, the right password works.
    execute(
        &app,
        "UPDATE login_failures SET at = at - interval '16 minutes'",
        &[],
    )
    .await;
    log_in(&app, "ann@example.com", PASSWORD, &from_ip("10.0.1.1"))
        .await
        .unwrap();
}

#[tokio::test]
async fn ten_failed_logins_from_one_ip_lock_that_ip_for_every_email() {
    let app = testing::app().await;
    an_owner_at(&app, "ann@example.com").await;
    for i in 0..10 {
        let _ = log_in(
            &app,
            &format!("guess{i}@example.com"),
            "wrong-password-x",
            &from_ip("6.6.6.6"),
        )
        .await;
    }
    let e = log_in(&app, "ann@example.com", PASSWORD, &from_ip("6.6.6.6"))
        .await
        .unwrap_err();
    assert_eq!(e.status(), 429);
    log_in(&app, "ann@example.com", PASSWORD, &from_ip("7.7.7.7"))
        .await
        .unwrap();
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let app = testing::app().await;
    let s = an_owner_at(&app, "ann@example.com").await;
    let session = session_of(&app, &s).await.unwrap();
    accounts::logout(&app, &session).await.unwrap();
    assert!(session_of(&app, &s).await.is_none());
}

#[tokio::test]
async fn expired_sessions_do_not_authenticate_and_live_ones_slide_forward() {
    let app = testing::app().await;
    let s = an_owner_at(&app, "ann@example.com").await;
    let db = app.db.get().await.unwrap();
    db.execute(
        "UPDATE sessions SET expires_at = now() + interval '2 days'",
        &[],
    )
    .await
    .unwrap();
    let session = session_of(&app, &s).await.unwrap();
    assert!(session.extended, "an older session gets a fresh 30 days");
    let days: f64 = db
        .query_one(
            "SELECT extract(epoch FROM expires_at - now())::float8 / 86400 FROM sessions",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(days > 29.9, "{days}");
    assert!(
        !session_of(&app, &s).await.unwrap().extended,
        "no write on every request"
    );
    db.execute(
        "UPDATE sessions SET expires_at = now() - interval '1 second'",
        &[],
    )
    .await
    .unwrap();
    assert!(session_of(&app, &s).await.is_none());
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_signs_out_every_other_session() {
    let app = testing::app().await;
    let first = an_owner_at(&app, "ann@example.com").await;
    let other = log_in(&app, "ann@example.com", PASSWORD, &ClientInfo::default())
        .await
        .unwrap();
    let session = session_of(&app, &first).await.unwrap();
    let wrong = accounts::change_password(
        &app,
        &session,
        api::ChangePasswordRequest {
            current_password: "nope-nope-nope".into(),
            new_password: "green-meadow-kettle".into(),
        },
        &ClientInfo::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(wrong, Error::WrongPassword));
    let fresh = accounts::change_password(
        &app,
        &session,
        api::ChangePasswordRequest {
            current_password: PASSWORD.into(),
            new_password: "green-meadow-kettle".into(),
        },
        &ClientInfo::default(),
    )
    .await
    .unwrap();
    assert!(session_of(&app, &first).await.is_none());
    assert!(session_of(&app, &other).await.is_none());
    assert!(session_of(&app, &fresh).await.is_some());
    assert!(
        log_in(&app, "ann@example.com", PASSWORD, &ClientInfo::default())
            .await
            .is_err()
    );
    log_in(
        &app,
        "ann@example.com",
        "green-meadow-kettle",
        &ClientInfo::default(),
    )
    .await
    .unwrap();
    let changed: i64 = count(
        &app,
        "SELECT count(*) FROM outbox WHERE payload->>'subject' LIKE '%password was changed%'",
    )
    .await;
    assert_eq!(changed, 1, "the owner is told by email");
}

#[tokio::test]
async fn forgot_password_answers_alike_for_unknown_emails_and_queues_nothing_for_them() {
    let app = testing::app().await;
    accounts::forgot_password(
        &app,
        api::ForgotPasswordRequest {
            email: "nobody@example.com".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(count(&app, "SELECT count(*) FROM outbox").await, 0);
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_signs_out_everywhere() {
    let app = testing::app().await;
    let s = an_owner_at(&app, "ann@example.com").await;
    accounts::forgot_password(
        &app,
        api::ForgotPasswordRequest {
            email: "Ann@Example.com".into(),
        },
    )
    .await
    .unwrap();
    let token = emailed_token(&app, "ann@example.com", "/reset").await;

    let weak = accounts::reset_password(
        &app,
        api::ResetPasswordRequest {
            token: token.clone(),
            new_password: "short".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(weak, Error::Validation(ref f) if f.contains_key("new_password")));

    accounts::reset_password(
        &app,
        api::ResetPasswordRequest {
            token: token.clone(),
            new_password: "green-meadow-kettle".into(),
        },
    )
    .await
    .expect("a refused password does not burn the link");
    assert!(session_of(&app, &s).await.is_none());
    log_in(
        &app,
        "ann@example.com",
        "green-meadow-kettle",
        &ClientInfo::default(),
    )
    .await
    .unwrap();
    let again = accounts::reset_password(
        &app,
        api::ResetPasswordRequest {
            token,
            new_password: "another-long-phrase".into(),
        },
    )
    .await;
    assert!(matches!(again, Err(Error::InvalidToken)));
}

#[tokio::test]
async fn reset_links_expire_after_an_hour() {
    let app = testing::app().await;
    an_owner_at(&app, "ann@example.com").await;
    accounts::forgot_password(
        &app,
        api::ForgotPasswordRequest {
            email: "ann@example.com".into(),
        },
    )
    .await
    .unwrap();
    let token = emailed_token(&app, "ann@example.com", "/reset").await;
    let lifetime: f64 = scalar(&app, "SELECT extract(epoch FROM expires_at - created_at)::float8 FROM auth_tokens WHERE kind = 'reset_password'", &[]).await;
    assert!((lifetime - 3600.0).abs() < 5.0, "{lifetime}");
    execute(
        &app,
        "UPDATE auth_tokens SET expires_at = now() - interval '1 second'",
        &[],
    )
    .await;
    let e = accounts::reset_password(
        &app,
        api::ResetPasswordRequest {
            token,
            new_password: "green-meadow-kettle".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.status(), 400);
    assert_eq!(e.code(), ErrorCode::InvalidToken);
}

#[tokio::test]
async fn reset_emails_are_limited_to_five_an_hour() {
    let app = testing::app().await;
    an_owner_at(&app, "ann@example.com").await;
    for _ in 0..7 {
        accounts::forgot_password(
            &app,
            api::ForgotPasswordRequest {
                email: "ann@example.com".into(),
            },
        )
        .await
        .unwrap();
    }
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM outbox WHERE payload->>'subject' LIKE 'Reset%'"
        )
        .await,
        5
    );
}

#[tokio::test]
async fn admins_list_search_and_page_through_users() {
    let app = testing::app().await;
    for i in 0..5 {
        an_owner_at(&app, &format!("owner{i}@shop.example")).await;
    }
    accounts::upsert_user(
        &app,
        "boss@kametrix.example",
        "admin-pass-phrase",
        "Kametrix",
        Role::Admin,
    )
    .await
    .unwrap();
    let all = accounts::admin_list_users(&app, api::AdminUserQuery::default())
        .await
        .unwrap();
    assert_eq!(all.total, 6);
    let page = accounts::admin_list_users(
        &app,
        api::AdminUserQuery {
            q: Some("SHOP".into()),
            page: Some(2),
            per_page: Some(2),
        },
    )
    .await
    .unwrap();
    assert_eq!(page.total, 5);
    assert_eq!(page.users.len(), 2);
    assert!(page.users.iter().all(|u| u.email.contains("shop")));
    let wildcard = accounts::admin_list_users(
        &app,
        api::AdminUserQuery {
            q: Some("%".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        wildcard.total, 0,
        "LIKE wildcards in the search are literal"
    );
    let bad = accounts::admin_list_users(
        &app,
        api::AdminUserQuery {
            per_page: Some(1000),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(bad, Error::Validation(ref f) if f.contains_key("per_page")));

    let detail = accounts::admin_get_user(&app, all.users[0].id)
        .await
        .unwrap();
    assert_eq!(detail.user.id, all.users[0].id);
    let missing = accounts::admin_get_user(&app, UserId(uuid::Uuid::new_v4()))
        .await
        .unwrap_err();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn make_admin_creates_a_verified_admin_or_promotes_an_existing_user() {
    let app = testing::app().await;
    an_owner_at(&app, "ann@example.com").await;
    let id = accounts::upsert_user(
        &app,
        "ann@example.com",
        "new-admin-phrase",
        "ignored",
        Role::Admin,
    )
    .await
    .unwrap();
    let s = log_in(
        &app,
        "ann@example.com",
        "new-admin-phrase",
        &ClientInfo::default(),
    )
    .await
    .unwrap();
    assert_eq!(s.me.user.id, id);
    assert_eq!(s.me.user.role, Role::Admin);
    assert!(s.me.user.email_verified);
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    let app = testing::app().await;
    assert!(db::migrate(&app.db).await.unwrap().is_empty());
}
