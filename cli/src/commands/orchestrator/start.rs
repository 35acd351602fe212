//! `wundr orchestrator start [-p PORT] [--host H] [-c FILE] [--foreground]`: [`StartArgs`].
//! Finds the `orchestrator-daemon` binary ([`find_daemon_binary`]) and either replaces this
//! process with it (`--foreground`) or runs its `--daemonize` launcher, which exits 0 only
//! once the daemon answers on the socket and non-zero with a one-line reason otherwise
//! ([`launch`]).

use std::ffi::{OsStr, OsString};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use clap::Args;
use orchestrator_api::paths::DaemonPaths;
use orchestrator_api::v1::GetStatusResponse;
use tokio::io::AsyncReadExt;
use tokio::time::Instant;

use crate::commands::orchestrator::endpoint_summary;
use crate::daemon_client;
use crate::error::{CliError, Outcome};
use crate::output;
use crate::paths::absolute;
use crate::process;
use crate::spinner::Spinner;
use orchestrator_api::logtail;

/// The daemon executable's file name.
pub const DAEMON_BIN: &str = "orchestrator-daemon";
/// How long the launcher may take to report readiness; the daemon bounds its own start well
/// within this, so reaching it means the launcher itself hangs.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the socket may take to answer once the launcher reported readiness.
const READY_DEADLINE: Duration = Duration::from_secs(5);
const READY_POLL: Duration = Duration::from_millis(100);
/// How many log lines stand in for a reason when the launcher printed none.
const LOG_LINES_AS_REASON: usize = 10;

/// Arguments of `wundr orchestrator start` (and `restart`).
#[derive(Debug, Clone, Args)]
pub struct StartArgs {
    /// Port of the WebSocket and health endpoints [daemon default: 8787]
    #[arg(short, long)]
    pub port: Option<u16>,
    /// Address the WebSocket endpoint binds to [daemon default: 127.0.0.1]
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    /// Configuration file [default: $XDG_CONFIG_HOME/wundr/orchestrator.yaml]
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Run the daemon in this terminal instead of in the background
    #[arg(long)]
    pub foreground: bool,
}

/// Starts the daemon unless one already answers on the socket.
pub async fn run(args: &StartArgs, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    if let Some((_client, status)) = daemon_client::probe_status(&paths.socket).await? {
        return already_running(&status, paths);
    }
    // A second daemon would only fail on the lock; say what is really going on instead.
    if let Some(pid) = process::locked_pid(&paths.pid_file)? {
        return Err(CliError::Unresponsive {
            pid,
            pid_file: paths.pid_file.clone(),
            socket: paths.socket.clone(),
        });
    }
    let current_exe = std::env::current_exe().ok();
    let path_var = std::env::var_os("PATH");
    let binary = find_daemon_binary(current_exe.as_deref(), path_var.as_deref())?;
    let daemon_args = daemon_args(args, paths)?;
    if args.foreground {
        // Only returns on failure; on success the daemon replaces this process.
        let source = std::process::Command::new(&binary)
            .args(&daemon_args)
            .exec();
        return Err(CliError::Launch { binary, source });
    }
    let status = match launch(&binary, &daemon_args, paths).await {
        Ok(status) => status,
        Err(err) => {
            // Another `start` may have won the race for the socket: then a daemon is running,
            // which is what this command promises.
            match process::locked_pid(&paths.pid_file)? {
                Some(_) => {
                    let status = wait_until_answering(paths).await.map_err(|_| err)?;
                    return already_running(&status, paths);
                }
                None => return Err(err),
            }
        }
    };
    output::stdout(&format!(
        "orchestrator daemon started (pid {})\n{}",
        status.pid,
        endpoint_summary(&status, paths)
    ))?;
    Ok(Outcome::Success)
}

fn already_running(status: &GetStatusResponse, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    daemon_client::warn_if_protocol_differs(status);
    output::stdout(&format!(
        "orchestrator daemon is already running (pid {})\n{}",
        status.pid,
        endpoint_summary(status, paths)
    ))?;
    Ok(Outcome::Success)
}

/// The daemon binary beside the running `wundr` (how cargo and the packages install them),
/// else the first executable one on `path_var`. Empty `PATH` entries (the current directory)
/// are skipped.
pub fn find_daemon_binary(
    current_exe: Option<&Path>,
    path_var: Option<&OsStr>,
) -> Result<PathBuf, CliError> {
    let beside = current_exe
        .and_then(Path::parent)
        .map(|dir| dir.join(DAEMON_BIN));
    if let Some(candidate) = &beside
        && is_executable(candidate)
    {
        return Ok(candidate.clone());
    }
    let on_path = path_var
        .into_iter()
        .flat_map(std::env::split_paths)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(DAEMON_BIN))
        .find(|candidate| is_executable(candidate));
    on_path.ok_or(CliError::DaemonBinaryNotFound { beside })
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// The daemon's flags. `--socket` is always passed so both sides agree on it; paths are made
/// absolute because the daemonized process changes directory.
fn daemon_args(args: &StartArgs, paths: &DaemonPaths) -> Result<Vec<OsString>, CliError> {
    let mut out: Vec<OsString> = vec!["--socket".into(), paths.socket.clone().into()];
    if let Some(port) = args.port {
        out.extend(["--port".into(), port.to_string().into()]);
    }
    if let Some(host) = &args.host {
        out.extend(["--host".into(), host.into()]);
    }
    if let Some(config) = &args.config {
        out.extend(["--config".into(), absolute(config)?.into()]);
    }
    Ok(out)
}

