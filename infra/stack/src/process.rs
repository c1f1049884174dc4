//! Supervised child processes: spawned with a parent-death signal (a
//! SIGKILLed kmx takes its children with it), in their own process group (a
//! Ctrl-C reaches kmx only, which then stops them in order), optionally as
//! another user, with every output line written to `<logs>/<name>.log` and,
//! in terminal mode, to kmx's stderr prefixed with the process's name.

use anyhow::{bail, Context, Result};
use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Where children's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogMode {
    /// `<logs>/<name>.log` and kmx's stderr, each line prefixed `name | `.
    Terminal,
    /// `<logs>/<name>.log` only (tests, `kmx up`).
    Files,
}

/// The log settings shared by every process of a stack.
#[derive(Debug, Clone)]
pub struct Logs {
    pub dir: PathBuf,
    pub mode: LogMode,
    /// Width of the name column in terminal mode.
    pub width: usize,
    /// kmx's stderr is a terminal and NO_COLOR is unset.
    pub color: bool,
}

impl Logs {
    pub fn new(dir: impl Into<PathBuf>, mode: LogMode, width: usize) -> Logs {
        // SAFETY: isatty has no preconditions.
        let tty = unsafe { libc::isatty(2) == 1 };
        let color = tty && std::env::var_os("NO_COLOR").is_none();
        Logs {
            dir: dir.into(),
            mode,
            width,
            color,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.log"))
    }
}

/// A Unix user to run a child as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
}

/// Looks a user up in the password database.
pub fn lookup_user(name: &str) -> Option<User> {
    let cname = std::ffi::CString::new(name).ok()?;
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: an all-zero passwd is a valid out-parameter; getpwnam_r writes
    // only into `pwd` and `buf` (whose real length we pass).
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    let rc = unsafe {
        libc::getpwnam_r(
            cname.as_ptr(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() {
        return None;
    }
    Some(User {
        uid: pwd.pw_uid,
        gid: pwd.pw_gid,
    })
}

/// What to run.
#[derive(Debug, Clone)]
pub struct ProcSpec {
    pub name: String,
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub env: Vec<(String, String)>,
    pub env_remove: Vec<String>,
    pub cwd: Option<PathBuf>,
    pub run_as: Option<User>,
    /// Signal that asks the process to stop (SIGTERM; SIGINT = PostgreSQL's
    /// fast shutdown); also its parent-death signal.
    pub stop_signal: i32,
    /// How long to wait after `stop_signal` before SIGKILL.
    pub stop_timeout: Duration,
    /// Own process group (services) or kmx's (builds, which should see Ctrl-C).
    pub own_group: bool,
    /// In terminal mode, also echo its lines to kmx's stderr (else file only).
    pub echo: bool,
}

impl ProcSpec {
    pub fn new(name: impl Into<String>, program: impl Into<PathBuf>) -> ProcSpec {
        ProcSpec {
            name: name.into(),
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            env_remove: Vec::new(),
            cwd: None,
            run_as: None,
            stop_signal: libc::SIGTERM,
            stop_timeout: Duration::from_secs(5),
            own_group: true,
            echo: true,
        }
    }

    /// Log to its file only, even in terminal mode (chatty access logs).
    pub fn quiet(mut self) -> Self {
        self.echo = false;
        self
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn envs<I: IntoIterator<Item = (String, String)>>(mut self, vars: I) -> Self {
        self.env.extend(vars);
        self
    }

    pub fn env_remove(mut self, key: impl Into<String>) -> Self {
        self.env_remove.push(key.into());
        self
    }

    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }

    pub fn run_as(mut self, user: Option<User>) -> Self {
        self.run_as = user;
        self
    }

    pub fn stop_signal(mut self, signal: i32, timeout: Duration) -> Self {
        self.stop_signal = signal;
        self.stop_timeout = timeout;
        self
    }

    pub fn foreground(mut self) -> Self {
        self.own_group = false;
        self
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args);
        for key in &self.env_remove {
            cmd.env_remove(key);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        let parent = std::process::id() as libc::pid_t;
        let (run_as, own_group, death) = (self.run_as, self.own_group, self.stop_signal);
        // SAFETY: the closure runs between fork and exec and only makes
        // async-signal-safe calls (setpgid, setgroups, setgid, setuid, prctl,
        // getppid) without allocating.
        unsafe {
            cmd.pre_exec(move || {
                if own_group && libc::setpgid(0, 0) != 0 {
                    return Err(io::Error::last_os_error());
                }
                if let Some(user) = run_as {
                    let gid = user.gid as libc::gid_t;
                    if libc::setgroups(1, &gid) != 0
                        || libc::setgid(gid) != 0
                        || libc::setuid(user.uid as libc::uid_t) != 0
                    {
                        return Err(io::Error::last_os_error());
                    }
                }
                // After the uid change: changing credentials clears the setting.
                #[cfg(target_os = "linux")]
                {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, death as libc::c_ulong) != 0 {
                        return Err(io::Error::last_os_error());
                    }
                    if libc::getppid() != parent {
                        // kmx died before the signal was armed.
                        return Err(io::Error::from_raw_os_error(libc::ESRCH));
                    }
                }
                let _ = (parent, death);
                Ok(())
            });
        }
        cmd
    }
}

/// Spawns on one long-lived thread: the parent-death signal fires when the
/// *thread* that forked the child ends, so spawning from a short-lived thread
/// (a test's, a blocking pool's) would kill the child with it.
fn spawn_command(cmd: Command) -> io::Result<Child> {
    type Request = (Command, mpsc::Sender<io::Result<Child>>);
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<Request>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("kmx-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    if let Err(mpsc::SendError(Ok(mut child))) = reply.send(cmd.spawn()) {
                        let _ = child.kill();
                        let _ = child.wait();
                    }
                }
            })
            .expect("start the kmx-spawner thread");
        Mutex::new(tx)
    });
    let (reply, answer) = mpsc::channel();
    let gone = || io::Error::other("the kmx-spawner thread is gone");
    spawner
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send((cmd, reply))
        .map_err(|_| gone())?;
    answer.recv().map_err(|_| gone())?
}

