//! One daemon per socket. [`Instance::claim`] makes this process the daemon of a socket path:
//! it prepares a private socket directory, takes an exclusive `flock` on the pid file beside
//! the socket, replaces a stale socket (one nobody answers on) and binds a new one that only
//! its owner can connect to. [`InstanceError`] says why a claim failed.
//!
//! Order matters: the lock comes first, so a second daemon is told "already running" rather
//! than tripping over the first one's socket or port; the probe of an existing socket comes
//! second, so a live socket (another daemon that somehow lacks the lock, or another program's)
//! is never unlinked from under its clients.
//!
//! Nothing that is not ours is ever deleted: a failed claim leaves whatever sat at the socket
//! path untouched, a pid file with foreign content is refused before it is written, and the
//! socket is unlinked at the end only while the path still holds the very socket we bound.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use nix::sys::socket::{self, AddressFamily, Backlog, SockFlag, SockType, UnixAddr};
use orchestrator_api::paths::MAX_SOCKET_PATH_BYTES;

/// How long to retry a held pid-file lock before calling it another daemon's: long enough to
/// ride out a CLI probing the lock, short enough to answer a user at once.
const LOCK_PATIENCE: Duration = Duration::from_millis(300);

/// Why this process cannot become the daemon of a socket.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    /// The kernel limits Unix socket paths to about 107 bytes.
    #[error("socket path {} is {len} bytes long; the limit is {MAX_SOCKET_PATH_BYTES}", path.display())]
    SocketPathTooLong {
        /// The refused path.
        path: PathBuf,
        /// Its length in bytes.
        len: usize,
    },
    /// The socket's directory could not be created or inspected.
    #[error("cannot prepare the socket directory {}", path.display())]
    SocketDir {
        /// The directory.
        path: PathBuf,
        /// What failed.
        #[source]
        source: io::Error,
    },
    /// Another user could replace or reach the socket.
    #[error("refusing the socket directory {}: {reason}", path.display())]
    UnsafeSocketDir {
        /// The directory.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Something that is not a socket sits at the socket path.
    #[error("{} exists and is not a socket (it is {kind}); it was left untouched", path.display())]
    NotASocket {
        /// The path.
        path: PathBuf,
        /// What it is: `a regular file`, `a directory`, …
        kind: &'static str,
    },
    /// A live socket of another program (something answers on it, but no daemon holds the
    /// pid-file lock) sits at the socket path.
    #[error("{} is a socket another program is listening on; it was left untouched", path.display())]
    SocketInUse {
        /// The path.
        path: PathBuf,
    },
    /// The pid-file path holds something that is not a daemon's pid file.
    #[error("{} exists and is not an orchestrator pid file ({what}); it was left untouched", path.display())]
    ForeignPidFile {
        /// The pid file path.
        path: PathBuf,
        /// What was found there.
        what: String,
    },
    /// Another daemon serves this socket.
    #[error("another orchestrator daemon is already running on {}{}", socket.display(), pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    AlreadyRunning {
        /// The socket.
        socket: PathBuf,
        /// The other daemon's pid, when its pid file names it.
        pid: Option<u32>,
    },
    /// The pid file could not be opened, locked or written.
    #[error("cannot use the pid file {}", path.display())]
    PidFile {
        /// The pid file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: io::Error,
    },
    /// Binding or listening on the socket failed.
    #[error("cannot listen on {}", path.display())]
    Bind {
        /// The socket.
        path: PathBuf,
        /// What failed.
        #[source]
        source: io::Error,
    },
}

impl InstanceError {
    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            Self::SocketPathTooLong { .. } => {
                "use a shorter --socket / WUNDR_ORCHESTRATOR_SOCKET path".to_owned()
            }
            Self::SocketDir { .. } | Self::PidFile { .. } | Self::Bind { .. } => {
                "check that the directory is writable by you, or choose another --socket path"
                    .to_owned()
            }
            Self::UnsafeSocketDir { .. } => {
                "use a directory only you can write, e.g. set XDG_RUNTIME_DIR or --socket"
                    .to_owned()
            }
            Self::NotASocket { path, .. } | Self::SocketInUse { path } => format!(
                "choose another --socket path, or move {} out of the way yourself",
                path.display()
            ),
            Self::ForeignPidFile { path, .. } => format!(
                "choose another --socket path (the pid file is the socket path with .pid), or \
                 move {} out of the way yourself",
                path.display()
            ),
            Self::AlreadyRunning { .. } => {
                "use `wundr orchestrator status` to see it, or `wundr orchestrator stop` first"
                    .to_owned()
            }
        }
    }
}

