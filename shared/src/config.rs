//! Configuration from the environment, validated once at start.
//!
//! Secrets are wrapped in [`Secret`], whose `Debug` and `Display` never show
//! the value, so a `Config` can be logged as a whole.

use std::fmt;

/// A value that must never reach a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…`; holds a password in production, hence secret.
    pub database_url: Secret,
    pub database_pool_size: usize,
    /// Where the dashboard is reached; email links and the cookie's Secure
    /// flag derive from it.
    pub public_url: String,
    /// `smtp://host:port`, `smtps://user:pass@host:465` or
    /// `smtp://user:pass@host:587?tls=required`.
    pub smtp_url: Secret,
    pub mail_from: String,
    /// SQS endpoint override (moto, ElasticMQ); `None` means AWS.
    pub sqs_endpoint_url: Option<String>,
    pub aws_region: String,
    /// Queue `emails` is the SQS queue `<prefix>emails`.
    pub queue_prefix: String,
    pub log_format: LogFormat,
    /// Relay outbox messages right after the commit that wrote them
    /// (`KMX_OUTBOX_RELAY_INLINE`, default true); the schedule relays the
    /// rest either way.
    pub relay_inline: bool,
    /// Stripe's API base, ending in `/` (the sandbox locally).
    pub stripe_api_base: String,
    /// `sk_…`; `None` until billing is set up (checkout then answers 503).
    pub stripe_secret_key: Option<Secret>,
    /// `whsec_…`, several separated by commas while rolling secrets.
    pub stripe_webhook_secrets: Option<Secret>,
    /// Vapi: its REST API, the webhook's authentication and the URLs it is given.
    pub vapi: VapiConfig,
}

/// How Vapi's server-URL requests are authenticated (the scheme of the
/// credential attached in Vapi).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VapiAuthMode {
    /// `X-Vapi-Secret: <secret>` (a legacy server secret, or a bearer
    /// credential with that header name and no prefix).
    Secret,
    /// `Authorization: Bearer <secret>`.
    Bearer,
    /// An HMAC over the raw body (and, by default, a timestamp).
    Hmac,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HmacAlgorithm {
    Sha256,
    Sha512,
}

