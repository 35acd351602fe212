//! [`ConfigError`]: why a configuration was refused, with the setting, where its value came
//! from and a remedy.

use std::path::PathBuf;

use crate::AuthConfigError;

/// Why the configuration was refused. Each message names the setting and where its value
/// came from; [`ConfigError::remedy`] says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config file {}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why reading failed.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid YAML or has a wrong field.
    #[error("invalid config file {}{}: {message}", path.display(), location(*line, *column))]
    Yaml {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// 1-based column of the problem, when known.
        column: Option<usize>,
        /// What is wrong, naming the field.
        message: String,
    },
    /// A setting has a value outside what it accepts.
    #[error("{field} = {value:?} (from {origin}) is invalid: {reason}")]
    Invalid {
        /// The setting's name as the config file spells it.
        field: &'static str,
        /// The offending value as given.
        value: String,
        /// Where it came from: a file, an environment variable, a flag.
        origin: String,
        /// The rule it breaks.
        reason: String,
    },
    /// The public port would be reachable from other machines without authentication.
    #[error(
        "host {host:?} (from {origin}) is not a loopback address; the WebSocket API has no \
         authentication configured, so the daemon only binds loopback"
    )]
    NonLoopbackHost {
        /// The refused host.
        host: String,
        /// Where it came from.
        origin: String,
    },
    /// A `DAEMON_AUTH_*` variable is invalid. The daemon never falls back to running
    /// without the authentication that was asked for.
    #[error("invalid WebSocket authentication setting (from the environment)")]
    Auth {
        /// Which variable and why.
        #[source]
        source: AuthConfigError,
    },
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(" at line {line}, column {column}"),
        (Some(line), None) => format!(" at line {line}"),
        _ => String::new(),
    }
}

impl ConfigError {
    /// What the user can do about it.
    pub fn remedy(&self) -> &'static str {
        match self {
            Self::ReadFile { .. } => "check the path given to --config (or remove the flag)",
            Self::Yaml { .. } => {
                "fix the file; the keys are name, port, host, maxSessions, heartbeatInterval, \
                 shutdownTimeout, verbose, socket, logMaxBytes, logKeepFiles, \
                 transcriptMaxBytes, maxRestarts, idleTimeout, resultGrace, stallTimeout, \
                 stallAction, stallNudge, agents, websocket, \
                 charter, charterMaxBytes, hookCommand, memory, notify"
            }
            Self::Invalid { .. } => "correct the value where it came from",
            Self::NonLoopbackHost { .. } => {
                "use 127.0.0.1, ::1 or localhost (reach the daemon remotely through an SSH \
                 tunnel), or configure authentication with DAEMON_AUTH_JWT_SECRET"
            }
            Self::Auth { .. } => "fix or unset the DAEMON_AUTH_* variable named above",
        }
    }
}
