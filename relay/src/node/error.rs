//! How the relay fails: [`RelayError`] (each with a remedy, [`RelayError::remedy`]) and
//! [`LinkLoss`] (why the connection to the daemon counts as lost).

use std::io;
use std::time::Duration;

use nix::sys::signal::Signal;

use crate::wire::WireError;

/// Every way [`super::run_relay`] fails. Messages describe this layer; causes are in
/// `#[source]`.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The parent (Ray's job supervisor, or the shell it started) died before the relay
    /// could arrange to die with it.
    #[error(
        "the relay's parent process (pid {parent}) is already gone: Ray's job supervisor died \
         before the relay started, so nobody would supervise the agent"
    )]
    ParentGone { parent: i32 },
    /// A process attribute could not be set (prctl, signal handlers).
    #[error("cannot set up the relay process: {what}")]
    Setup {
        what: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("cannot connect to the daemon at {address}")]
    Connect {
        address: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot connect to the daemon at {address}: no answer within {}s", waited.as_secs())]
    ConnectTimeout { address: String, waited: Duration },
    #[error("the handshake with the daemon at {address} failed")]
    Handshake {
        address: String,
        #[source]
        source: WireError,
    },
    #[error(
        "the daemon at {address} did not say what to run within {}s of the relay's hello",
        waited.as_secs()
    )]
    HandshakeTimeout { address: String, waited: Duration },
    #[error("the daemon at {address} closed the connection before it said what to run")]
    HandshakeClosed { address: String },
    #[error("the daemon at {address} answered the relay's hello with an unexpected {frame} frame")]
    Unexpected {
        address: String,
        frame: &'static str,
    },
    /// The daemon would not have this relay (wrong secret, unknown or ended session …).
    #[error("the daemon at {address} refused this relay: {message}")]
    Refused { address: String, message: String },
    /// The Unix socket for the agent's hooks could not be made.
    #[error("cannot open the hook socket for the agent on {host}")]
    HookSocket {
        host: String,
        #[source]
        source: io::Error,
    },
    /// The connection broke, closed or fell silent while the agent ran; the agent was ended.
    #[error(
        "the relay on {host} lost the connection to the daemon at {address}; it ended the agent"
    )]
    LostDaemon {
        host: String,
        address: String,
        #[source]
        loss: LinkLoss,
    },
    #[error("the relay was told to stop ({signal}) before its agent started")]
    StoppedEarly { signal: Signal },
}

impl RelayError {
    /// What to do about it, for the `hint:` line.
    pub fn remedy(&self) -> Option<&'static str> {
        Some(match self {
            Self::ParentGone { .. } => {
                "nothing to do here: the daemon notices the job failed; check the node's Ray \
                 processes (raylet) if this repeats"
            }
            Self::Connect { .. } | Self::ConnectTimeout { .. } => {
                "check ray.relayAddress / that the daemon's relay listener is reachable from this \
                 node (host, port, firewall)"
            }
            Self::Handshake { .. }
            | Self::HandshakeTimeout { .. }
            | Self::HandshakeClosed { .. }
            | Self::Unexpected { .. } => {
                "check that ray.relayAddress names a wundr daemon's relay listener, of the same \
                 version as this wundr"
            }
            Self::Refused { .. } => {
                "the session may have ended or been restarted; the daemon submits a new job when \
                 it needs one"
            }
            Self::HookSocket { .. } => "check that $TMPDIR (or /tmp) on this node is writable",
            Self::LostDaemon { .. } => {
                "the daemon stopped, or the network between it and this node failed; the daemon \
                 ends the session when it loses its relay (there is no reconnect)"
            }
            Self::Setup { .. } | Self::StoppedEarly { .. } => return None,
        })
    }
}

/// Why the connection to the daemon counts as lost.
#[derive(Debug, thiserror::Error)]
pub enum LinkLoss {
    #[error("the daemon closed the connection")]
    Closed,
    #[error("nothing came from the daemon for {}s", .0.as_secs())]
    Silent(Duration),
    #[error("reading from the daemon failed")]
    Read(#[source] WireError),
    #[error("writing to the daemon failed")]
    Write(#[source] io::Error),
}
