//! The account emails: verify your address, reset your password, your
//! password was changed. Plain text plus HTML, with working links into the
//! dashboard.

use crate::email::{html_layout, Email};

pub fn verify_email(public_url: &str, to: &str, business_name: &str, token: &str) -> Email {
    let link = format!("{public_url}/verify?token={token}");
    let lines = [
        format!("Welcome to Kametrix, {business_name}!"),
        "Please confirm your email address so we can reach you about your calls, credits and account.".to_string(),
    ];
    Email {
        to: to.to_string(),
        subject: "Confirm your email for Kametrix".into(),
        text: format!(
            "{}\n\n{}\n\nConfirm your email: {link}\n\nThe link works for 7 days.\n",
            lines[0], lines[1]
        ),
        html: html_layout(
            &[
                lines[0].clone(),
                lines[1].clone(),
                "The link works for 7 days.".into(),
            ],
            Some(("Confirm my email", &link)),
        ),
    }
}

pub fn reset_password(public_url: &str, to: &str, token: &str) -> Email {
    let link = format!("{public_url}/reset?token={token}");
    let lines = [
        "Someone (hopefully you) asked to reset the password of your Kametrix account.".to_string(),
        "The link works for 1 hour and only once. If you did not ask for this, ignore this email: your password stays as it is.".to_string(),
    ];
    Email {
        to: to.to_string(),
        subject: "Reset your Kametrix password".into(),
        text: format!(
            "{}\n\nChoose a new password: {link}\n\n{}\n",
            lines[0], lines[1]
        ),
        html: html_layout(&lines, Some(("Choose a new password", &link))),
    }
}

pub fn password_changed(public_url: &str, to: &str) -> Email {
    let link = format!("{public_url}/forgot");
    let lines = [
        "The password of your Kametrix account was just changed, and every device was signed out."
            .to_string(),
        "If this was not you, reset your password right away.".to_string(),
    ];
    Email {
        to: to.to_string(),
        subject: "Your Kametrix password was changed".into(),
        text: format!("{}\n\n{} {link}\n", lines[0], lines[1]),
        html: html_layout(&lines, Some(("Reset my password", &link))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verification_email_links_to_the_dashboard_with_the_token() {
        let e = verify_email("https://app.example", "a@b.co", "Ann's <Salon>", "tok123");
        assert!(e.text.contains("https://app.example/verify?token=tok123"));
        assert!(e.html.contains("https://app.example/verify?token=tok123"));
        assert!(
            e.html.contains("Ann&#39;s &lt;Salon&gt;"),
            "business names are escaped in HTML"
        );
    }
}
