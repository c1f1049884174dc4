//! The machinery of a start: the supervised children by tier, the data dir
//! guard, kmx's own status lines, and the readiness waits.

use super::options::StackOptions;
use crate::net;
use crate::process::{stop_all, LogMode, Logs, ProcSpec, Supervised};
use anyhow::{bail, Result};
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Tier {
    Postgres,
    Services,
    Functions,
    Gateway,
}

/// The running children, stopped tier by tier, last started first.
#[derive(Default)]
pub(super) struct Procs {
    pub(super) procs: Vec<(Tier, Supervised)>,
    pub(super) reported: HashSet<String>,
}

impl Procs {
    pub(super) fn add(&mut self, tier: Tier, p: Supervised) {
        self.procs.push((tier, p));
    }

    /// Starts `spec` (output to `logs`) as one of `tier`.
    pub(super) fn spawn(&mut self, tier: Tier, spec: &ProcSpec, logs: &Logs) -> Result<()> {
        self.add(tier, Supervised::spawn(spec, logs)?);
        Ok(())
    }

    fn get(&mut self, name: &str) -> Option<&mut Supervised> {
        self.procs
            .iter_mut()
            .map(|(_, p)| p)
            .find(|p| p.name() == name)
    }

    /// Fails with the process's last output if it has exited.
    fn check(&mut self, name: &str) -> Result<()> {
        if let Some(p) = self.get(name) {
            if p.try_exited().is_some() {
                bail!("{}", p.describe_exit());
            }
        }
        Ok(())
    }

    pub(super) fn check_all(&mut self) -> Result<()> {
        for (_, p) in &mut self.procs {
            if p.try_exited().is_some() {
                bail!("{}", p.describe_exit());
            }
        }
        Ok(())
    }

    pub(super) fn stop(&mut self) {
        for tier in [
            Tier::Gateway,
            Tier::Functions,
            Tier::Services,
            Tier::Postgres,
        ] {
            let (mut group, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.procs)
                .into_iter()
                .partition(|(t, _)| *t == tier);
            self.procs = rest;
            let mut group: Vec<Supervised> = group.drain(..).map(|(_, p)| p).collect();
            stop_all(&mut group);
        }
    }

    /// Waits until `check` holds; fails early if `name` exits, and with its
    /// log's path after `timeout`.
    pub(super) async fn wait_ready<F, Fut>(
        &mut self,
        name: &str,
        timeout: Duration,
        mut check: F,
    ) -> Result<()>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + timeout;
        loop {
            if check().await {
                return Ok(());
            }
            self.check(name)?;
            if Instant::now() >= deadline {
                let log = self
                    .get(name)
                    .map(|p| p.log_path().display().to_string())
                    .unwrap_or_default();
                bail!(
                    "{name} was not ready after {} s (log: {log})",
                    timeout.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for Procs {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Deletes an ephemeral data dir when dropped (after the processes stopped).
pub(super) struct DataDir {
    pub(super) path: PathBuf,
    pub(super) remove: bool,
}

impl Drop for DataDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Status lines of kmx itself: stderr in terminal mode, always `logs/kmx.log`.
#[derive(Clone)]
pub(super) struct Say {
    terminal: bool,
    file: std::sync::Arc<std::sync::Mutex<Option<std::fs::File>>>,
}

impl Say {
    /// Terminal lines in terminal mode; `file` may be missing (not created).
    pub(super) fn new(terminal: bool, file: Option<std::fs::File>) -> Say {
        Say {
            terminal,
            file: std::sync::Arc::new(std::sync::Mutex::new(file)),
        }
    }

    pub(super) fn line(&self, msg: &str) {
        if self.terminal {
            eprintln!("kmx: {msg}");
        }
        self.to_file(msg);
    }

    pub(super) fn warn(&self, msg: &str) {
        eprintln!("kmx: warning: {msg}");
        self.to_file(&format!("warning: {msg}"));
    }

    fn to_file(&self, line: &str) {
        if let Some(f) = self.file.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            let _ = writeln!(f, "{line}");
        }
    }
}

/// What [`super::Stack::start`] builds up step by step. Fields drop in this
/// order: on a failed start the processes stop before the data dir goes.
pub(super) struct Startup {
    pub(super) logs: Logs,
    pub(super) say: Say,
    /// The main phases, in order (`Stack::startup`).
    pub(super) timings: Vec<(&'static str, Duration)>,
    pub(super) procs: Procs,
    pub(super) data_dir: DataDir,
    ready_timeout: Duration,
}

impl Startup {
    /// Creates the data dir (removed again on drop if ephemeral) and its
    /// `logs/`, opens `logs/kmx.log`; log prefixes are `width` wide.
    pub(super) fn new(opts: &StackOptions, width: usize) -> Result<Startup> {
        use anyhow::Context;
        std::fs::create_dir_all(&opts.data_dir)
            .with_context(|| format!("create {}", opts.data_dir.display()))?;
        let data_dir = DataDir {
            path: opts.data_dir.clone(),
            remove: opts.remove_data_dir,
        };
        let logs = Logs::new(opts.data_dir.join("logs"), opts.logs, width);
        std::fs::create_dir_all(&logs.dir)?;
        let say = Say::new(
            opts.logs == LogMode::Terminal,
            std::fs::File::create(logs.dir.join("kmx.log")).ok(),
        );
        Ok(Startup {
            logs,
            say,
            timings: Vec::new(),
            procs: Procs::default(),
            data_dir,
            ready_timeout: opts.ready_timeout,
        })
    }

    /// Records phase `what` as taken since `since`.
    pub(super) fn timed(&mut self, what: &'static str, since: Instant) {
        self.timings.push((what, since.elapsed()));
    }

    pub(super) fn spawn(&mut self, tier: Tier, spec: &ProcSpec) -> Result<()> {
        self.procs.spawn(tier, spec, &self.logs)
    }

    /// Waits (up to the ready timeout) until `check` holds, while `name` runs.
    pub(super) async fn wait_ready<F, Fut>(&mut self, name: &str, check: F) -> Result<()>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        self.procs.wait_ready(name, self.ready_timeout, check).await
    }

    /// Waits until 127.0.0.1:`port` accepts connections, while `name` runs.
    pub(super) async fn wait_tcp(&mut self, name: &str, port: u16) -> Result<()> {
        self.wait_ready(name, || net::tcp_ok(port)).await
    }

    /// Waits until `GET path` on `port` answers 200, while `name` runs.
    pub(super) async fn wait_http_ok(&mut self, name: &str, port: u16, path: &str) -> Result<()> {
        self.wait_ready(name, || async move {
            matches!(net::http_get(port, path).await, Ok((200, _)))
        })
        .await
    }
}
