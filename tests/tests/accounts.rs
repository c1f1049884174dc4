//! Accounts end to end: through the gateway, with real email over SMTP.

use e2e::*;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::Method;
use shared::api::{self, ErrorCode};

#[tokio::test]
async fn signup_verify_login_me_logout_through_the_gateway_with_the_emailed_link(
) -> anyhow::Result<()> {
    let client = Client::new();
    let email = unique_email("journey");
    let signup = sign_up(&client, &email).await;
    assert_eq!(signup.status, 201, "{}", signup.text);
    let signed_up: api::Me = signup.json_as()?;
    assert!(!signed_up.user.email_verified);
    let cookie = signup.header("set-cookie").unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && cookie.contains("Max-Age=2592000"),
        "{cookie}"
    );

    let mail = wait_for_email(&email, "Confirm your email").await;
    let link = link_in(&mail, "/verify?token=");
    assert!(
        link.starts_with(&env().base_url),
        "the link points at the dashboard: {link}"
    );
    let page = reqwest::get(&link).await.unwrap();
    assert_eq!(page.status(), 200, "the dashboard serves the link's page");
    let verified = Client::new()
        .post("/api/auth/verify", json!({"token": token_of(&link)}))
        .await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    let verified: api::VerifyEmailResponse = verified.json_as()?;
    assert_eq!(verified.email, email);

    let client = Client::new();
    let login = log_in(&client, &email, PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.text);
    let me = client.get("/api/me").await;
    assert_eq!(me.status, 200);
    let me: api::Me = me.json_as()?;
    assert_eq!(me.user.email, email);
    assert!(me.user.email_verified);
    assert_eq!(me.account.business_name, BUSINESS_NAME);

    let logout = client.post_empty("/api/auth/logout").await;
    assert_eq!(logout.status, 204, "{}", logout.text);
    assert!(
        client.session_cookie().is_none(),
        "logout clears the cookie"
    );
    // The old token is revoked on the server, not just forgotten by the browser.
    let token = login
        .header("set-cookie")
        .unwrap()
        .strip_prefix("kmx_session=")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let replay = Client::new();
    replay.set_session_cookie(Some(token));
    let me = replay.get("/api/me").await;
    assert_eq!(me.status, 401);
    assert_eq!(me.error_code(), ErrorCode::Unauthenticated);
    Ok(())
}

#[tokio::test]
async fn forgot_and_reset_through_the_emailed_link() {
    let (owner, email) = signed_up_owner("reset").await;
    let forgot = Client::new()
        .post("/api/auth/forgot", json!({"email": email.to_uppercase()}))
        .await;
    assert_eq!(forgot.status, 202, "{}", forgot.text);
    let unknown = Client::new()
        .post("/api/auth/forgot", json!({"email": unique_email("nobody")}))
        .await;
    assert_eq!(unknown.status, 202);
    assert_eq!(
        unknown.json, forgot.json,
        "the answer does not reveal who has an account"
    );

    let mail = wait_for_email(&email, "Reset your Kametrix password").await;
    let link = link_in(&mail, "/reset?token=");
    let token = token_of(&link);
    let reset = Client::new()
        .post(
            "/api/auth/reset",
            json!({"token": token, "new_password": "lighthouse-copper-17"}),
        )
        .await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    wait_for_email(&email, "password was changed").await;

    assert_eq!(
        owner.get("/api/me").await.status,
        401,
        "the reset signs out every session"
    );
    let old = log_in(&Client::new(), &email, PASSWORD).await;
    assert_eq!(old.status, 401);
    let new = log_in(&Client::new(), &email, "lighthouse-copper-17").await;
    assert_eq!(new.status, 200);
    let reused = Client::new()
        .post(
            "/api/auth/reset",
            json!({"token": token, "new_password": "another-fine-phrase"}),
        )
        .await;
    assert_eq!(reused.status, 400);
    assert_eq!(reused.error_code(), ErrorCode::InvalidToken);
}