#[derive(Debug, Clone)]
pub struct VapiConfig {
    /// Vapi's REST API base, ending in `/` (the sandbox locally).
    pub api_base: String,
    /// Private API key; `None`: number provisioning answers 503.
    pub api_key: Option<Secret>,
    pub auth: VapiAuthMode,
    /// The webhook's secret; `None`: the webhook answers 503.
    pub webhook_secret: Option<Secret>,
    pub hmac_algorithm: HmacAlgorithm,
    pub hmac_signature_header: String,
    /// Empty: the signature covers the body alone.
    pub hmac_timestamp_header: String,
    pub hmac_prefix: String,
    /// `hex` (false) or `base64` (true).
    pub hmac_base64: bool,
    /// The URL Vapi calls for every message and tool.
    pub server_url: String,
    /// A Vapi credential attached to every server URL we hand out.
    pub credential_id: Option<String>,
    /// The Vapi sandbox's call simulator, whose page the dashboard's "Test
    /// call" button opens; `None` in production.
    pub simulator_url: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// Builds the config from any key lookup (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let database_url = get("DATABASE_URL").ok_or(ConfigError::Missing("DATABASE_URL"))?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError::Invalid {
                name: "DATABASE_URL",
                reason: "must start with postgres://".into(),
            });
        }
        let database_pool_size = match get("DATABASE_POOL_SIZE") {
            None => 4,
            Some(v) => {
                v.parse()
                    .ok()
                    .filter(|n| (1..=64).contains(n))
                    .ok_or(ConfigError::Invalid {
                        name: "DATABASE_POOL_SIZE",
                        reason: "must be a number from 1 to 64".into(),
                    })?
            }
        };
        let public_url = get("KMX_PUBLIC_URL")
            .unwrap_or_else(|| "http://127.0.0.1:8080".into())
            .trim_end_matches('/')
            .to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                name: "KMX_PUBLIC_URL",
                reason: "must be an http:// or https:// URL".into(),
            });
        }
        let smtp_url = get("SMTP_URL").unwrap_or_else(|| "smtp://127.0.0.1:1025".into());
        if !(smtp_url.starts_with("smtp://") || smtp_url.starts_with("smtps://")) {
            return Err(ConfigError::Invalid {
                name: "SMTP_URL",
                reason: "must start with smtp:// or smtps://".into(),
            });
        }
        let mail_from =
            get("MAIL_FROM").unwrap_or_else(|| "Kametrix <no-reply@kametrix.local>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Invalid {
                name: "MAIL_FROM",
                reason: "must be an address like `Name <user@example.com>`".into(),
            });
        }
        let log_format = match get("LOG_FORMAT").as_deref() {
            None if get("AWS_LAMBDA_RUNTIME_API").is_some() => LogFormat::Json,
            None | Some("human") => LogFormat::Human,
            Some("json") => LogFormat::Json,
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "LOG_FORMAT",
                    reason: "must be `human` or `json`".into(),
                })
            }
        };
        let stripe_api_base =
            get("STRIPE_API_BASE").unwrap_or_else(|| "https://api.stripe.com/".into());
        if !(stripe_api_base.starts_with("http://") || stripe_api_base.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                name: "STRIPE_API_BASE",
                reason: "must be an http:// or https:// URL".into(),
            });
        }
        let stripe_api_base = format!("{}/", stripe_api_base.trim_end_matches('/'));
        let vapi = vapi_config(&get, &public_url)?;
        Ok(Config {
            database_url: Secret::new(database_url),
            database_pool_size,
            public_url,
            smtp_url: Secret::new(smtp_url),
            mail_from,
            sqs_endpoint_url: get("SQS_ENDPOINT_URL"),
            aws_region: get("AWS_REGION").unwrap_or_else(|| "us-east-1".into()),
            queue_prefix: get("KMX_QUEUE_PREFIX").unwrap_or_else(|| "kmx-".into()),
            log_format,
            relay_inline: !matches!(
                get("KMX_OUTBOX_RELAY_INLINE").as_deref(),
                Some("false" | "0")
            ),
            stripe_api_base,
            stripe_secret_key: get("STRIPE_SECRET_KEY").map(Secret::new),
            stripe_webhook_secrets: get("STRIPE_WEBHOOK_SECRET").map(Secret::new),
            vapi,
        })
    }

    /// Cookies get `Secure` except when the dashboard is plain-http localhost.
    pub fn secure_cookies(&self) -> bool {
        !(self.public_url.starts_with("http://127.0.0.1")
            || self.public_url.starts_with("http://localhost")
            || self.public_url.starts_with("http://[::1]"))
    }

    /// `scheme://host[:port]` of the public URL, as browsers send in `Origin`.
    pub fn public_origin(&self) -> &str {
        let after_scheme = self.public_url.find("://").map(|i| i + 3).unwrap_or(0);
        match self.public_url[after_scheme..].find('/') {
            Some(i) => &self.public_url[..after_scheme + i],
            None => &self.public_url,
        }
    }
}

fn http_url(name: &'static str, value: String) -> Result<String, ConfigError> {
    if value.starts_with("http://") || value.starts_with("https://") {
        Ok(value)
    } else {
        Err(ConfigError::Invalid {
            name,
            reason: "must be an http:// or https:// URL".into(),
        })
    }
}

