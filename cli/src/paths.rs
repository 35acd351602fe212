//! Where the daemon is: [`resolve_paths`] (the daemon's paths, with `--socket` made absolute
//! and checked against the socket path limit) and [`absolute`]. Shared by every command and
//! by shell completion.

use std::path::{Path, PathBuf};

use orchestrator_api::paths::{DaemonPaths, MAX_SOCKET_PATH_BYTES};

use crate::error::CliError;

/// The daemon's paths, with a `--socket` made absolute: the daemon changes directory when it
/// daemonizes, so a relative path would name another file on its side.
pub fn resolve_paths(socket: Option<&Path>) -> Result<DaemonPaths, CliError> {
    let socket = socket
        .filter(|path| !path.as_os_str().is_empty())
        .map(absolute)
        .transpose()?;
    let paths = DaemonPaths::from_env(socket.as_deref()).map_err(CliError::Paths)?;
    if paths.socket.as_os_str().len() > MAX_SOCKET_PATH_BYTES {
        return Err(CliError::SocketPathTooLong {
            path: paths.socket,
            max: MAX_SOCKET_PATH_BYTES,
        });
    }
    Ok(paths)
}

/// `path` made absolute against the current directory.
pub fn absolute(path: &Path) -> Result<PathBuf, CliError> {
    std::path::absolute(path).map_err(|source| CliError::Absolute {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_socket_becomes_absolute_and_too_long_is_refused() {
        let paths = resolve_paths(Some(Path::new("rel/orchestrator.sock"))).unwrap();
        assert!(paths.socket.is_absolute());
        assert!(paths.socket.ends_with("rel/orchestrator.sock"));
        let long = PathBuf::from(format!("/tmp/{}.sock", "x".repeat(200)));
        assert!(matches!(
            resolve_paths(Some(&long)),
            Err(CliError::SocketPathTooLong { .. })
        ));
    }
}