/// This process's claim on a socket: the held pid-file lock and, until taken, the listener.
/// Dropping it removes the pid file and the socket it bound (if that socket is still the one at
/// the path) and releases the lock.
#[derive(Debug)]
pub struct Instance {
    socket: PathBuf,
    /// Device and inode of the socket this process bound: only that file is ever unlinked.
    bound: (u64, u64),
    /// Held for its `Drop`: removes the pid file and releases the lock after the socket goes.
    _pid_file: PidFileLock,
    listener: Option<UnixListener>,
}

/// The held lock on the pid file (which holds our pid); dropping it removes the file, then
/// releases the lock. Armed only once the file is known to be a daemon pid file.
#[derive(Debug)]
struct PidFileLock {
    path: PathBuf,
    lock: Option<Flock<File>>,
}

impl Drop for PidFileLock {
    fn drop(&mut self) {
        // Unlink before unlocking: once the lock is free, a new daemon may create the file.
        let _ = std::fs::remove_file(&self.path);
        self.lock = None;
    }
}

impl Instance {
    /// Becomes the daemon of `socket`, with `pid_file` as the lock.
    pub fn claim(socket: &Path, pid_file: &Path) -> Result<Self, InstanceError> {
        let len = socket.as_os_str().len();
        if len > MAX_SOCKET_PATH_BYTES {
            return Err(InstanceError::SocketPathTooLong {
                path: socket.to_path_buf(),
                len,
            });
        }
        let dir = socket.parent().unwrap_or(Path::new("/"));
        prepare_private_dir(dir)?;
        let pid_file = PidFileLock {
            path: pid_file.to_path_buf(),
            lock: Some(lock_pid_file(pid_file, socket)?),
        };
        // From here a failure drops `pid_file` (ours) but never touches the socket path.
        remove_stale_socket(socket)?;
        let listener = bind_private(socket)?;
        let meta = std::fs::symlink_metadata(socket).map_err(|source| InstanceError::Bind {
            path: socket.to_path_buf(),
            source,
        })?;
        Ok(Self {
            socket: socket.to_path_buf(),
            bound: (meta.dev(), meta.ino()),
            _pid_file: pid_file,
            listener: Some(listener),
        })
    }

    /// The bound listener (once).
    pub fn take_listener(&mut self) -> Option<UnixListener> {
        self.listener.take()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // Only while the path still holds our socket: someone may have replaced it.
        let ours = std::fs::symlink_metadata(&self.socket)
            .is_ok_and(|meta| (meta.dev(), meta.ino()) == self.bound);
        if ours {
            let _ = std::fs::remove_file(&self.socket);
        }
        // `_pid_file` drops after this: the pid file goes, then the lock is released.
    }
}

fn prepare_private_dir(dir: &Path) -> Result<(), InstanceError> {
    let dir_error = |source| InstanceError::SocketDir {
        path: dir.to_path_buf(),
        source,
    };
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(dir_error)?;
    }
    let meta = std::fs::metadata(dir).map_err(dir_error)?;
    let unsafe_dir = |reason: &str| InstanceError::UnsafeSocketDir {
        path: dir.to_path_buf(),
        reason: reason.to_owned(),
    };
    if !meta.is_dir() {
        return Err(unsafe_dir("it is not a directory"));
    }
    // A sticky directory (like /tmp) stops others from unlinking or renaming our socket; the
    // socket itself is 0600, so there it is safe even though others may write the directory.
    let sticky = meta.mode() & 0o1000 != 0;
    if meta.uid() != nix::unistd::geteuid().as_raw() && !sticky {
        return Err(unsafe_dir(&format!(
            "it belongs to uid {}, not to you",
            meta.uid()
        )));
    }
    if meta.mode() & 0o022 != 0 && !sticky {
        return Err(unsafe_dir("other users can write to it"));
    }
    Ok(())
}

