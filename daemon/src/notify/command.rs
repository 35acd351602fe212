//! The command channel: [`run`] starts the configured program (argv, no shell) with the event
//! in its environment — `WUNDR_EVENT`, `WUNDR_SESSION_ID`, `WUNDR_APPROVAL_ID` (empty unless
//! `approval_required`), `WUNDR_EVENT_JSON` (the webhook body), `WUNDR_EVENT_TEXT` (the
//! sentence) — stdin and stdout on `/dev/null`, stderr kept (bounded) for the log.
//!
//! The program leads its own process group and dies with the daemon (`PR_SET_PDEATHSIG`).
//! When it exits, what is left of its group is killed; when it overruns the timeout, or the
//! notifier stops while it runs (`crate::child::GroupGuard`), the whole group is killed. Only this child is
//! waited for (tokio's per-pid wait), so nothing is left behind.

use std::io;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::{Child, ChildStderr, Command};

use super::DeliveryError;
use super::message::Notification;
use crate::child::GroupGuard;

/// How much of the program's stderr is kept for the log.
const STDERR_BYTES: usize = 1024;
/// How long the rest of stderr may take once the group is gone (a `setsid` escapee may hold
/// the pipe).
const STDERR_DRAIN: Duration = Duration::from_millis(500);

/// Runs `argv` for `notification`; succeeds when it exits 0 within `timeout`.
pub async fn run(
    argv: &[String],
    notification: &Notification,
    timeout: Duration,
) -> Result<(), DeliveryError> {
    let program = argv.first().cloned().unwrap_or_default();
    let mut child = spawn(argv, notification).map_err(|source| DeliveryError::Spawn {
        program: program.clone(),
        source,
    })?;
    let mut guard = GroupGuard::of(&child);
    let mut stderr = child.stderr.take();
    let mut kept = Vec::new();
    let deadline = tokio::time::Instant::now() + timeout;
    let status = loop {
        let mut chunk = [0u8; 512];
        let step = tokio::select! {
            status = child.wait() => Step::Exited(status),
            read = read_some(&mut stderr, &mut chunk) => Step::Read(read),
            () = tokio::time::sleep_until(deadline) => Step::Overran,
        };
        match step {
            Step::Exited(status) => break Some(status),
            Step::Read(read) => keep(&mut stderr, &mut kept, &chunk, read),
            Step::Overran => break None,
        }
    };
    // Leftovers of the group (or the whole group, on a timeout) die now. The group id is
    // still ours: members keep it alive, and without members this is a harmless ESRCH.
    guard.kill();
    let status = match status {
        Some(status) => status,
        None => {
            // Killed above; reap it so no zombie is left.
            let _ = child.wait().await;
            return Err(DeliveryError::CommandTimeout { program, timeout });
        }
    };
    let _ = tokio::time::timeout(STDERR_DRAIN, async {
        while stderr.is_some() {
            let mut chunk = [0u8; 512];
            let read = read_some(&mut stderr, &mut chunk).await;
            keep(&mut stderr, &mut kept, &chunk, read);
        }
    })
    .await;
    check(status, program, &kept)
}

/// What happened first while the program ran.
enum Step {
    Exited(io::Result<ExitStatus>),
    Read(io::Result<usize>),
    Overran,
}

fn check(
    status: io::Result<ExitStatus>,
    program: String,
    stderr: &[u8],
) -> Result<(), DeliveryError> {
    let status = status.map_err(|source| DeliveryError::Spawn {
        program: program.clone(),
        source,
    })?;
    if status.success() {
        return Ok(());
    }
    Err(DeliveryError::Exit {
        program,
        status: status.to_string(),
        stderr: String::from_utf8_lossy(stderr).trim().to_owned(),
    })
}

fn spawn(argv: &[String], n: &Notification) -> io::Result<Child> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no program"))?;
    let mut command = Command::new(program);
    command
        .args(args)
        .env("WUNDR_EVENT", n.event.as_str())
        .env("WUNDR_SESSION_ID", &n.session_id)
        .env(
            "WUNDR_APPROVAL_ID",
            n.approval_id.as_deref().unwrap_or_default(),
        )
        .env("WUNDR_EVENT_JSON", &n.json)
        .env("WUNDR_EVENT_TEXT", &n.text)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        // The guard kills the group; this makes tokio reap the leader if the task is dropped.
        .kill_on_drop(true);
    crate::child::die_with_daemon(&mut command);
    command.spawn()
}

/// Reads some of the program's stderr; pending forever once it is closed, so a `select!` arm
/// on it stays quiet.
async fn read_some(stderr: &mut Option<ChildStderr>, chunk: &mut [u8]) -> io::Result<usize> {
    match stderr {
        Some(pipe) => pipe.read(chunk).await,
        None => std::future::pending().await,
    }
}

/// Keeps the start of stderr; closes the pipe at EOF or on an error.
fn keep(
    stderr: &mut Option<ChildStderr>,
    kept: &mut Vec<u8>,
    chunk: &[u8],
    read: io::Result<usize>,
) {
    match read {
        Ok(0) | Err(_) => *stderr = None,
        Ok(n) => {
            let room = STDERR_BYTES.saturating_sub(kept.len());
            kept.extend_from_slice(&chunk[..n.min(room)]);
        }
    }
}