const TAIL_LINES: usize = 40;

struct Sink {
    file: Mutex<File>,
    /// Terminal prefix (`None` in files mode).
    prefix: Option<String>,
    tail: Mutex<VecDeque<String>>,
}

impl Sink {
    fn line(&self, raw: &[u8]) {
        let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = String::from_utf8_lossy(raw);
        let plain = String::from_utf8_lossy(&strip_ansi(raw)).into_owned();
        {
            let plain = strip_ansi(raw);
            let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
            let _ = f.write_all(&plain);
            let _ = f.write_all(b"\n");
        }
        if let Some(prefix) = &self.prefix {
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "{prefix}{text}");
        }
        let mut tail = self.tail.lock().unwrap_or_else(|e| e.into_inner());
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(plain);
    }
}

/// `raw` without ANSI escape sequences (CSI `ESC [ … final`), for log files.
pub fn strip_ansi(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !raw.contains(&0x1b) {
        return std::borrow::Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == 0x1b && raw.get(i + 1) == Some(&b'[') {
            i += 2;
            while i < raw.len() && !(0x40..=0x7e).contains(&raw[i]) {
                i += 1;
            }
            i += 1;
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    std::borrow::Cow::Owned(out)
}

fn pump(name: &str, src: impl Read + Send + 'static, sink: Arc<Sink>) {
    let _ = std::thread::Builder::new()
        .name(format!("log-{name}"))
        .spawn(move || {
            let mut reader = BufReader::new(src);
            let mut buf = Vec::with_capacity(256);
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => sink.line(&buf),
                }
            }
        });
}

const COLORS: [&str; 6] = ["36", "33", "35", "32", "34", "31"];

fn color_for(name: &str) -> &'static str {
    let h = name
        .bytes()
        .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
    COLORS[h % COLORS.len()]
}

/// A running child owned by kmx: stopped (and reaped) on drop.
pub struct Supervised {
    name: String,
    child: Child,
    log_path: PathBuf,
    sink: Option<Arc<Sink>>,
    stop_signal: i32,
    stop_timeout: Duration,
    own_group: bool,
    status: Option<ExitStatus>,
}

impl Supervised {
    /// Starts `spec`; its output goes to `logs` (stdin is /dev/null).
    pub fn spawn(spec: &ProcSpec, logs: &Logs) -> Result<Supervised> {
        Self::spawn_inner(spec, logs, false)
    }

