//! How a session on the node ends, whatever ended it ([`finish`], given a [`Finish`]): wait
//! briefly for the agent's output to reach its end, SIGKILL what is left of its process group
//! (the guard included), sweep the session's marker until no marked process is left, reap,
//! and only then report `Exited` — the daemon may start the session's next agent as soon as
//! it hears it, and nothing of this one may still run then.
//!
//! When the relay was told to stop (Ray's stop waits `RAY_JOB_STOP_WAIT_TIME_S`, 10 s, before
//! its SIGKILL), every wait here is shortened so that `Exited` still goes out in time.

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::sync::Arc;
use std::time::Duration;

use nix::sys::signal::Signal;
use tokio::process::Child;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout};

use super::error::{LinkLoss, RelayError};
use super::group::{AgentGroup, reap_orphans};
use super::hooks::{HookSocket, Hooks};
use super::link::{Incoming, Link};
use super::process::note;
use super::{RelayEnd, RelayOptions};
use crate::sweep::{SweepTarget, sweep};
use crate::wire::{Exit, RelayFrame};

/// After the agent exits: how long its pipes may take to reach their end before the rest of
/// its group (a grandchild holding them) is killed.
const DRAIN_WAIT: Duration = Duration::from_secs(1);
/// After the kill and the sweep: how long the rest of the output may take to reach the
/// daemon (a slow reader holds it back), normally / when told to stop.
const LATE_DRAIN_WAIT: Duration = Duration::from_secs(10);
const LATE_DRAIN_HURRIED: Duration = Duration::from_secs(2);
/// How long the last frame may take to be written, normally / when told to stop.
pub(super) const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// How long after SIGKILL the agent may take to be reaped before the relay stops waiting.
pub(super) const KILL_WAIT: Duration = Duration::from_secs(5);

/// Why and when the relay ends the agent.
#[derive(Debug, Default)]
pub(super) struct Ending {
    pub(super) told: Option<Signal>,
    pub(super) lost: Option<LinkLoss>,
    /// When the group gets SIGKILL.
    pub(super) kill_at: Option<Instant>,
    /// When it got it.
    pub(super) killed_at: Option<Instant>,
}

impl Ending {
    pub(super) fn end(&mut self, group: AgentGroup, grace: Duration) {
        group.terminate();
        let at = Instant::now() + grace;
        self.kill_at = Some(self.kill_at.map_or(at, |earlier| earlier.min(at)));
    }
}

const CLOSE_HURRIED: Duration = Duration::from_secs(2);
/// Sweeps until one finds nothing: killed processes take a moment to be gone.
const SWEEP_ROUNDS: usize = 50;
const SWEEP_PAUSE: Duration = Duration::from_millis(20);

/// Everything the end needs.
#[derive(Debug)]
pub(super) struct Finish<'a> {
    pub(super) options: &'a RelayOptions,
    pub(super) host: &'a str,
    pub(super) link: Link,
    /// The agent's exit status, or why there is none.
    pub(super) status: Result<ExitStatus, String>,
    pub(super) ending: Ending,
    pub(super) group: AgentGroup,
    pub(super) guard: Child,
    /// The stdout and stderr pumps.
    pub(super) output: [JoinHandle<()>; 2],
    pub(super) hooks: Arc<Hooks>,
    pub(super) socket: HookSocket,
}

/// Ends the session (see the module doc).
pub(super) async fn finish(end: Finish<'_>) -> Result<RelayEnd, RelayError> {
    let Finish {
        options,
        host,
        link,
        status,
        ending,
        group,
        mut guard,
        output,
        hooks,
        socket,
    } = end;
    let hurried = ending.told.is_some();
    let aborts = output.each_ref().map(JoinHandle::abort_handle);
    let [stdout, stderr] = output;
    let drained = async {
        let _ = stdout.await;
        let _ = stderr.await;
    };
    tokio::pin!(drained);
    // Once the connection is lost the output has nowhere to go.
    let drained_early = ending.lost.is_none() && timeout(DRAIN_WAIT, &mut drained).await.is_ok();
    group.kill();
    let session = options.session_id.clone();
    let group_id = group.group.as_raw();
    let swept = tokio::task::spawn_blocking(move || sweep_until_clear(&session, group_id))
        .await
        .unwrap_or(0);
    if swept > 0 {
        note(&format!("killed {swept} processes the agent left behind"));
    }
    let late_wait = if hurried {
        LATE_DRAIN_HURRIED
    } else {
        LATE_DRAIN_WAIT
    };
    if !drained_early && (ending.lost.is_some() || timeout(late_wait, &mut drained).await.is_err())
    {
        aborts.iter().for_each(tokio::task::AbortHandle::abort);
    }
    let _ = timeout(KILL_WAIT, guard.wait()).await;
    reap_orphans(&[group.agent, group.group]);
    hooks.fail_all();
    drop(socket);

    if let Some(loss) = ending.lost {
        return Err(RelayError::LostDaemon {
            host: host.to_owned(),
            address: link.address.clone(),
            loss,
        });
    }
    let (code, signal, reason) = match status {
        Ok(status) => (status.code(), status.signal(), None),
        Err(why) => (None, None, Some(why)),
    };
    let reason = reason.or_else(|| {
        ending.told.map(|told| {
            format!(
                "the relay on {host} was told to stop ({told}): the Ray job was stopped or its \
                 node's Ray supervisor died"
            )
        })
    });
    let exit = Exit {
        code,
        signal,
        reason,
    };
    note(&format!(
        "the agent ended (exit code {}, signal {})",
        code.map_or("none".into(), |c| c.to_string()),
        signal.map_or("none".into(), |s| s.to_string())
    ));
    let address = link.address.clone();
    let close_wait = if hurried { CLOSE_HURRIED } else { CLOSE_WAIT };
    let reported = report(link, &exit, close_wait).await;
    match (ending.told, reported) {
        (Some(signal), reported) => Ok(RelayEnd::Stopped {
            signal,
            exit,
            reported: reported.is_ok(),
        }),
        (None, Ok(())) => Ok(RelayEnd::Exited(exit)),
        (None, Err(loss)) => Err(RelayError::LostDaemon {
            host: host.to_owned(),
            address,
            loss,
        }),
    }
}

/// Sweeps the session until a pass finds nothing (a SIGKILLed process is found again while
/// it is still exiting); how many processes the first pass killed.
fn sweep_until_clear(session_id: &str, group: i32) -> usize {
    let target = [SweepTarget {
        session_id,
        group: Some(group),
    }];
    let killed = sweep(&target);
    let mut found = killed;
    for _ in 1..SWEEP_ROUNDS {
        if found == 0 {
            break;
        }
        std::thread::sleep(SWEEP_PAUSE);
        found = sweep(&target);
    }
    killed
}

/// Sends `Exited` and closes; why it did not get through, if it did not.
async fn report(mut link: Link, exit: &Exit, wait: Duration) -> Result<(), LinkLoss> {
    let frame = RelayFrame::Exited(exit.clone());
    let mut incoming = std::mem::replace(&mut link.incoming, mpsc::channel(1).1);
    if link.close(Some(frame), wait).await {
        return Ok(());
    }
    // The writer reports its failure on the incoming channel, after any frames.
    while let Ok(event) = incoming.try_recv() {
        if let Incoming::Lost(loss) = event {
            return Err(loss);
        }
    }
    Err(LinkLoss::Closed)
}
