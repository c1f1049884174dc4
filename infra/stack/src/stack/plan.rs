//! What runs where: the selected functions, their ports, the checks that
//! every port is free, and the external tools (moto, mailtutan, nginx).

use super::options::StackOptions;
use crate::gateway;
use crate::net;
use anyhow::{bail, Result};
use shared::manifest::{FunctionSpec, Manifest};
use std::collections::HashSet;
use std::path::PathBuf;

/// The functions to run and the port of every http function.
pub(super) struct Plan {
    pub(super) manifest: &'static Manifest,
    /// The functions to run, in manifest order.
    pub(super) selected: Vec<&'static FunctionSpec>,
    /// Every http function of the manifest (selected or not) and its port.
    ports: Vec<(String, u16)>,
}

impl Plan {
    /// Fails on an unknown function in `opts.functions`.
    pub(super) fn new(opts: &StackOptions, manifest: &'static Manifest) -> Result<Plan> {
        let selected: Vec<&FunctionSpec> = match &opts.functions {
            None => manifest.functions.iter().collect(),
            Some(names) => {
                for n in names {
                    if manifest.function(n).is_none() {
                        bail!("no function `{n}` in infra/functions.toml");
                    }
                }
                manifest
                    .functions
                    .iter()
                    .filter(|f| names.contains(&f.name))
                    .collect()
            }
        };
        let ports = gateway::function_ports(manifest, opts.function_port_base)
            .into_iter()
            .map(|(f, p)| (f.name.clone(), p))
            .collect();
        Ok(Plan {
            manifest,
            selected,
            ports,
        })
    }

    /// The port of http function `name`.
    pub(super) fn port_of(&self, name: &str) -> Option<u16> {
        self.ports.iter().find(|(n, _)| n == name).map(|(_, p)| *p)
    }

    /// The width of the log prefixes: the longest selected name, at least 9.
    pub(super) fn name_width(&self) -> usize {
        self.selected
            .iter()
            .map(|f| f.name.len())
            .chain([9])
            .max()
            .unwrap_or(9)
    }

    /// Fails, naming each, if a port the stack needs is assigned twice or in use.
    pub(super) fn check_ports(&self, opts: &StackOptions) -> Result<()> {
        let mut wanted: Vec<(String, u16)> = vec![
            ("gateway".into(), opts.gateway_port),
            ("sqs (moto)".into(), opts.sqs_port),
            ("smtp (mailtutan)".into(), opts.smtp_port),
            ("mail inbox (mailtutan)".into(), opts.mail_http_port),
            ("stripe sandbox".into(), opts.stripe_port),
            ("vapi sandbox".into(), opts.vapi_port),
        ];
        if opts.database_url.is_none() {
            wanted.push(("postgres".into(), opts.pg_port));
        }
        for f in &self.selected {
            if let Some(p) = self.port_of(&f.name) {
                wanted.push((format!("function {}", f.name), p));
            }
        }
        let mut seen = HashSet::new();
        let mut problems = Vec::new();
        for (what, port) in &wanted {
            if !seen.insert(*port) {
                problems.push(format!("port {port} ({what}) is assigned twice"));
            } else if !net::port_is_free(*port) {
                problems.push(format!("port {port} ({what}) is in use"));
            }
        }
        if !problems.is_empty() {
            bail!(
                "{}\n  (is another stack running? ports are set with --*-port flags or KMX_*_PORT variables)",
                problems.join("\n  ")
            );
        }
        Ok(())
    }
}

/// The external programs of the stack, each found (or failed on) up front.
pub(super) struct Tools {
    pub(super) moto: PathBuf,
    pub(super) mailtutan: PathBuf,
    pub(super) nginx: PathBuf,
}

impl Tools {
    /// Each tool from its `KMX_*` variable or its default place.
    pub(super) fn find(opts: &StackOptions) -> Result<Tools> {
        Ok(Tools {
            moto: tool(
                "KMX_MOTO_SERVER",
                opts.root.join(".venv/bin/moto_server"),
                "moto_server",
            )?,
            mailtutan: tool(
                "KMX_MAILTUTAN",
                opts.root.join(".tools/bin/mailtutan"),
                "mailtutan",
            )?,
            nginx: tool("KMX_NGINX", PathBuf::from("/usr/sbin/nginx"), "nginx")?,
        })
    }
}

fn tool(env: &str, default: PathBuf, what: &str) -> Result<PathBuf> {
    let path = std::env::var_os(env)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or(default);
    if !path.exists() {
        bail!(
            "{what} not found at {} (run scripts/install-deps.sh, or set {env})",
            path.display()
        );
    }
    Ok(path)
}
