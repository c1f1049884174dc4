//! The dashboard in a real headless Chromium, against the whole stack.

use e2e::webdriver::Browser;
use e2e::*;
use shared::api::{self, AgentStatus};

#[tokio::test]
async fn a_new_owner_signs_up_logs_out_logs_in_and_sees_the_home_page() {
    let base = &env().base_url;
    let browser = Browser::start(1280, 900).await;
    let email = unique_email("browser");

    browser.goto(&format!("{base}/signup")).await;
    browser
        .find("input[name=email]")
        .await
        .type_text(&email)
        .await;
    browser
        .find("input[name=password]")
        .await
        .type_text(PASSWORD)
        .await;
    browser
        .find("input[name=business_name]")
        .await
        .type_text(BUSINESS_NAME)
        .await;
    browser
        .find("[data-testid=signup-form] button[type=submit]")
        .await
        .click()
        .await;

    browser
        .wait_for_text("[data-testid=business-name]", BUSINESS_NAME)
        .await;
    browser
        .wait_for_text("[data-testid=verify-banner]", &email)
        .await;
    browser.screenshot("home-after-signup").await;

    browser.find("[data-testid=logout]").await.click().await;
    browser.find("[data-testid=login-form]").await;
    browser.log_in(&email, PASSWORD).await;
    browser
        .wait_for_text("[data-testid=business-name]", BUSINESS_NAME)
        .await;
    assert_eq!(
        browser.current_url().await,
        format!("{base}/"),
        "login lands on the home page"
    );
}

#[tokio::test]
async fn a_wrong_password_shows_the_error_on_the_login_form() {
    let (_owner, email) = signed_up_owner("browser-wrong").await;
    let browser = Browser::start(390, 844).await; // a phone
    browser.goto(&format!("{}/login", env().base_url)).await;
    browser.log_in(&email, "not-my-password").await;
    browser
        .wait_for_text("[data-testid=form-error]", "do not match")
        .await;
    browser.screenshot("login-error-phone").await;
}

#[tokio::test]
async fn an_admin_finds_a_user_on_the_users_page() {
    let (_owner, email) = signed_up_owner("browser-admin").await;
    let seed = kmx::ops::Seed::from_env();
    let browser = signed_in_browser(&seed.admin_email, &seed.admin_password).await;
    browser
        .goto(&format!("{}/admin/users", env().base_url))
        .await;
    browser
        .find("[data-testid=users-search]")
        .await
        .type_text(email.split('@').next().unwrap())
        .await;
    browser
        .find("[data-testid=users-search]")
        .await
        .type_text("\u{E007}")
        .await; // Enter
    browser
        .wait_for_text("[data-testid=users-table]", &email)
        .await;
    browser.screenshot("admin-users").await;
}

#[tokio::test]
async fn an_owner_buys_a_pack_from_the_credits_page_and_sees_the_new_balance() {
    let base = &env().base_url;
    let (_owner, email) = signed_up_owner("browser-buyer").await;
    let browser = signed_in_browser(&email, PASSWORD).await;

    browser.goto(&format!("{base}/credits")).await;
    browser
        .wait_for_text("[data-testid=credits-balance]", "10.0")
        .await;
    browser.screenshot("credits-before").await;
    browser
        .find("[data-testid=buy-starter]")
        .await
        .click()
        .await;
    // Stripe Checkout (the sandbox's hosted page): pay.
    browser.find("#pay").await.click().await;
    browser
        .wait_for_text("[data-testid=new-balance]", "110.0")
        .await;
    browser.screenshot("credits-after-purchase").await;
    assert!(browser
        .current_url()
        .await
        .starts_with(&format!("{base}/credits/success")));
}

#[tokio::test]
async fn an_owner_creates_an_agent_gets_a_number_and_sees_a_finished_simulated_call_in_history() {
    let base = &env().base_url;
    provision_numbers(1).await;
    let (_owner, email) = signed_up_owner("browser-agent").await;
    let browser = signed_in_browser(&email, PASSWORD).await;

    browser.goto(&format!("{base}/agents")).await;
    browser
        .find(".template-card[data-template=\"support\"] .use-template")
        .await
        .click()
        .await;
    browser.find("#create-agent").await.click().await;
    browser.find("#agent-title").await;
    // Keyboard, as the sticky save bar may cover the button where the
    // driver scrolls it to.
    browser.find("#add-faq").await.type_text("\u{E007}").await;
    browser
        .find("#profile-faqs-0-question")
        .await
        .type_text("Do you have parking?")
        .await;
    browser
        .find("#profile-faqs-0-answer")
        .await
        .type_text("Yes, free parking behind the bakery.")
        .await;
    browser.find("#agent-save").await.click().await;
    browser.wait_for_text("#agent-saved", "Saved").await;
    browser
        .find("#take-number")
        .await
        .type_text("\u{E007}")
        .await;
    let number = browser.wait_for_text("#agent-number", "+1").await;
    browser.find("#test-call").await;
    browser.screenshot("agent-with-number").await;

    let record = simulate_call(json!({
        "number": number.trim(), "scenario": "faq", "question": "Do you have parking?"
    }))
    .await;
    assert_eq!(record["status"], "ended", "{record}");

    browser.goto(&format!("{base}/calls")).await;
    browser.wait_for_text(".call-row", "Answered").await;
    browser.find(".call-row a").await.click().await;
    browser.find("#call-summary").await;
    browser
        .wait_for_text(
            "[data-testid=conversation]",
            "free parking behind the bakery",
        )
        .await;
    browser.screenshot("call-detail").await;
}

#[tokio::test]
async fn an_admin_sees_the_number_pool_and_pauses_an_owners_agent() {
    let base = &env().base_url;
    provision_numbers(1).await;
    let (owner, _) = signed_up_owner("browser-admin-agents").await;
    let name = format!("Front desk {}", &uuid_suffix());
    let created = owner
        .post("/api/agents", json!({"template": "support", "name": name}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json_as::<api::Agent>().unwrap().id;

    let seed = kmx::ops::Seed::from_env();
    let browser = signed_in_browser(&seed.admin_email, &seed.admin_password).await;
    browser.goto(&format!("{base}/admin/numbers")).await;
    browser
        .wait_for_text("[data-testid=numbers-table]", "+1415")
        .await;
    browser.screenshot("admin-numbers").await;

    browser.goto(&format!("{base}/admin/agents")).await;
    browser.find("#q").await.type_text(&name).await;
    browser
        .wait_for_text(
            "[data-testid=agents-total]",
            &format!("1 agent matching “{name}”"),
        )
        .await;
    let row = format!(".admin-agent-row[data-agent-id=\"{id}\"]");
    browser
        .find(&format!("{row} .pause-agent"))
        .await
        .type_text("\u{E007}")
        .await;
    browser.find(&format!("{row} .resume-agent")).await;
    let agent = owner.get(&format!("/api/agents/{id}")).await;
    assert_eq!(
        agent.json_as::<api::Agent>().unwrap().status,
        AgentStatus::Paused,
        "{}",
        agent.text
    );
}

fn uuid_suffix() -> String {
    unique_email("x").chars().skip(2).take(8).collect()
}

/// A desktop-sized browser signed in through the login form, on the home page.
async fn signed_in_browser(email: &str, password: &str) -> Browser {
    let browser = Browser::start(1280, 900).await;
    browser.goto(&format!("{}/login", env().base_url)).await;
    browser.log_in(email, password).await;
    browser.find("[data-testid=business-name]").await;
    browser
}
