//! [`running_daemon_pid`]: asks a pid file whether a live daemon holds it.
//!
//! The daemon keeps an exclusive `flock` on its pid file for as long as it runs; the kernel
//! drops the lock when the process dies, even by SIGKILL. So "the lock is held" means "a daemon
//! is alive", without trusting a pid that may have been reused.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

/// The pid written in `pid_file` if a live process holds its lock; `None` when the file is
/// missing or nobody holds it (a daemon that died leaves such a stale file behind).
///
/// The probe takes the lock for an instant when it is free; the daemon retries its own lock
/// for a moment, so a probe never makes a starting daemon fail.
pub fn running_daemon_pid(pid_file: &Path) -> io::Result<Option<u32>> {
    let mut file = match File::open(pid_file) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    match Flock::lock(file, FlockArg::LockSharedNonblock) {
        // Nobody holds it: stale. Dropping the Flock releases our shared lock at once.
        Ok(_free) => Ok(None),
        Err((_, Errno::EWOULDBLOCK)) => Ok(text.trim().parse().ok()),
        Err((_, errno)) => Err(io::Error::from(errno)),
    }
}
