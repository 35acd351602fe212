//! [`ServiceError`]: how `wundr orchestrator service ...` fails — no service manager here, a
//! file that cannot be written or removed, or `systemctl`/`launchctl` missing or refusing —
//! each with a remedy; wrapped as `CliError::Service`.

use std::path::PathBuf;

/// Every way a service command fails.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Neither Linux (systemd) nor macOS (launchd).
    #[error("no supported service manager on {os}")]
    Unsupported {
        /// `std::env::consts::OS`.
        os: &'static str,
    },
    /// `$HOME` is not set, so there is no per-user place for the service file.
    #[error("HOME is not set")]
    NoHome,
    /// The service file could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The service file could not be removed.
    #[error("cannot remove {}", path.display())]
    Remove {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `systemctl`/`launchctl` could not be run at all.
    #[error("cannot run `{command}`")]
    Spawn {
        /// The command line.
        command: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `systemctl`/`launchctl` ran and failed.
    #[error("`{command}` failed: {detail}")]
    Failed {
        /// The command line.
        command: String,
        /// What it printed.
        detail: String,
    },
    /// Standard output is gone.
    #[error("cannot write to standard output")]
    Stdout,
}

impl ServiceError {
    /// The stable reason (README, "Error codes").
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Unsupported { .. } => "SERVICE_MANAGER_UNSUPPORTED",
            Self::NoHome => "SERVICE_NO_HOME",
            Self::Write { .. } => "SERVICE_FILE_WRITE_FAILED",
            Self::Remove { .. } => "SERVICE_FILE_REMOVE_FAILED",
            Self::Spawn { .. } => "SERVICE_MANAGER_NOT_RUNNABLE",
            Self::Failed { .. } => "SERVICE_MANAGER_FAILED",
            Self::Stdout => "STDOUT_FAILED",
        }
    }

    /// The `hint:` line.
    pub fn remedy(&self) -> Option<String> {
        Some(match self {
            Self::Unsupported { .. } => {
                "run the daemon with `wundr orchestrator start`, or under your own supervisor \
                 with `orchestrator-daemon` (it stays in the foreground)"
                    .into()
            }
            Self::NoHome => "set HOME".into(),
            Self::Write { .. } | Self::Remove { .. } => {
                "check the permissions of the directory named above".into()
            }
            Self::Spawn { .. } | Self::Failed { .. } => {
                "is a user service manager running for you (`systemctl --user status`; on \
                 macOS, a GUI login session)? The service file stays in place: rerun this \
                 command once it is"
                    .into()
            }
            Self::Stdout => return None,
        })
    }
}
