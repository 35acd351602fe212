//! [`connect`]: opens a gRPC [`Channel`] to a daemon over its Unix socket, and
//! [`ConnectError`], which tells "not running" apart from real faults.

use std::io;
use std::path::{Path, PathBuf};

use hyper_util::rt::TokioIo;
use tonic::transport::{Channel, Endpoint};

/// Why no channel to the daemon could be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Nothing listens on the socket: the file is missing, or stale (connection refused).
    #[error("no daemon is listening on {}", socket.display())]
    NotRunning {
        /// The socket that was tried.
        socket: PathBuf,
        /// What the connect reported.
        #[source]
        source: io::Error,
    },
    /// The socket exists but belongs to someone else.
    #[error("permission denied on {}: the socket belongs to another user", socket.display())]
    PermissionDenied {
        /// The socket that was tried.
        socket: PathBuf,
        /// What the connect reported.
        #[source]
        source: io::Error,
    },
    /// Any other failure to connect or to set up HTTP/2 on the connection.
    #[error("cannot connect to the daemon at {}", socket.display())]
    Other {
        /// The socket that was tried.
        socket: PathBuf,
        /// What failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ConnectError {
    /// True when the daemon is simply not running (as opposed to a fault worth reporting).
    pub fn is_not_running(&self) -> bool {
        matches!(self, Self::NotRunning { .. })
    }
}

/// Opens a channel to the daemon listening on `socket`. The connection is made eagerly, so a
/// daemon that is not running is reported here rather than at the first call.
pub async fn connect(socket: &Path) -> Result<Channel, ConnectError> {
    let path = socket.to_path_buf();
    let classify = |source: io::Error| match source.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => ConnectError::NotRunning {
            socket: socket.to_path_buf(),
            source,
        },
        io::ErrorKind::PermissionDenied => ConnectError::PermissionDenied {
            socket: socket.to_path_buf(),
            source,
        },
        _ => ConnectError::Other {
            socket: socket.to_path_buf(),
            source: Box::new(source),
        },
    };
    // Probe with a plain connect first: tonic wraps connector errors in layers that make the
    // io::ErrorKind hard to reach, and the kind is what separates "not running" from faults.
    tokio::net::UnixStream::connect(socket)
        .await
        .map_err(classify)?;
    // The URI is required by the HTTP/2 layer but never resolved: the connector ignores it.
    Endpoint::from_static("http://orchestrator.local")
        .connect_with_connector(tower::service_fn(move |_| {
            let path = path.clone();
            async move {
                let stream = tokio::net::UnixStream::connect(path).await?;
                Ok::<_, io::Error>(TokioIo::new(stream))
            }
        }))
        .await
        .map_err(|source| {
            // The daemon can go away between the probe and this connect: still "not running".
            match io_cause(&source) {
                Some(io) => classify(io::Error::new(io.kind(), io.to_string())),
                None => ConnectError::Other {
                    socket: socket.to_path_buf(),
                    source: Box::new(source),
                },
            }
        })
}

/// The first `io::Error` in an error's chain of causes.
fn io_cause<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a io::Error> {
    let mut current = Some(err);
    while let Some(error) = current {
        if let Some(io) = error.downcast_ref::<io::Error>() {
            return Some(io);
        }
        current = error.source();
    }
    None
}
