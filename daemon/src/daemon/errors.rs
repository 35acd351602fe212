//! Why a daemon could not be built ([`NewError`]) or started ([`StartError`]), each with the
//! remedy printed under it.

use std::path::PathBuf;

use orchestrator_api::paths::PathError;
use orchestrator_config::ConfigError;

use crate::instance::InstanceError;
use crate::store::StoreError;

/// Why a daemon could not be built.
#[derive(Debug, thiserror::Error)]
pub enum NewError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The default paths could not be worked out.
    #[error(transparent)]
    Paths(#[from] PathError),
    /// The charter file is invalid (or named but missing): the daemon does not start without
    /// the rules it was given.
    #[error(transparent)]
    Charter(#[from] crate::charter::active::ActiveError),
}

impl NewError {
    /// What the user can do about it.
    pub fn remedy(&self) -> &'static str {
        match self {
            Self::Config(err) => err.remedy(),
            Self::Paths(_) => "set HOME (or the XDG_* directories), or pass --socket",
            Self::Charter(err) => err.remedy(),
        }
    }
}

/// Why `start()` failed. Nothing is left behind: sockets and the pid file are removed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// `start()` was called on a daemon that was already started (a daemon starts once).
    #[error("this daemon was already started")]
    AlreadyStarted,
    /// A state or data directory could not be created.
    #[error("cannot create the {what} directory {}", path.display())]
    Directory {
        /// Which directory.
        what: &'static str,
        /// Its path.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// The control socket could not be claimed.
    #[error(transparent)]
    Instance(#[from] InstanceError),
    /// The public port is taken.
    #[error("port {port} on {host} is in use")]
    PortInUse {
        /// The host.
        host: String,
        /// The port.
        port: u16,
        /// What the bind reported.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The relay listener (for sessions on a Ray cluster) could not be opened.
    #[error("cannot listen for relays on {address} (ray.relayListen)")]
    RelayListen {
        /// The address.
        address: std::net::SocketAddr,
        /// What the bind reported.
        #[source]
        source: std::io::Error,
    },
    /// The relay listener listens on every address, and nothing says which one nodes dial.
    #[error("ray.relayListen is {address}, which nodes cannot dial")]
    RelayAddressNeeded {
        /// The address.
        address: std::net::SocketAddr,
    },
    /// The public port could not be bound for another reason.
    #[error("cannot listen on {host}:{port}")]
    Listen {
        /// The host.
        host: String,
        /// The port.
        port: u16,
        /// What the bind reported.
        #[source]
        source: std::io::Error,
    },
}

impl StartError {
    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            Self::AlreadyStarted => "build a new OrchestratorDaemon to start again".to_owned(),
            Self::Directory { .. } => {
                "make the directory writable, or point XDG_STATE_HOME / XDG_DATA_HOME elsewhere"
                    .to_owned()
            }
            Self::Instance(err) => err.remedy(),
            Self::PortInUse { .. } => {
                "set ORCHESTRATOR_DAEMON_PORT or --port (0 picks a free port)".to_owned()
            }
            Self::Listen { .. } => "check the host and port settings".to_owned(),
            Self::RelayListen { .. } => {
                "choose a free ip:port of this machine for ray.relayListen (port 0 picks one)"
                    .to_owned()
            }
            Self::RelayAddressNeeded { .. } => {
                "set ray.relayAddress to the host:port the Ray nodes reach this daemon at"
                    .to_owned()
            }
            Self::Store(err) => err.remedy(),
        }
    }
}