/// Runs `<binary> --daemonize <args>`, waits for it to report, then for the socket to answer.
async fn launch(
    binary: &Path,
    args: &[OsString],
    paths: &DaemonPaths,
) -> Result<GetStatusResponse, CliError> {
    // Only what this start writes to the log can explain its failure.
    let log_offset = std::fs::metadata(&paths.log_file).map_or(0, |meta| meta.len());
    let launch_error = |source| CliError::Launch {
        binary: binary.to_path_buf(),
        source,
    };
    let mut child = tokio::process::Command::new(binary)
        .arg("--daemonize")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(launch_error)?;
    // Collected by a task into shared memory rather than read to EOF: a daemon that keeps the
    // inherited pipe open would otherwise make us wait forever.
    let captured = Arc::new(Mutex::new(Vec::new()));
    let reader = child.stderr.take().map(|mut stderr| {
        let captured = Arc::clone(&captured);
        tokio::spawn(async move {
            let mut chunk = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut chunk).await {
                captured
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend_from_slice(&chunk[..n]);
            }
        })
    });

    let spinner = Spinner::start("Starting orchestrator daemon…");
    let exit = match tokio::time::timeout(LAUNCH_TIMEOUT, child.wait()).await {
        Ok(exit) => exit.map_err(launch_error)?,
        Err(_elapsed) => {
            // Our own child: don't leave it behind.
            let _ = child.start_kill();
            return Err(CliError::LaunchTimeout {
                timeout: LAUNCH_TIMEOUT,
                log_file: paths.log_file.clone(),
            });
        }
    };
    if let Some(reader) = reader {
        let _ = tokio::time::timeout(Duration::from_millis(300), reader).await;
    }
    let stderr_text =
        String::from_utf8_lossy(&captured.lock().unwrap_or_else(PoisonError::into_inner))
            .into_owned();

    if !exit.success() {
        drop(spinner);
        let (reason, hint) = failure_reason(&stderr_text, exit, &paths.log_file, log_offset);
        return Err(CliError::StartFailed {
            reason,
            hint,
            log_file: paths.log_file.clone(),
        });
    }
    let ready = wait_until_answering(paths).await;
    drop(spinner);
    // Warnings the daemon printed while starting successfully are still worth seeing.
    if !stderr_text.trim().is_empty() {
        output::stderr(&stderr_text);
    }
    ready
}

/// Polls `GetStatus` until it answers or [`READY_DEADLINE`] passes.
async fn wait_until_answering(paths: &DaemonPaths) -> Result<GetStatusResponse, CliError> {
    let deadline = Instant::now() + READY_DEADLINE;
    loop {
        let last_error = match daemon_client::probe_status(&paths.socket).await {
            Ok(Some((_client, status))) => return Ok(status),
            Ok(None) => None,
            Err(err) => Some(Box::new(err)),
        };
        if Instant::now() >= deadline {
            return Err(CliError::StartedButSilent {
                socket: paths.socket.clone(),
                log_file: paths.log_file.clone(),
                source: last_error,
            });
        }
        tokio::time::sleep(READY_POLL).await;
    }
}

