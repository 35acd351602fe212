//! The configuration exactly as the `orchestrator-daemon` binary resolves it, for the binary
//! and for tools that must predict it (`wundr orchestrator config validate`, `restart`):
//! [`config_file`] picks the file, [`resolve`] layers it under the environment and the flags.

use std::path::{Path, PathBuf};

use orchestrator_api::paths::DaemonPaths;

use crate::{ConfigError, ConfigLayer, DaemonConfig};

/// The config file the daemon reads: `explicit` (which must exist), else the default path
/// (`$XDG_CONFIG_HOME/wundr/orchestrator.yaml`) when a file is there, else none.
pub fn config_file(explicit: Option<&Path>, socket: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => DaemonPaths::from_env(socket)
            .ok()
            .map(|paths| paths.config_file)
            .filter(|path| path.exists()),
    }
}

/// Defaults < `file` < the environment (read through `var`) < `flags`, validated.
pub fn resolve(
    file: Option<&Path>,
    var: impl Fn(&str) -> Option<String>,
    flags: ConfigLayer,
) -> Result<DaemonConfig, ConfigError> {
    let mut layers = Vec::new();
    if let Some(path) = file {
        layers.push(ConfigLayer::from_file(path)?);
    }
    layers.push(ConfigLayer::from_env(var)?);
    layers.push(flags);
    DaemonConfig::resolve(&layers)
}
