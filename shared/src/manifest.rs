//! The function manifest (`infra/functions.toml`): every function's name, kind,
//! route or trigger and access rule. Embedded at compile time, so a function
//! binary knows its own route and who may call it, and the local runner and
//! the gateway generator read the very same list.

use serde::Deserialize;
use std::sync::OnceLock;
use std::time::Duration;

/// The manifest as written in the repository.
pub const MANIFEST_TOML: &str = include_str!("../../infra/functions.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(default, rename = "queue")]
    pub queues: Vec<QueueSpec>,
    #[serde(default, rename = "function")]
    pub functions: Vec<FunctionSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    pub name: String,
    /// Seconds a received message stays invisible before it is redelivered.
    pub visibility_timeout: u32,
    /// Receives before a message moves to the queue's dead-letter queue.
    pub max_receive_count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Http,
    Queue,
    Schedule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Public,
    Owner,
    Admin,
    Vapi,
    Stripe,
    System,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionSpec {
    pub name: String,
    pub kind: Kind,
    pub method: Option<String>,
    pub path: Option<String>,
    pub queue: Option<String>,
    pub schedule: Option<String>,
    pub access: Access,
    pub timeout: u32,
    pub memory: u32,
    pub batch_size: Option<u32>,
    /// HTTP: the `shared::api` type of the JSON body it takes.
    pub request: Option<String>,
    /// HTTP: the `shared::api` type of its query string.
    pub query: Option<String>,
    /// HTTP: the `shared::api` type it answers (none: an empty 204).
    pub response: Option<String>,
    /// HTTP: the status of a success (200 when not given, 204 without a
    /// response).
    pub status: Option<u16>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ManifestError(pub String);

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "infra/functions.toml: {}", self.0)
    }
}

impl std::error::Error for ManifestError {}

