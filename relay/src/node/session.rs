//! The session on the node once the daemon said what to run: [`run`] opens the hook socket,
//! starts the guard and the agent, then loops over the agent's exit, the daemon's frames,
//! hook connections, stop signals, the heartbeat and SIGCHLD (orphans to reap), until the
//! agent has exited; `end` then finishes it the one way.
//!
//! How the relay ends the agent when it decides to (`end::Ending`): SIGTERM to its group, then
//! SIGKILL after the grace — the daemon's `Stop { grace_ms }`, or [`END_GRACE`] when the
//! connection was lost or the relay was told to stop. Meanwhile the loop keeps serving hooks
//! and frames, so an agent shutting down cleanly is not starved.

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::ChildStdin;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::{Instant, interval_at, sleep_until};

use super::agent::{self, Started};
use super::end::{self, Ending, Finish, KILL_WAIT};
use super::error::{LinkLoss, RelayError};
use super::group::reap_orphans;
use super::hooks::{HookSocket, Hooks};
use super::link::{Incoming, Link};
use super::process::{Node, StopSignals, note};
use super::{RelayEnd, RelayOptions, output};
use crate::wire::{AgentSpec, DaemonFrame, HEARTBEAT, RelayFrame, StartFailure, StartFailureKind};

/// The grace the relay gives the agent when it ends it on its own account (well inside
/// Ray's stop wait, after which Ray SIGKILLs the relay).
const END_GRACE: Duration = Duration::from_secs(2);
/// How long hook connections wait after `accept` failed (no descriptors left, say), so a
/// persistent failure does not spin the loop.
const ACCEPT_PAUSE: Duration = Duration::from_millis(200);

/// Runs the agent `spec` describes until it ends (see the module doc).
pub(super) async fn run(
    options: &RelayOptions,
    node: &Node,
    mut link: Link,
    spec: AgentSpec,
    mut signals: StopSignals,
) -> Result<RelayEnd, RelayError> {
    let host = node.host.as_str();
    let socket = match HookSocket::create() {
        Ok(socket) => socket,
        Err(source) => {
            let failure = StartFailure {
                kind: StartFailureKind::Spawn,
                message: format!("cannot open the hook socket on {host}: {source}"),
            };
            let start_failed = RelayFrame::StartFailed(failure);
            link.close(Some(start_failed), end::CLOSE_WAIT).await;
            return Err(RelayError::HookSocket {
                host: host.to_owned(),
                source,
            });
        }
    };
    // Forked here, on the caller's thread (see `guard`).
    let started = agent::start(&spec, node, &options.session_id, socket.path());
    let Started {
        mut agent,
        guard,
        group,
        stdin,
        stdout,
        stderr,
    } = match started {
        Ok(started) => started,
        Err(failure) => {
            note(&failure.message);
            let start_failed = RelayFrame::StartFailed(failure.clone());
            link.close(Some(start_failed), end::CLOSE_WAIT).await;
            return Ok(RelayEnd::StartFailed(failure));
        }
    };
    let pid = u32::try_from(group.agent.as_raw()).unwrap_or(0);
    note(&format!("started the agent {} as pid {pid}", spec.program));
    let _ = link.out.frame(&RelayFrame::Started { pid }).await;
    let stdout = output::pump(stdout, false, spec.max_line_bytes, link.out.clone());
    let stderr = output::pump(stderr, true, spec.max_line_bytes, link.out.clone());
    let mut stdin = stdin.map(feed_stdin);
    let hooks = Hooks::new(link.out.clone(), host);
    let mut children = signal(SignalKind::child()).ok();
    let mut heartbeat = interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
    let mut ending = Ending::default();
    let mut accept_paused_until: Option<Instant> = None;
    let ours = [group.agent, group.group];

    let status = loop {
        let kill_at = ending.kill_at;
        let give_up_at = ending.killed_at.map(|at| at + KILL_WAIT);
        let accepting = accept_paused_until.is_none_or(|until| Instant::now() >= until);
        tokio::select! {
            status = agent.wait() => break status.map_err(|err| {
                format!("the relay on {host} cannot wait for the agent: {err}")
            }),
            () = sleep_until(kill_at.unwrap_or_else(Instant::now)), if kill_at.is_some() => {
                note("the agent outlived its grace: SIGKILL to its process group");
                group.kill();
                ending.kill_at = None;
                ending.killed_at = Some(Instant::now());
            }
            () = sleep_until(give_up_at.unwrap_or_else(Instant::now)), if give_up_at.is_some() => {
                break Err(format!(
                    "the agent on {host} did not end within {}s of SIGKILL",
                    KILL_WAIT.as_secs()
                ));
            }
            incoming = link.incoming.recv(), if ending.lost.is_none() => match incoming {
                Some(Incoming::Frame(frame)) => match frame {
                    DaemonFrame::Stdin(bytes) => {
                        if let Some(stdin) = &stdin {
                            let _ = stdin.send(bytes);
                        }
                    }
                    // Dropping the sender closes the pipe once what was queued is written.
                    DaemonFrame::CloseStdin => stdin = None,
                    DaemonFrame::Signal(sent) => group.signal(sent),
                    DaemonFrame::HookAnswer { id, reply } => hooks.answer(id, reply),
                    DaemonFrame::Stop { grace_ms } => {
                        ending.end(group, Duration::from_millis(grace_ms));
                    }
                    DaemonFrame::Ping => {}
                    DaemonFrame::Welcome(_) | DaemonFrame::Refused { .. } => {
                        tracing::warn!("the daemon repeated its handshake answer; ignored");
                    }
                },
                lost => {
                    let loss = match lost {
                        Some(Incoming::Lost(loss)) => loss,
                        _ => LinkLoss::Closed,
                    };
                    note(&format!(
                        "lost the connection to the daemon at {} ({loss}): ending the agent",
                        link.address
                    ));
                    hooks.fail_all();
                    ending.lost = Some(loss);
                    ending.end(group, END_GRACE);
                }
            },
            told = signals.recv(), if ending.told.is_none() => {
                note(&format!("told to stop ({told}): ending the agent"));
                ending.told = Some(told);
                ending.end(group, END_GRACE);
            }
            _ = heartbeat.tick(), if ending.lost.is_none() => {
                link.out.try_frame(&RelayFrame::Ping);
            }
            Some(()) = next_child_signal(&mut children) => reap_orphans(&ours),
            accepted = socket.accept(), if accepting => match accepted {
                Ok(stream) => hooks.serve(stream),
                Err(err) => {
                    tracing::warn!(%err, "cannot accept a hook connection");
                    accept_paused_until = Some(Instant::now() + ACCEPT_PAUSE);
                }
            },
        }
    };
    drop(stdin);
    end::finish(Finish {
        options,
        host,
        link,
        status,
        ending,
        group,
        guard,
        output: [stdout, stderr],
        hooks,
        socket,
    })
    .await
}

/// Writes what the daemon sends for the agent's stdin, in order, in a task of its own (an
/// agent that does not read must not stall the session loop). Dropping the sender closes
/// the agent's stdin after the queued bytes.
fn feed_stdin(mut stdin: ChildStdin) -> mpsc::UnboundedSender<Vec<u8>> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        while let Some(bytes) = rx.recv().await {
            if stdin.write_all(&bytes).await.is_err() {
                // The agent closed its stdin (or exited); the rest has nowhere to go.
                return;
            }
        }
    });
    tx
}

async fn next_child_signal(children: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
    match children {
        Some(children) => children.recv().await,
        None => std::future::pending().await,
    }
}
