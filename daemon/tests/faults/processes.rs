//! No process outlives its session: tool processes an agent leaves behind — in its process
//! group, or double-forked into a session of their own (`setsid`) — are gone when the session
//! ends, when it is stopped, and after the daemon was killed with SIGKILL and started again.
//! The fixture agent's `descendants` script starts one of each.

use std::path::Path;
use std::time::Duration;

use crate::common::daemon_binary::{self, RunningDaemon};
use crate::common::sessions::{self as library, fixture_agent};
use crate::common::{TestHome, alive, wait_until};
use nix::sys::signal::Signal;
use orchestrator_api::v1;
use orchestrator_daemon::model::SessionStatus;

/// Killed orphans stay zombies of PID 1 until it reaps them (this sandbox's never does);
/// [`alive`] counts a zombie as ended.
const DEADLINE: Duration = Duration::from_secs(20);

/// The pids the fixture agent reported: `(in its group, in a session of its own)`.
fn descendants(transcript: &Path) -> Option<(u32, u32)> {
    let text = std::fs::read_to_string(transcript).ok()?;
    text.lines().find_map(|line| {
        let event: serde_json::Value = serde_json::from_str(line).ok()?;
        let chunk = event.pointer("/message/content/0/text")?.as_str()?;
        let mut pids = chunk.strip_prefix("descendants ")?.split(' ');
        Some((pids.next()?.parse().ok()?, pids.next()?.parse().ok()?))
    })
}

fn wait_for_descendants(transcript: &Path) -> (u32, u32) {
    wait_until(DEADLINE, || descendants(transcript))
        .expect("the agent reported the processes it started")
}

/// Like [`wait_for_descendants`], for an agent that hangs after starting them.
fn wait_for_running_descendants(transcript: &Path) -> (u32, u32) {
    let pids = wait_for_descendants(transcript);
    assert!(
        alive(pids.0) && alive(pids.1),
        "both sleepers run: {pids:?}"
    );
    pids
}

fn assert_gone(pids: (u32, u32), when: &str) {
    let gone = wait_until(DEADLINE, || {
        (!alive(pids.0) && !alive(pids.1)).then_some(())
    });
    assert!(
        gone.is_some(),
        "{when}: still running — in the agent's group: {}, setsid'd: {}",
        alive(pids.0),
        alive(pids.1)
    );
}

fn start_binary(home: &TestHome) -> RunningDaemon {
    daemon_binary::start(home, &[("CLAUDE_BIN", fixture_agent())])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_processes_are_gone_after_kill_9_of_the_daemon_and_a_restart() {
    let home = TestHome::new();
    let daemon = start_binary(&home);
    let spawned = daemon_binary::spawn(&home, "descendants hang").await;
    let pids = wait_for_running_descendants(&daemon_binary::transcript(&home, &spawned.id));

    daemon.signal(Signal::SIGKILL);
    let dead = wait_until(DEADLINE, || (!alive(daemon.pid)).then_some(()));
    assert!(dead.is_some(), "the daemon died");
    // Its agent dies with it (parent-death signal); the agent's tools do not.
    let _restarted = start_binary(&home);
    let interrupted = daemon_binary::session(&home, &spawned.id).await;
    assert_eq!(interrupted.status(), v1::SessionStatus::Failed);
    assert_eq!(interrupted.error, "interrupted: daemon restarted");
    assert_gone(pids, "after the restart");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_ends_or_is_stopped_leaves_no_descendant_and_spares_others() {
    let home = TestHome::new();
    let daemon = library::start(&home, library::agent_config(fixture_agent())).await;
    let supervisor = daemon.supervisor().unwrap().clone();
    let running = daemon
        .spawn(library::request("descendants hang"))
        .await
        .unwrap();
    let ending = daemon.spawn(library::request("descendants")).await.unwrap();
    let running_pids = wait_for_running_descendants(&supervisor.transcript_path(&running.id));
    let ending_pids = wait_for_descendants(&supervisor.transcript_path(&ending.id));

    let ended = library::wait_ended(&daemon, &ending.id).await;
    assert_eq!(ended.status, SessionStatus::Completed, "{ended:#?}");
    assert_gone(ending_pids, "after the session completed");
    assert!(
        alive(running_pids.0) && alive(running_pids.1),
        "another session's processes are left alone"
    );

    supervisor.stop(&running.id, "test").await.unwrap();
    assert_gone(running_pids, "after the session was stopped");
    daemon.stop().await;
}

/// A `sleep 1000` child of the test, killed and reaped on drop so a failing test leaves
/// nothing behind.
struct Sleeper(std::process::Child);

impl Sleeper {
    /// In process group `group` (0: its own), with `marker` as its only environment;
    /// returned once it runs `sleep`.
    fn start(group: u32, marker: Option<&str>) -> Sleeper {
        use std::os::unix::process::CommandExt;
        let mut command = std::process::Command::new("/bin/sleep");
        command.arg("1000").env_clear().process_group(group as i32);
        if let Some(id) = marker {
            command.env("WUNDR_SESSION_ID", id);
        }
        let sleeper = Sleeper(command.spawn().unwrap());
        let pid = sleeper.pid();
        wait_until(DEADLINE, || {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
            (comm.trim() == "sleep").then_some(())
        })
        .expect("the sleeper runs");
        sleeper
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }

    /// Whether it ends by SIGKILL within the deadline (it is reaped then).
    fn killed(&mut self) -> bool {
        use std::os::unix::process::ExitStatusExt;
        let status = wait_until(DEADLINE, || self.0.try_wait().unwrap());
        status.is_some_and(|status| status.signal() == Some(9))
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn reclaim_kills_the_recorded_groups_unmarked_members_only_while_a_marked_one_lives() {
    use orchestrator_daemon::supervisor::{InterruptedSession, LocalRunner, SessionRunner};
    let id = format!("session_reclaim_{}", std::process::id());
    let mut leader = Sleeper::start(0, Some(&id));
    let member = Sleeper::start(leader.pid(), None);
    let stranger = Sleeper::start(0, None);

    // The recorded group holds no marked process: it may be someone else's by now.
    let stale = InterruptedSession {
        session_id: id.clone(),
        pid: Some(stranger.pid()),
        remote: None,
    };
    LocalRunner.reclaim(&[stale]).await;
    assert!(leader.killed(), "the marked process is killed");
    assert!(alive(stranger.pid()) && alive(member.pid()));

    let mut leader = Sleeper::start(0, Some(&id));
    let mut member_2 = Sleeper::start(leader.pid(), None);
    let current = InterruptedSession {
        session_id: id,
        pid: Some(leader.pid()),
        remote: None,
    };
    LocalRunner.reclaim(&[current]).await;
    assert!(leader.killed(), "the marked leader is killed");
    assert!(
        member_2.killed(),
        "so is the unmarked member of its recorded group"
    );
    assert!(alive(stranger.pid()) && alive(member.pid()));
}