impl Manifest {
    /// The manifest compiled into this binary (parsed once).
    pub fn embedded() -> &'static Manifest {
        static CELL: OnceLock<Manifest> = OnceLock::new();
        CELL.get_or_init(|| {
            Manifest::parse(MANIFEST_TOML).expect("the embedded manifest is validated by tests")
        })
    }

    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| ManifestError(e.to_string()))?;
        manifest.validate()?;
        Ok(manifest)
    }

    pub fn function(&self, name: &str) -> Option<&FunctionSpec> {
        self.functions.iter().find(|f| f.name == name)
    }

    pub fn queue(&self, name: &str) -> Option<&QueueSpec> {
        self.queues.iter().find(|q| q.name == name)
    }

    pub fn http_functions(&self) -> impl Iterator<Item = &FunctionSpec> {
        self.functions.iter().filter(|f| f.kind == Kind::Http)
    }

    fn validate(&self) -> Result<(), ManifestError> {
        let err = |m: String| Err(ManifestError(m));
        let mut names = std::collections::HashSet::new();
        let mut routes = std::collections::HashSet::new();
        for q in &self.queues {
            if !is_name(&q.name) || !names.insert(format!("queue:{}", q.name)) {
                return err(format!("queue `{}`: bad or duplicate name", q.name));
            }
        }
        for f in &self.functions {
            if !is_name(&f.name) || !names.insert(f.name.clone()) {
                return err(format!("function `{}`: bad or duplicate name", f.name));
            }
            let (http, queue, schedule) = (
                f.method.is_some() || f.path.is_some(),
                f.queue.is_some() || f.batch_size.is_some(),
                f.schedule.is_some(),
            );
            match f.kind {
                Kind::Http => {
                    let (Some(method), Some(path)) = (&f.method, &f.path) else {
                        return err(format!("function `{}`: http needs method and path", f.name));
                    };
                    if queue || schedule || f.access == Access::System {
                        return err(format!(
                            "function `{}`: http takes method, path and a caller access",
                            f.name
                        ));
                    }
                    if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
                        return err(format!(
                            "function `{}`: unsupported method {method}",
                            f.name
                        ));
                    }
                    if !path.starts_with("/api/") || path.ends_with('/') {
                        return err(format!(
                            "function `{}`: path must start with /api/ and not end with /",
                            f.name
                        ));
                    }
                    // Who may call a route shows in its path: the admin API
                    // is admins' only, webhooks are signed by their sender.
                    let admin_path = path.starts_with("/api/admin/");
                    if admin_path != (f.access == Access::Admin) {
                        return err(format!(
                            "function `{}`: paths under /api/admin/ take access = admin, and only they",
                            f.name
                        ));
                    }
                    let webhook_path = path.starts_with("/api/webhooks/");
                    let signed = matches!(f.access, Access::Vapi | Access::Stripe);
                    if webhook_path != signed {
                        return err(format!(
                            "function `{}`: paths under /api/webhooks/ take a signed access (vapi, stripe), and only they",
                            f.name
                        ));
                    }
                    let shape = segments(path)
                        .map(|s| if is_param(s) { "{}" } else { s })
                        .collect::<Vec<_>>()
                        .join("/");
                    if !routes.insert(format!("{method} {shape}")) {
                        return err(format!(
                            "function `{}`: route {method} {path} is taken",
                            f.name
                        ));
                    }
                }
                Kind::Queue => {
                    let Some(q) = &f.queue else {
                        return err(format!("function `{}`: queue kind needs `queue`", f.name));
                    };
                    if self.queue(q).is_none() {
                        return err(format!("function `{}`: unknown queue `{q}`", f.name));
                    }
                    if http || schedule || f.access != Access::System {
                        return err(format!("function `{}`: queue functions take queue, batch_size and access = system", f.name));
                    }
                }
                Kind::Schedule => {
                    if http || queue || f.access != Access::System {
                        return err(format!(
                            "function `{}`: schedule functions take schedule and access = system",
                            f.name
                        ));
                    }
                    if f.schedule_interval().is_none() {
                        return err(format!(
                            "function `{}`: schedule must be rate(N unit)",
                            f.name
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

impl FunctionSpec {
    /// The largest request body this function accepts: Vapi embeds the
    /// call, the assistant and the whole transcript in every message, so
    /// its webhook takes up to 8 MiB; everything else 1 MiB.
    pub fn max_body_bytes(&self) -> usize {
        match self.access {
            Access::Vapi => 8 * 1024 * 1024,
            _ => crate::http::MAX_BODY_BYTES,
        }
    }

    /// Matches a request path against this function's path pattern and
    /// returns the `{param}` values, or `None` if it does not match.
    pub fn match_path(&self, path: &str) -> Option<Vec<(String, String)>> {
        let pattern = self.path.as_deref()?;
        let mut params = Vec::new();
        let mut want = segments(pattern);
        let mut got = segments(path);
        loop {
            match (want.next(), got.next()) {
                (None, None) => return Some(params),
                (Some(w), Some(g)) if is_param(w) && !g.is_empty() => {
                    params.push((w[1..w.len() - 1].to_string(), g.to_string()))
                }
                (Some(w), Some(g)) if w == g => {}
                _ => return None,
            }
        }
    }

    /// The period of a `rate(N unit)` schedule.
    pub fn schedule_interval(&self) -> Option<Duration> {
        let inner = self
            .schedule
            .as_deref()?
            .strip_prefix("rate(")?
            .strip_suffix(')')?;
        let (n, unit) = inner.trim().split_once(' ')?;
        let n: u64 = n.parse().ok().filter(|n| *n > 0)?;
        let secs = match unit.trim() {
            "second" | "seconds" => n,
            "minute" | "minutes" => n * 60,
            "hour" | "hours" => n * 3600,
            "day" | "days" => n * 86400,
            _ => return None,
        };
        Some(Duration::from_secs(secs))
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.trim_start_matches('/').split('/')
}

fn is_param(segment: &str) -> bool {
    segment.len() > 2 && segment.starts_with('{') && segment.ends_with('}')
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_manifest_is_valid_and_every_function_has_a_binary() {
        let manifest = Manifest::parse(MANIFEST_TOML).unwrap();
        let bins = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../functions/src/bin");
        for f in &manifest.functions {
            assert!(
                bins.join(format!("{}.rs", f.name)).exists(),
                "no binary for {}",
                f.name
            );
        }
        let files = std::fs::read_dir(&bins).unwrap().count();
        assert_eq!(
            files,
            manifest.functions.len(),
            "a binary is missing from the manifest"
        );
    }

    #[test]
    fn admin_paths_are_for_admins_and_webhooks_for_their_signed_sender_only() {
        let entry = |name: &str, path: &str, access: &str| {
            format!(
                "[[function]]\nname = \"{name}\"\nkind = \"http\"\nmethod = \"POST\"\npath = \"{path}\"\naccess = \"{access}\"\ntimeout = 10\nmemory = 128\n"
            )
        };
        for (path, access) in [
            ("/api/admin/users", "owner"),
            ("/api/admin/users", "public"),
            ("/api/users", "admin"),
            ("/api/webhooks/vapi", "public"),
            ("/api/webhooks/stripe", "owner"),
            ("/api/agents", "vapi"),
        ] {
            let refused = Manifest::parse(&entry("f", path, access)).unwrap_err();
            assert!(refused.0.contains("take"), "{path} {access}: {refused}");
        }
        for (path, access) in [
            ("/api/admin/users", "admin"),
            ("/api/webhooks/vapi", "vapi"),
            ("/api/webhooks/stripe", "stripe"),
            ("/api/agents", "owner"),
        ] {
            Manifest::parse(&entry("f", path, access)).unwrap();
        }
        let bins = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../functions/src/bin");
        for f in &Manifest::embedded().functions {
            if let Some(path) = &f.path {
                assert_eq!(
                    path.starts_with("/api/admin/"),
                    f.access == Access::Admin,
                    "{}",
                    f.name
                );
            }
            // The runtime verifies a webhook's signature before the function
            // runs; the function reads the body only as that verified one.
            if matches!(f.access, Access::Vapi | Access::Stripe) {
                let source = std::fs::read_to_string(bins.join(format!("{}.rs", f.name))).unwrap();
                assert!(
                    source.contains("req.signed_body()?") && !source.contains("req.body"),
                    "{} must read its body through req.signed_body()",
                    f.name
                );
            }
        }
    }

    #[test]
    fn the_generated_routes_are_the_manifests_http_functions() {
        let manifest = Manifest::embedded();
        let http: Vec<(String, String, String)> = manifest
            .functions
            .iter()
            .filter_map(|f| Some((f.name.clone(), f.method.clone()?, f.path.clone()?)))
            .collect();
        let generated: Vec<(String, String, String)> = crate::api::routes::ALL
            .iter()
            .map(|r| (r.function.into(), r.method.into(), r.path.into()))
            .collect();
        assert_eq!(generated, http);
    }

    #[test]
    fn path_patterns_capture_parameters_and_reject_other_paths() {
        let f = Manifest::embedded().function("admin-users-get").unwrap();
        assert_eq!(
            f.match_path("/api/admin/users/42"),
            Some(vec![("id".into(), "42".into())])
        );
        assert_eq!(f.match_path("/api/admin/users"), None);
        assert_eq!(f.match_path("/api/admin/users/"), None);
        assert_eq!(f.match_path("/api/admin/users/42/x"), None);
    }

    #[test]
    fn rate_schedules_parse_to_intervals() {
        let f = Manifest::embedded().function("outbox-relay").unwrap();
        assert_eq!(f.schedule_interval(), Some(Duration::from_secs(60)));
    }

    #[test]
    fn a_route_taken_twice_is_refused() {
        let text = r#"
            [[function]]
            name = "a"
            kind = "http"
            method = "GET"
            path = "/api/x/{id}"
            access = "public"
            timeout = 1
            memory = 128
            [[function]]
            name = "b"
            kind = "http"
            method = "GET"
            path = "/api/x/{other}"
            access = "public"
            timeout = 1
            memory = 128
        "#;
        assert!(Manifest::parse(text).unwrap_err().0.contains("is taken"));
    }

    #[test]
    fn a_queue_function_must_name_a_declared_queue() {
        let text = r#"
            [[function]]
            name = "w"
            kind = "queue"
            queue = "nope"
            access = "system"
            timeout = 1
            memory = 128
        "#;
        assert!(Manifest::parse(text)
            .unwrap_err()
            .0
            .contains("unknown queue"));
    }
}
