//! The agent's charter hooks on this node: [`HookSocket`] (a Unix socket in a fresh 0700
//! directory, named to the agent by `WUNDR_RELAY_SOCKET`) and [`Hooks`] (each connection is
//! one question: a [`HookQuery`] line in, a `Hook` frame up, the matching `HookAnswer` down, a
//! [`HookReply`] line out). When the daemon is gone, or the question cannot travel, the reply
//! is [`HookReply::Error`] and the hook fails closed on its own.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::oneshot;

use super::link::Outgoing;
use crate::hook_socket::{HookQuery, HookReply, line_of};
use crate::wire::{MAX_FRAME_BYTES, RelayFrame, append_frame};

/// The longest path a Unix socket address holds (108 bytes with the NUL).
const MAX_SOCKET_PATH: usize = 107;
/// How long a hook may take to send its question (it writes it at once).
const QUERY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The listening socket; dropping it removes its directory.
#[derive(Debug)]
pub(super) struct HookSocket {
    dir: PathBuf,
    path: PathBuf,
    listener: UnixListener,
}

impl HookSocket {
    /// Listens on `<dir>/hook.sock` in a new directory only this user can enter, under
    /// `$TMPDIR` when the path fits a socket address, else `/tmp`.
    pub(super) fn create() -> io::Result<HookSocket> {
        let tmp = std::env::var_os("TMPDIR")
            .map(PathBuf::from)
            .filter(|dir| dir.is_absolute() && dir.as_os_str().len() < 60);
        let base = tmp.unwrap_or_else(|| PathBuf::from("/tmp"));
        let dir = fresh_dir(&base)?;
        let path = dir.join("hook.sock");
        if path.as_os_str().len() > MAX_SOCKET_PATH {
            let _ = std::fs::remove_dir(&dir);
            return Err(io::Error::other(format!(
                "the socket path {} is longer than a Unix socket allows",
                path.display()
            )));
        }
        match UnixListener::bind(&path) {
            Ok(listener) => Ok(HookSocket {
                dir,
                path,
                listener,
            }),
            Err(err) => {
                let _ = std::fs::remove_dir(&dir);
                Err(err)
            }
        }
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// The next hook connection. Cancel safe.
    pub(super) async fn accept(&self) -> io::Result<UnixStream> {
        self.listener.accept().await.map(|(stream, _)| stream)
    }
}

impl Drop for HookSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// A new directory, mode 0700, that did not exist before (never one someone else made).
fn fresh_dir(base: &Path) -> io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut last = None;
    for attempt in 0..16u32 {
        let dir = base.join(format!(
            "wundr-relay-{}-{:x}",
            std::process::id(),
            stamp.wrapping_add(attempt.wrapping_mul(0x9e37_79b9))
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => last = Some(err),
            Err(err) => return Err(err),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no fresh directory name")))
}

/// Hook questions in flight.
#[derive(Debug)]
pub(super) struct Hooks {
    next_id: AtomicU64,
    pending: Mutex<Pending>,
    out: Outgoing,
    host: String,
}

#[derive(Debug, Default)]
struct Pending {
    calls: HashMap<u64, oneshot::Sender<HookReply>>,
    /// The connection is gone: new questions are answered with an error at once.
    gone: bool,
}

impl Hooks {
    pub(super) fn new(out: Outgoing, host: &str) -> Arc<Hooks> {
        Arc::new(Hooks {
            next_id: AtomicU64::new(1),
            pending: Mutex::new(Pending::default()),
            out,
            host: host.to_owned(),
        })
    }

    /// Answers the question on `stream` in a task of its own.
    pub(super) fn serve(self: &Arc<Self>, stream: UnixStream) {
        let hooks = Arc::clone(self);
        tokio::spawn(async move { hooks.call(stream).await });
    }

    /// The daemon's answer to question `id`.
    pub(super) fn answer(&self, id: u64, reply: HookReply) {
        let waiting = self.lock().calls.remove(&id);
        match waiting {
            Some(waiting) => {
                let _ = waiting.send(reply);
            }
            None => tracing::warn!(id, "an answer to a hook question nobody waits for"),
        }
    }

    /// The daemon can no longer answer: every waiting hook, and every later one, hears so.
    pub(super) fn fail_all(&self) {
        let mut pending = self.lock();
        pending.gone = true;
        pending.calls.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn call(&self, stream: UnixStream) {
        let (read, mut write) = stream.into_split();
        // A question larger than a frame could not travel anyway.
        let mut reader = BufReader::new(read).take(MAX_FRAME_BYTES as u64);
        let mut line = Vec::new();
        let reply =
            match tokio::time::timeout(QUERY_READ_TIMEOUT, reader.read_until(b'\n', &mut line))
                .await
            {
                Ok(Ok(_)) => match serde_json::from_slice::<HookQuery>(&line) {
                    Ok(query) => self.ask(query).await,
                    Err(err) => HookReply::Error(format!(
                        "the relay on {} cannot read the hook's question: {err}",
                        self.host
                    )),
                },
                Ok(Err(err)) => HookReply::Error(format!(
                    "the relay on {} cannot read the hook's question: {err}",
                    self.host
                )),
                Err(_) => HookReply::Error(format!(
                    "the hook sent no question to the relay on {} within {}s",
                    self.host,
                    QUERY_READ_TIMEOUT.as_secs()
                )),
            };
        let _ = write.write_all(&line_of(&reply)).await;
        let _ = write.shutdown().await;
    }

    async fn ask(&self, query: HookQuery) -> HookReply {
        let gone = || {
            HookReply::Error(format!(
                "the relay on {} lost its connection to the daemon",
                self.host
            ))
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut frame = Vec::new();
        if let Err(err) = append_frame(&RelayFrame::Hook { id, query }, &mut frame) {
            return HookReply::Error(format!(
                "the hook's question cannot be carried to the daemon: {err}"
            ));
        }
        let (tx, rx) = oneshot::channel();
        {
            let mut pending = self.lock();
            if pending.gone {
                return gone();
            }
            pending.calls.insert(id, tx);
        }
        if self.out.bytes(frame).await.is_err() {
            self.lock().calls.remove(&id);
            return gone();
        }
        rx.await.unwrap_or_else(|_| gone())
    }
}