#[tokio::test]
async fn changing_the_password_keeps_this_browser_signed_in_and_signs_out_the_others() {
    let (owner, email) = signed_up_owner("change").await;
    let laptop = Client::new();
    assert_eq!(log_in(&laptop, &email, PASSWORD).await.status, 200);
    let wrong = owner
        .post(
            "/api/auth/password",
            json!({"current_password": "nope-nope-nope", "new_password": "lighthouse-copper-17"}),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.error_code(), ErrorCode::WrongPassword);
    let changed = owner
        .post(
            "/api/auth/password",
            json!({"current_password": PASSWORD, "new_password": "lighthouse-copper-17"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(owner.get("/api/me").await.status, 200);
    assert_eq!(laptop.get("/api/me").await.status, 401);
    wait_for_email(&email, "password was changed").await;
}

#[tokio::test]
async fn the_verification_email_can_be_sent_again() {
    let (owner, email) = signed_up_owner("resend").await;
    wait_for_email(&email, "Confirm your email").await;
    let resend = owner.post_empty("/api/auth/verify/resend").await;
    assert_eq!(resend.status, 202, "{}", resend.text);
    for _ in 0..100 {
        if emails_to(&email).await >= 2 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the second verification email did not arrive");
}

#[tokio::test]
async fn ten_failed_logins_answer_429_with_retry_after() {
    let (_owner, email) = signed_up_owner("throttle").await;
    let client = Client::new();
    for _ in 0..10 {
        let a = log_in(&client, &email, "wrong-password-x").await;
        assert_eq!(a.status, 401);
    }
    let locked = log_in(&client, &email, PASSWORD).await;
    assert_eq!(locked.status, 429, "{}", locked.text);
    assert_eq!(locked.error_code(), ErrorCode::TooManyAttempts);
    let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry));
}

#[tokio::test]
async fn admins_list_and_search_users_and_owners_are_forbidden() -> anyhow::Result<()> {
    let (owner, email) = signed_up_owner("listed").await;
    let forbidden = owner.get("/api/admin/users").await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.error_code(), ErrorCode::Forbidden);

    let admin = admin_client().await;
    let local = email.split('@').next().unwrap();
    let found = admin.get(&format!("/api/admin/users?q={local}")).await;
    assert_eq!(found.status, 200, "{}", found.text);
    let found: api::AdminUserPage = found.json_as()?;
    assert_eq!(found.total, 1);
    let id = found.users[0].id;
    assert_eq!(found.users[0].business_name, BUSINESS_NAME);
    let detail = admin.get(&format!("/api/admin/users/{id}")).await;
    assert_eq!(detail.status, 200);
    let detail: api::AdminUserDetail = detail.json_as()?;
    assert_eq!(detail.user.email, email);
    assert_eq!(detail.active_sessions, 1);
    let paged: api::AdminUserPage = admin
        .get("/api/admin/users?page=1&per_page=1")
        .await
        .json_as()?;
    assert_eq!(paged.users.len(), 1);
    assert!(paged.total >= 3);
    assert_eq!(admin.get("/api/admin/users/not-a-uuid").await.status, 404);
    assert_eq!(
        admin
            .get(&format!("/api/admin/users/{}", uuid::Uuid::new_v4()))
            .await
            .status,
        404
    );
    let bad = admin.get("/api/admin/users?page=zero").await;
    assert_eq!(bad.status, 400);
    Ok(())
}

#[tokio::test]
async fn bad_input_gets_a_json_error_with_the_right_status_and_stores_nothing() -> anyhow::Result<()>
{
    let client = Client::new();
    let email = unique_email("bad");
    let malformed = client
        .post_raw("/api/auth/signup", json_headers(), b"{\"email\":".to_vec())
        .await;
    assert_eq!(
        (malformed.status, malformed.error_code()),
        (400, ErrorCode::MalformedJson)
    );

    let form = client
        .post_raw(
            "/api/auth/signup",
            content_type("application/x-www-form-urlencoded"),
            b"email=a".to_vec(),
        )
        .await;
    assert_eq!(
        (form.status, form.error_code()),
        (415, ErrorCode::UnsupportedMediaType)
    );

    let missing = client
        .post(
            "/api/auth/signup",
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(missing.status, 400);
    assert!(
        missing.field_error("business_name").is_some(),
        "{}",
        missing.text
    );

    let unknown = client
        .post(
            "/api/auth/signup",
            json!({"email": email, "password": PASSWORD, "business_name": "X", "role": "admin"}),
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.field_error("role").is_some(), "{}", unknown.text);

    let invalid = client
        .post(
            "/api/auth/signup",
            json!({"email": "rosa@", "password": "short", "business_name": "X"}),
        )
        .await;
    assert_eq!(invalid.status, 400);
    assert!(invalid.field_error("email").is_some());
    assert!(invalid
        .field_error("password")
        .unwrap()
        .contains("at least 10"));
    let common = client
        .post(
            "/api/auth/signup",
            json!({"email": email, "password": "Password123", "business_name": "X"}),
        )
        .await;
    assert!(
        common
            .field_error("password")
            .unwrap()
            .contains("too common"),
        "{}",
        common.text
    );

    let huge = format!(
        r#"{{"email":"{email}","password":"{}","business_name":"X"}}"#,
        "x".repeat(1024 * 1024 + 10)
    );
    let too_large = client
        .post_raw("/api/auth/signup", json_headers(), huge.into_bytes())
        .await;
    assert_eq!(too_large.status, 413);
    assert_eq!(
        too_large.error_code(),
        ErrorCode::PayloadTooLarge,
        "{}",
        too_large.text
    );

    let admin = admin_client().await;
    let stored = admin
        .get(&format!(
            "/api/admin/users?q={}",
            email.split('@').next().unwrap()
        ))
        .await;
    assert_eq!(
        stored.json_as::<api::AdminUserPage>()?.total,
        0,
        "no bad request stored anything"
    );

    let bodyless = client
        .send(Method::POST, "/api/auth/signup", HeaderMap::new(), None)
        .await;
    assert_eq!(bodyless.status, 415, "a body-less POST is not JSON");
    let first = client
        .post(
            "/api/auth/signup",
            json!({"email": email, "password": PASSWORD, "business_name": "X"}),
        )
        .await;
    assert_eq!(first.status, 201);
    let duplicate = Client::new()
        .post(
            "/api/auth/signup",
            json!({"email": email.to_uppercase(), "password": PASSWORD, "business_name": "X"}),
        )
        .await;
    assert_eq!(
        (duplicate.status, duplicate.error_code()),
        (409, ErrorCode::EmailTaken)
    );
    Ok(())
}

#[tokio::test]
async fn sessions_and_csrf_are_enforced() {
    let anonymous = Client::new();
    let me = anonymous.get("/api/me").await;
    assert_eq!(
        (me.status, me.error_code()),
        (401, ErrorCode::Unauthenticated)
    );
    anonymous.set_session_cookie(Some("forged-token-value".into()));
    assert_eq!(anonymous.get("/api/me").await.status, 401);

    let (owner, _) = signed_up_owner("csrf").await;
    owner.set_csrf(Some("wrong".into()));
    let refused = owner.post_empty("/api/auth/logout").await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (403, ErrorCode::CsrfFailed)
    );
    assert_eq!(
        owner.get("/api/me").await.status,
        200,
        "the session survives; /api/me re-sends the token"
    );
    let mut cross = HeaderMap::new();
    cross.insert("origin", HeaderValue::from_static("https://evil.example"));
    let cross_site = owner
        .send(Method::POST, "/api/auth/logout", cross, None)
        .await;
    assert_eq!(cross_site.status, 403);
    assert_eq!(owner.post_empty("/api/auth/logout").await.status, 204);

    let mut evil = json_headers();
    evil.insert("origin", HeaderValue::from_static("https://evil.example"));
    let login_csrf = Client::new()
        .post_raw(
            "/api/auth/login",
            evil,
            json!({"email": "a@b.co", "password": "x"}).to_string(),
        )
        .await;
    assert_eq!(login_csrf.status, 403);
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors_from_the_gateway() -> anyhow::Result<()> {
    let client = Client::new();
    let missing = client.get("/api/nope").await;
    assert_eq!(
        (missing.status, missing.error_code()),
        (404, ErrorCode::NotFound)
    );
    assert!(missing
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let wrong_method = client.get("/api/auth/login").await;
    assert_eq!(
        (wrong_method.status, wrong_method.error_code()),
        (405, ErrorCode::MethodNotAllowed)
    );
    let hello: api::Hello = client.get("/api/hello").await.json_as()?;
    assert_eq!(hello.hello, "world");
    Ok(())
}