fn vapi_config(
    get: &impl Fn(&str) -> Option<String>,
    public_url: &str,
) -> Result<VapiConfig, ConfigError> {
    let invalid = |name: &'static str, reason: &str| ConfigError::Invalid {
        name,
        reason: reason.into(),
    };
    let api_base = http_url(
        "VAPI_API_BASE",
        get("VAPI_API_BASE").unwrap_or_else(|| "https://api.vapi.ai/".into()),
    )?;
    let auth = match get("VAPI_WEBHOOK_AUTH").as_deref() {
        None | Some("secret") => VapiAuthMode::Secret,
        Some("bearer") => VapiAuthMode::Bearer,
        Some("hmac") => VapiAuthMode::Hmac,
        Some(_) => {
            return Err(invalid(
                "VAPI_WEBHOOK_AUTH",
                "must be `secret`, `bearer` or `hmac`",
            ))
        }
    };
    let hmac_algorithm = match get("VAPI_HMAC_ALGORITHM").as_deref() {
        None | Some("sha256") => HmacAlgorithm::Sha256,
        Some("sha512") => HmacAlgorithm::Sha512,
        Some(_) => {
            return Err(invalid(
                "VAPI_HMAC_ALGORITHM",
                "must be `sha256` or `sha512`",
            ))
        }
    };
    let hmac_base64 = match get("VAPI_HMAC_ENCODING").as_deref() {
        None | Some("hex") => false,
        Some("base64") => true,
        Some(_) => return Err(invalid("VAPI_HMAC_ENCODING", "must be `hex` or `base64`")),
    };
    let server_url = http_url(
        "KMX_VAPI_SERVER_URL",
        get("KMX_VAPI_SERVER_URL").unwrap_or_else(|| format!("{public_url}/api/webhooks/vapi")),
    )?;
    let simulator_url = get("KMX_VAPI_SIMULATOR_URL")
        .map(|u| http_url("KMX_VAPI_SIMULATOR_URL", u))
        .transpose()?
        .map(|u| u.trim_end_matches('/').to_string());
    Ok(VapiConfig {
        api_base: format!("{}/", api_base.trim_end_matches('/')),
        api_key: get("VAPI_API_KEY").map(Secret::new),
        auth,
        webhook_secret: get("VAPI_WEBHOOK_SECRET").map(Secret::new),
        hmac_algorithm,
        hmac_signature_header: get("VAPI_HMAC_SIGNATURE_HEADER")
            .unwrap_or_else(|| "x-vapi-signature".into())
            .to_ascii_lowercase(),
        // Set to "none" for a signature over the body alone.
        hmac_timestamp_header: match get("VAPI_HMAC_TIMESTAMP_HEADER") {
            Some(h) if h == "none" => String::new(),
            Some(h) => h.to_ascii_lowercase(),
            None => "x-vapi-timestamp".into(),
        },
        hmac_prefix: get("VAPI_HMAC_PREFIX").unwrap_or_default(),
        hmac_base64,
        server_url,
        credential_id: get("VAPI_CREDENTIAL_ID"),
        simulator_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn database_url_is_required() {
        assert_eq!(
            config(&[]).unwrap_err(),
            ConfigError::Missing("DATABASE_URL")
        );
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let c = config(&[
            ("DATABASE_URL", "postgres://app:hunter2-db@db/kametrix"),
            (
                "SMTP_URL",
                "smtps://mailer:hunter2-smtp@smtp.example.com:465",
            ),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert_eq!(
            c.database_url.expose(),
            "postgres://app:hunter2-db@db/kametrix"
        );
    }

    #[test]
    fn invalid_values_are_refused_with_their_name() {
        let e = config(&[("DATABASE_URL", "postgres://x"), ("LOG_FORMAT", "yaml")]).unwrap_err();
        assert!(matches!(
            e,
            ConfigError::Invalid {
                name: "LOG_FORMAT",
                ..
            }
        ));
        let e = config(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert!(matches!(
            e,
            ConfigError::Invalid {
                name: "DATABASE_URL",
                ..
            }
        ));
        let e = config(&[
            ("DATABASE_URL", "postgres://x"),
            ("MAIL_FROM", "not an address"),
        ])
        .unwrap_err();
        assert!(matches!(
            e,
            ConfigError::Invalid {
                name: "MAIL_FROM",
                ..
            }
        ));
    }

    #[test]
    fn cookies_are_secure_except_on_plain_http_localhost() {
        let local = config(&[("DATABASE_URL", "postgres://x")]).unwrap();
        assert!(!local.secure_cookies());
        assert_eq!(local.public_origin(), "http://127.0.0.1:8080");
        let prod = config(&[
            ("DATABASE_URL", "postgres://x"),
            ("KMX_PUBLIC_URL", "https://app.kametrix.com/"),
        ])
        .unwrap();
        assert!(prod.secure_cookies());
        assert_eq!(prod.public_origin(), "https://app.kametrix.com");
    }
}
