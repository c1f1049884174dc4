//! Validated values of the accounts domain: an email address, a password
//! that meets the policy, a business name. Parsing is the only way in.

use std::fmt;

/// A trimmed, lower-cased address of the form `local@domain.tld`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<EmailAddress, String> {
        let email = raw.trim().to_lowercase();
        let invalid = || Err("Enter a valid email address, like name@example.com.".to_string());
        if email.is_empty() {
            return Err("Enter your email address.".into());
        }
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return invalid();
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return invalid();
        };
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && !local.contains(['<', '>', '(', ')', '[', ']', ',', ';', ':', '\\', '"']);
        if !domain_ok || !local_ok {
            return invalid();
        }
        Ok(EmailAddress(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that meets the policy: 10 to 128 characters, not a common
/// password, not the email address. Its `Debug` never shows it.
#[derive(Clone)]
pub struct NewPassword(String);

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

impl NewPassword {
    pub fn parse(raw: &str, email: Option<&str>) -> Result<NewPassword, String> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(format!("Use at least {MIN_PASSWORD_CHARS} characters."));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!("Use at most {MAX_PASSWORD_CHARS} characters."));
        }
        if is_common_password(raw) {
            return Err("This password is too common. Choose something harder to guess.".into());
        }
        if let Some(email) = email {
            let lowered = raw.trim().to_lowercase();
            let local = email.split('@').next().unwrap_or("");
            if lowered == email || (local.len() >= 6 && lowered == local) {
                return Err("Do not use your email address as your password.".into());
            }
        }
        Ok(NewPassword(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword([redacted])")
    }
}

const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

/// Whether `password` is in the list of common passwords, or is one of the
/// patterns such lists are full of (one repeated character, a run of
/// consecutive digits or keyboard letters), ignoring case.
pub fn is_common_password(password: &str) -> bool {
    let p = password.trim().to_lowercase();
    if COMMON_PASSWORDS.lines().any(|line| line.trim() == p) {
        return true;
    }
    let chars: Vec<char> = p.chars().collect();
    if chars.windows(2).all(|w| w[0] == w[1]) {
        return true;
    }
    let ascending = chars.windows(2).all(|w| w[1] as u32 == w[0] as u32 + 1);
    let descending = chars.windows(2).all(|w| w[0] as u32 == w[1] as u32 + 1);
    ascending || descending || "qwertyuiopasdfghjklzxcvbnm1234567890".contains(&p)
}

/// A business name: 1 to 120 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessName(String);

impl BusinessName {
    pub fn parse(raw: &str) -> Result<BusinessName, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("Enter your business name.".into());
        }
        if name.chars().count() > 120 {
            return Err("Use at most 120 characters.".into());
        }
        if name.chars().any(char::is_control) {
            return Err("Remove the special characters.".into());
        }
        Ok(BusinessName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            EmailAddress::parse("  Ann.Lee@Example.COM ")
                .unwrap()
                .as_str(),
            "ann.lee@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@@example.com",
            "ann lee@example.com",
            "ann@exa mple.com",
            "ann@-example.com",
            "a..b@example.com",
            "<ann@example.com>",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(NewPassword::parse("Tr0ub4dor", None)
            .unwrap_err()
            .contains("at least 10"));
    }

    #[test]
    fn common_passwords_are_refused_whatever_the_case() {
        for common in [
            "password123",
            "Password123",
            "1234567890",
            "qwertyuiop",
            "QWERTYUIOP",
            "iloveyou123",
            "aaaaaaaaaaaa",
            "abcdefghijk",
            "9876543210",
        ] {
            assert!(
                NewPassword::parse(common, None).is_err(),
                "{common} accepted"
            );
        }
    }

    #[test]
    fn the_email_address_is_not_a_password() {
        assert!(NewPassword::parse("ann.lee@example.com", Some("ann.lee@example.com")).is_err());
    }

    #[test]
    fn a_long_uncommon_password_is_accepted_and_never_printed() {
        let p = NewPassword::parse("correct horse battery staple", None).unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }

    proptest! {
        #[test]
        fn any_parsed_email_is_stable_under_parsing(local in "[a-z0-9._+-]{1,20}", domain in "[a-z0-9]{1,10}\\.[a-z]{2,6}") {
            if let Ok(email) = EmailAddress::parse(&format!("{local}@{domain}")) {
                prop_assert_eq!(EmailAddress::parse(email.as_str()).unwrap(), email.clone());
                prop_assert_eq!(email.as_str().matches('@').count(), 1);
            }
        }
    }
}
