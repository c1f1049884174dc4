//! `kmx`: Kametrix's operations crate and the one-machine stack.
//!
//! * [`gateway`]: the nginx configuration generated from the function manifest.
//! * [`queues`]: the manifest's SQS queues (and their dead-letter queues).
//! * [`pg`]: a project-local PostgreSQL cluster (initdb / postmaster as `postgres`).
//! * [`process`]: supervised child processes (logs, parent-death signal, ordered stop).
//! * [`stack`]: everything together: [`stack::Stack::start`] for tests, `kmx dev` / `kmx up`.
//! * [`ops`]: migrations and seed data.
//!
//! The manifest is always [`shared::manifest::Manifest::embedded`]: the same
//! list the function binaries were compiled with.

use std::path::{Path, PathBuf};

pub mod gateway;
pub mod net;
pub mod ops;
pub mod pg;
pub mod process;
pub mod queues;
pub mod stack;

pub use shared::manifest::Manifest;

/// The repository root: `$KMX_ROOT` if set, else the workspace this crate was
/// compiled in.
pub fn repo_root() -> PathBuf {
    if let Some(root) = std::env::var_os("KMX_ROOT").filter(|r| !r.is_empty()) {
        return absolute(Path::new(&root));
    }
    let compiled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    compiled.canonicalize().unwrap_or(compiled)
}

/// `path` made absolute against the current directory (no symlink resolution,
/// the path need not exist).
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

/// Whether this process runs as root (then PostgreSQL runs as `postgres`,
/// and nginx's workers as root).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}
