//! The process's open-file limit (`RLIMIT_NOFILE`). [`raise_soft_limit`] lifts the soft
//! limit to the hard one at start, so the public port, the control socket, the database and
//! the agents' pipes share the most descriptors the system allows (a default soft limit of
//! 1024 is easily reached by a busy daemon); [`soft_limit`] is what the public port sizes its
//! connection caps by (`api::ws`).

use nix::sys::resource::{RLIM_INFINITY, Resource, getrlimit, setrlimit};

/// Where macOS refuses a soft limit above `OPEN_MAX` even when the hard limit is unlimited.
const OPEN_MAX_FALLBACK: u64 = 10_240;

/// The current soft limit; `None` when it cannot be read.
pub fn soft_limit() -> Option<u64> {
    getrlimit(Resource::RLIMIT_NOFILE)
        .ok()
        .map(|(soft, _)| soft)
}

/// Raises the soft limit to the hard limit; returns `(before, after)`.
pub fn raise_soft_limit() -> nix::Result<(u64, u64)> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if soft >= hard {
        return Ok((soft, soft));
    }
    match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
        Ok(()) => Ok((soft, hard)),
        Err(nix::errno::Errno::EINVAL) if hard == RLIM_INFINITY && soft < OPEN_MAX_FALLBACK => {
            setrlimit(Resource::RLIMIT_NOFILE, OPEN_MAX_FALLBACK, hard)?;
            Ok((soft, OPEN_MAX_FALLBACK))
        }
        Err(err) => Err(err),
    }
}

/// Raises the soft limit and logs the outcome.
pub fn raise_and_log() {
    match raise_soft_limit() {
        Ok((before, after)) if after > before => {
            tracing::info!(
                before,
                after,
                "raised the open-file limit to the hard limit"
            );
        }
        Ok((_, limit)) => tracing::info!(limit, "open-file limit (already the hard limit)"),
        Err(err) => tracing::warn!(%err, limit = ?soft_limit(), "cannot raise the open-file limit"),
    }
}