fn lock_pid_file(pid_file: &Path, socket: &Path) -> Result<Flock<File>, InstanceError> {
    let pid_error = |source| InstanceError::PidFile {
        path: pid_file.to_path_buf(),
        source,
    };
    let deadline = Instant::now() + LOCK_PATIENCE;
    loop {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(pid_file)
            .map_err(pid_error)?;
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(mut locked) => {
                check_pid_file_content(&mut locked, pid_file)?;
                locked.set_len(0).map_err(pid_error)?;
                locked.rewind().map_err(pid_error)?;
                writeln!(locked, "{}", std::process::id()).map_err(pid_error)?;
                return Ok(locked);
            }
            Err((mut file, Errno::EWOULDBLOCK)) => {
                if Instant::now() >= deadline {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    return Err(InstanceError::AlreadyRunning {
                        socket: socket.to_path_buf(),
                        pid: text.trim().parse().ok(),
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err((_, errno)) => return Err(pid_error(io::Error::from(errno))),
        }
    }
}

/// Refuses a file that is not a daemon's pid file (empty, or one number): with `--socket
/// ~/x`, the pid file `~/x.pid` may be somebody's data, which must not be truncated.
fn check_pid_file_content(file: &mut File, path: &Path) -> Result<(), InstanceError> {
    let meta = file.metadata().map_err(|source| InstanceError::PidFile {
        path: path.to_path_buf(),
        source,
    })?;
    let foreign = |what: String| InstanceError::ForeignPidFile {
        path: path.to_path_buf(),
        what,
    };
    if !meta.is_file() {
        return Err(foreign("not a regular file".to_owned()));
    }
    // A pid file is a few bytes; anything big is not one, and need not be read whole.
    if meta.len() > 64 {
        return Err(foreign(format!("{} bytes long", meta.len())));
    }
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|_| foreign("not text".to_owned()))?;
    let text = text.trim();
    if !text.is_empty() && text.parse::<u32>().is_err() {
        return Err(foreign(format!("it holds {text:?}, not a pid")));
    }
    Ok(())
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_file() {
        "a regular file"
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_fifo() {
        "a named pipe"
    } else {
        "a device or other special file"
    }
}

fn remove_stale_socket(socket: &Path) -> Result<(), InstanceError> {
    let meta = match std::fs::symlink_metadata(socket) {
        Ok(meta) => meta,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(InstanceError::Bind {
                path: socket.to_path_buf(),
                source,
            });
        }
    };
    if !meta.file_type().is_socket() {
        return Err(InstanceError::NotASocket {
            path: socket.to_path_buf(),
            kind: file_kind(&meta),
        });
    }
    match UnixStream::connect(socket) {
        // We hold the pid-file lock, so no daemon of this path answers: another program does.
        Ok(_) => Err(InstanceError::SocketInUse {
            path: socket.to_path_buf(),
        }),
        Err(err) if err.kind() == io::ErrorKind::ConnectionRefused => {
            tracing::info!(socket = %socket.display(), "replacing a stale socket left by a daemon that died");
            std::fs::remove_file(socket).map_err(|source| InstanceError::Bind {
                path: socket.to_path_buf(),
                source,
            })
        }
        Err(source) => Err(InstanceError::Bind {
            path: socket.to_path_buf(),
            source,
        }),
    }
}

/// Binds `path` and makes it 0600 before listening, so no other user can connect even for the
/// instant between the two.
fn bind_private(path: &Path) -> Result<UnixListener, InstanceError> {
    let bind_error = |source: io::Error| InstanceError::Bind {
        path: path.to_path_buf(),
        source,
    };
    let fd = socket::socket(
        AddressFamily::Unix,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
        None,
    )
    .map_err(|e| bind_error(e.into()))?;
    let addr = UnixAddr::new(path).map_err(|e| bind_error(e.into()))?;
    socket::bind(fd.as_raw_fd(), &addr).map_err(|e| bind_error(e.into()))?;
    std::fs::set_permissions(path, Permissions::from_mode(0o600)).map_err(bind_error)?;
    let backlog = Backlog::new(256).map_err(|e| bind_error(e.into()))?;
    socket::listen(&fd, backlog).map_err(|e| bind_error(e.into()))?;
    Ok(UnixListener::from(fd))
}

#[cfg(test)]
mod tests;
