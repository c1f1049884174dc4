//! A project-local PostgreSQL cluster: `initdb` once into `<data-dir>/pg`,
//! then the postmaster as a supervised child on 127.0.0.1 (unix socket in
//! `<data-dir>/run`). As root, both run as the `postgres` user (initdb refuses
//! root); the postmaster is spawned directly with that uid, so kmx signals it
//! itself: SIGINT is PostgreSQL's fast shutdown, the same as
//! `pg_ctl stop -m fast`, and also its parent-death signal.

use crate::process::{lookup_user, run_to_completion, LogMode, Logs, ProcSpec, Supervised, User};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Debian's PostgreSQL 15 binaries (`$KMX_PG_BIN` overrides).
pub const DEFAULT_PG_BIN: &str = "/usr/lib/postgresql/15/bin";

pub fn pg_bin() -> PathBuf {
    std::env::var_os("KMX_PG_BIN")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PG_BIN))
}

#[derive(Debug, Clone)]
pub struct Cluster {
    /// PGDATA: `<data-dir>/pg`.
    pub pgdata: PathBuf,
    /// `<data-dir>/run`, or `None` (TCP only) when the socket path would be
    /// longer than a unix socket address allows.
    pub socket_dir: Option<PathBuf>,
    pub port: u16,
    pub bin: PathBuf,
    /// `postgres` when kmx runs as root, else `None` (runs as the current user).
    pub user: Option<User>,
    /// `false`: fsync, synchronous_commit and full_page_writes off (throwaway
    /// clusters of tests; a crash of the machine may corrupt such a cluster).
    pub durable: bool,
}

impl Cluster {
    pub fn new(data_dir: &Path, port: u16, durable: bool) -> Result<Cluster> {
        let user = if crate::is_root() {
            Some(lookup_user("postgres").context(
                "running as root, PostgreSQL must run as the `postgres` user, which does not exist \
                 (install postgresql-15: scripts/install-deps.sh)",
            )?)
        } else {
            None
        };
        let socket_dir = data_dir.join("run");
        // sun_path holds 108 bytes including the NUL: `<dir>/.s.PGSQL.NNNNN`.
        let socket_dir = (socket_dir.as_os_str().len() + 18 < 107).then_some(socket_dir);
        Ok(Cluster {
            pgdata: data_dir.join("pg"),
            socket_dir,
            port,
            bin: pg_bin(),
            user,
            durable,
        })
    }

    pub fn is_initialized(&self) -> bool {
        self.pgdata.join("PG_VERSION").exists()
    }

    /// `postgres://postgres@127.0.0.1:<port>/<db>`
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn own_dir(&self, dir: &Path, mode: u32) -> Result<()> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
        if let Some(u) = self.user {
            std::os::unix::fs::chown(dir, Some(u.uid), Some(u.gid))
                .with_context(|| format!("chown {} to postgres", dir.display()))?;
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("chmod {}", dir.display()))
    }

    /// Creates the cluster unless it exists (`initdb -A trust -U postgres
    /// --encoding=UTF8 --locale=C`). Returns whether it created one.
    pub async fn init(&self, logs: &Logs) -> Result<bool> {
        let initdb = self.bin.join("initdb");
        if !initdb.exists() {
            bail!(
                "{} not found: run scripts/install-deps.sh (or set KMX_PG_BIN)",
                initdb.display()
            );
        }
        if let Some(dir) = &self.socket_dir {
            self.own_dir(dir, 0o755)?;
        }
        if self.is_initialized() {
            return Ok(false);
        }
        if self.pgdata.exists() && std::fs::read_dir(&self.pgdata)?.next().is_some() {
            bail!(
                "{} exists but holds no PostgreSQL cluster (no PG_VERSION); move it away",
                self.pgdata.display()
            );
        }
        self.own_dir(&self.pgdata, 0o700)?;
        let spec = ProcSpec::new("initdb", &initdb)
            .arg("-D")
            .arg(&self.pgdata)
            .args([
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C",
            ])
            // No fsync of the fresh cluster: 0.4 s instead of 2 s; the server's own
            // fsync setting decides durability from its first checkpoint on.
            .args(["--no-instructions", "--no-sync"])
            .cwd("/")
            .run_as(self.user);
        let quiet = Logs {
            mode: LogMode::Files,
            ..logs.clone()
        };
        run_to_completion(spec, &quiet).await.map_err(|e| {
            let hint = if self.user.is_some() {
                "\n  hint: as root the cluster belongs to `postgres`, who must be able to enter every parent \
                 directory of the data dir (use a data dir under /tmp or /work, not /root)"
            } else {
                ""
            };
            anyhow::anyhow!("initdb failed: {e:#}{hint}")
        })?;
        Ok(true)
    }

    /// Starts the postmaster (does not wait for it to accept connections).
    pub fn spawn(&self, logs: &Logs) -> Result<Supervised> {
        let sockets = match &self.socket_dir {
            Some(d) => d.display().to_string(),
            None => String::new(),
        };
        let mut spec = ProcSpec::new("postgres", self.bin.join("postgres"))
            .arg("-D")
            .arg(&self.pgdata)
            .args(["-p", &self.port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args([
                "-c".to_string(),
                format!("unix_socket_directories={sockets}"),
            ])
            .args(["-c", "max_connections=200"])
            .cwd("/")
            .run_as(self.user)
            .stop_signal(libc::SIGINT, Duration::from_secs(30));
        if !self.durable {
            spec = spec.args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]);
        }
        Supervised::spawn(&spec, logs)
    }

    /// How `pg_isready` and `psql` reach the server: TCP on 127.0.0.1, as
    /// `postgres`, database `postgres`.
    fn connect_args(&self) -> [String; 8] {
        [
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
            "-d",
            "postgres",
        ]
        .map(String::from)
    }

    /// One `pg_isready` probe.
    pub async fn is_ready(&self) -> bool {
        let mut cmd = Command::new(self.bin.join("pg_isready"));
        cmd.arg("-q").args(self.connect_args());
        tokio::task::spawn_blocking(move || cmd.status().map(|s| s.success()).unwrap_or(false))
            .await
            .unwrap_or(false)
    }

    fn psql(&self, sql: &str) -> Result<String> {
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"])
            .args(self.connect_args())
            .args(["-c", sql])
            .env("PGCONNECT_TIMEOUT", "5")
            .output()
            .context("run psql")?;
        if !out.status.success() {
            bail!("psql: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Creates database `name` unless it exists. Returns whether it created it.
    pub async fn ensure_database(&self, name: &str) -> Result<bool> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            bail!("database name {name:?}: use lowercase letters, digits and _");
        }
        let this = self.clone();
        let name = name.to_string();
        tokio::task::spawn_blocking(move || {
            let exists = this.psql(&format!(
                "SELECT 1 FROM pg_database WHERE datname = '{name}'"
            ))?;
            if exists == "1" {
                return Ok(false);
            }
            this.psql(&format!("CREATE DATABASE \"{name}\""))?;
            Ok(true)
        })
        .await?
    }
}