    fn spawn_inner(spec: &ProcSpec, logs: &Logs, inherit: bool) -> Result<Supervised> {
        std::fs::create_dir_all(&logs.dir)
            .with_context(|| format!("create log dir {}", logs.dir.display()))?;
        let log_path = logs.path(&spec.name);
        let mut cmd = spec.command();
        cmd.stdin(Stdio::null());
        if inherit {
            cmd.stdout(Stdio::inherit()).stderr(Stdio::inherit());
        } else {
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
        let file = if inherit {
            None
        } else {
            Some(
                File::create(&log_path)
                    .with_context(|| format!("create {}", log_path.display()))?,
            )
        };
        let mut child = spawn_command(cmd)
            .with_context(|| format!("start {} ({})", spec.name, spec.program.display()))?;
        let sink = if let Some(file) = file {
            let prefix = (logs.mode == LogMode::Terminal && spec.echo).then(|| {
                let label = format!("{:>w$} |", spec.name, w = logs.width);
                if logs.color {
                    format!("\x1b[{}m{label}\x1b[0m ", color_for(&spec.name))
                } else {
                    format!("{label} ")
                }
            });
            let sink = Arc::new(Sink {
                file: Mutex::new(file),
                prefix,
                tail: Mutex::new(VecDeque::new()),
            });
            if let Some(out) = child.stdout.take() {
                pump(&spec.name, out, sink.clone());
            }
            if let Some(err) = child.stderr.take() {
                pump(&spec.name, err, sink.clone());
            }
            Some(sink)
        } else {
            None
        };
        Ok(Supervised {
            name: spec.name.clone(),
            child,
            log_path,
            sink,
            stop_signal: spec.stop_signal,
            stop_timeout: spec.stop_timeout,
            own_group: spec.own_group,
            status: None,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The exit status, if the process has ended (reaps it).
    pub fn try_exited(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.status = Some(status);
            }
        }
        self.status
    }

    /// The last lines the process wrote (at most 40).
    pub fn tail(&self) -> Vec<String> {
        match &self.sink {
            Some(sink) => sink
                .tail
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .cloned()
                .collect(),
            None => Vec::new(),
        }
    }

    /// "<name> exited with … ; last output: …" for error messages.
    pub fn describe_exit(&mut self) -> String {
        let status = self
            .try_exited()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "still running".into());
        // Give the log pumps a moment to drain the last lines.
        std::thread::sleep(Duration::from_millis(50));
        let tail = self.tail();
        let shown: Vec<&String> = tail
            .iter()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let mut msg = format!(
            "{} exited ({status}); log: {}",
            self.name,
            self.log_path.display()
        );
        if !shown.is_empty() {
            msg.push_str("\n  last output:");
            for line in shown {
                msg.push_str("\n    ");
                msg.push_str(line);
            }
        }
        msg
    }

    /// Sends `signal` to the process (not its group), if it still runs.
    pub fn signal(&mut self, signal: i32) {
        if self.try_exited().is_none() {
            // SAFETY: plain kill(2) on a child we have not reaped yet.
            unsafe {
                libc::kill(self.child.id() as libc::pid_t, signal);
            }
        }
    }

    /// Waits up to `timeout` for the process to end.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_exited() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn kill_hard(&mut self) {
        if self.try_exited().is_none() {
            if self.own_group {
                // SAFETY: kill(2) on the group this child leads (not reaped yet,
                // so its id cannot have been reused).
                unsafe {
                    libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL);
                }
            }
            let _ = self.child.kill();
            let _ = self.child.wait().map(|s| self.status = Some(s));
        }
    }

    /// Stops the process: its stop signal, then SIGKILL after its timeout.
    pub fn stop(&mut self) {
        stop_all(std::slice::from_mut(self));
    }

    /// Waits for the process to end by itself; kills it if `timeout` passes.
    pub fn wait_or_kill(&mut self, timeout: Duration) -> Option<ExitStatus> {
        match self.wait_timeout(timeout) {
            Some(s) => Some(s),
            None => {
                self.kill_hard();
                None
            }
        }
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Stops several processes at once: each gets its stop signal, then all are
/// awaited together; whatever outlives its timeout is SIGKILLed (with its
/// process group).
pub fn stop_all(procs: &mut [Supervised]) {
    for p in procs.iter_mut() {
        let sig = p.stop_signal;
        p.signal(sig);
    }
    let start = Instant::now();
    for p in procs.iter_mut() {
        let left = p.stop_timeout.saturating_sub(start.elapsed());
        if p.wait_timeout(left).is_none() {
            p.kill_hard();
        }
    }
}

/// Runs a command to completion (a build step). In terminal mode its output
/// goes straight to the terminal; in files mode to `<logs>/<name>.log`, and a
/// failure's error carries the last lines.
pub async fn run_to_completion(spec: ProcSpec, logs: &Logs) -> Result<()> {
    let inherit = logs.mode == LogMode::Terminal;
    let mut proc = Supervised::spawn_inner(&spec.foreground(), logs, inherit)?;
    let status = loop {
        if let Some(status) = proc.try_exited() {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    if !status.success() {
        if inherit {
            bail!("{} failed ({status})", proc.name());
        }
        bail!("{}", proc.describe_exit());
    }
    Ok(())
}