/// Why the launcher failed: its own stderr (without a leading `error: `, which `main` adds),
/// else the end of what it wrote to the daemon log past `log_offset`, else how it exited. A `hint: ` line of the
/// launcher's becomes the hint; `None` leaves the generic one.
pub fn failure_reason(
    stderr: &str,
    exit: ExitStatus,
    log_file: &Path,
    log_offset: u64,
) -> (String, Option<String>) {
    let mut said = Vec::new();
    let mut hints = Vec::new();
    for line in stderr
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
    {
        match line.strip_prefix("hint: ") {
            Some(hint) => hints.push(hint),
            None => said.push(line.strip_prefix("error: ").unwrap_or(line)),
        }
    }
    let hint = (!hints.is_empty()).then(|| hints.join("; "));
    if !said.is_empty() {
        return (said.join("\n  "), hint);
    }
    let how = match (exit.code(), exit.signal()) {
        (Some(code), _) => format!("it exited with code {code}"),
        (None, Some(signal)) => format!("it was killed by signal {signal}"),
        (None, None) => "it exited".to_owned(),
    };
    let reason = match logtail::last_lines_after(log_file, log_offset, LOG_LINES_AS_REASON) {
        Ok(lines) if !lines.is_empty() => format!(
            "{how} without a reason; the end of {}:\n    {}",
            log_file.display(),
            lines.join("\n    ")
        ),
        _ => format!(
            "{how} without a reason, and wrote nothing to {}",
            log_file.display()
        ),
    };
    (reason, hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write_executable(path: &Path) {
        fs::write(path, "#!/bin/sh\n").unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn prefers_the_binary_beside_wundr() {
        let dir = tempfile::tempdir().unwrap();
        let (bin, other) = (dir.path().join("bin"), dir.path().join("other"));
        fs::create_dir_all(&bin).unwrap();
        fs::create_dir_all(&other).unwrap();
        write_executable(&bin.join(DAEMON_BIN));
        write_executable(&other.join(DAEMON_BIN));
        let exe = bin.join("wundr");
        let found = find_daemon_binary(Some(&exe), Some(other.as_os_str())).unwrap();
        assert_eq!(found, bin.join(DAEMON_BIN));
    }

    #[test]
    fn falls_back_to_path_and_skips_non_executables() {
        let dir = tempfile::tempdir().unwrap();
        let (plain, good) = (dir.path().join("plain"), dir.path().join("good"));
        fs::create_dir_all(&plain).unwrap();
        fs::create_dir_all(&good).unwrap();
        fs::write(plain.join(DAEMON_BIN), "not executable").unwrap();
        write_executable(&good.join(DAEMON_BIN));
        let path_var = std::env::join_paths([&plain, &good]).unwrap();
        let exe = dir.path().join("nowhere/wundr");
        let found = find_daemon_binary(Some(&exe), Some(&path_var)).unwrap();
        assert_eq!(found, good.join(DAEMON_BIN));
    }

    #[test]
    fn not_found_names_the_place_beside_wundr() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("wundr");
        let err = find_daemon_binary(Some(&exe), Some(OsStr::new(""))).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(&dir.path().join(DAEMON_BIN).display().to_string()));
        assert!(text.contains("nor on PATH"));
    }

    #[test]
    fn reason_is_the_launcher_stderr_without_its_error_prefix() {
        let exit = ExitStatus::from_raw(1 << 8);
        let (reason, hint) = failure_reason(
            "error: port 8787 is in use — set ORCHESTRATOR_DAEMON_PORT or --port\n",
            exit,
            Path::new("/nonexistent/daemon.log"),
            0,
        );
        assert_eq!(
            reason,
            "port 8787 is in use — set ORCHESTRATOR_DAEMON_PORT or --port"
        );
        assert_eq!(hint, None);
        let (reason, hint) = failure_reason(
            "error: port 8787 is in use\n  hint: set --port (0 picks a free port)\n",
            exit,
            Path::new("/nonexistent/daemon.log"),
            0,
        );
        assert_eq!(reason, "port 8787 is in use");
        assert_eq!(hint.as_deref(), Some("set --port (0 picks a free port)"));
    }

    #[test]
    fn silent_failure_falls_back_to_the_log_tail() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("daemon.log");
        let lines: Vec<String> = (1..=15).map(|i| format!("log line {i}")).collect();
        fs::write(&log, lines.join("\n") + "\n").unwrap();
        let (reason, _) = failure_reason("", ExitStatus::from_raw(2 << 8), &log, 0);
        assert!(reason.starts_with("it exited with code 2 without a reason"));
        assert!(reason.contains("log line 6\n"));
        assert!(!reason.contains("log line 5\n"));
        assert!(reason.ends_with("log line 15"));

        let missing = dir.path().join("missing.log");
        let (reason, _) = failure_reason(" \n", ExitStatus::from_raw(9), &missing, 0);
        assert!(reason.starts_with("it was killed by signal 9 without a reason"));
        // Lines from before this start explain nothing.
        let offset = fs::metadata(&log).unwrap().len();
        let (reason, _) = failure_reason("", ExitStatus::from_raw(1 << 8), &log, offset);
        assert!(reason.ends_with(&format!("and wrote nothing to {}", log.display())));
    }

    #[test]
    fn daemon_flags_always_name_the_socket_and_absolute_paths() {
        let paths = DaemonPaths::from_env(Some(Path::new("/tmp/w/o.sock"))).unwrap();
        let args = StartArgs {
            port: Some(9000),
            host: Some("0.0.0.0".into()),
            config: Some(PathBuf::from("conf.yaml")),
            foreground: false,
        };
        let flags = daemon_args(&args, &paths).unwrap();
        assert_eq!(
            flags[..6],
            [
                "--socket",
                "/tmp/w/o.sock",
                "--port",
                "9000",
                "--host",
                "0.0.0.0"
            ]
        );
        assert_eq!(flags[6], "--config");
        assert!(Path::new(&flags[7]).is_absolute());
    }
}
