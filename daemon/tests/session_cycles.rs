//! 1000 session spawn/stop cycles through the real supervisor leave no child process and no
//! zombie behind. It inspects every child of the test process, so it runs alone, in a process
//! of its own.

use crate::common;
use crate::process_support;

use std::time::Duration;

use common::TestHome;
use common::sessions::{agent_config, fixture_agent, request, start, wait_running};
use orchestrator_daemon::model::SessionStatus;

const CYCLES: usize = 1000;
const CONCURRENCY: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_spawn_stop_cycles_leave_no_processes() {
    if !process_support::alone("session_cycles::a_thousand_spawn_stop_cycles_leave_no_processes") {
        return;
    }
    assert_eq!(
        process_support::own_children(),
        [],
        "children before the test"
    );
    let home = TestHome::new();
    let daemon = std::sync::Arc::new(start(&home, agent_config(fixture_agent())).await);
    let mut workers = Vec::new();
    for worker in 0..CONCURRENCY {
        let daemon = daemon.clone();
        workers.push(tokio::spawn(async move {
            for cycle in (worker..CYCLES).step_by(CONCURRENCY) {
                let session = daemon.spawn(request("hang here")).await.unwrap();
                // Every other cycle stops the session before its agent has even started.
                if cycle % 2 == 0 {
                    wait_running(&daemon, &session.id).await;
                }
                let stopped = daemon
                    .supervisor()
                    .unwrap()
                    .stop(&session.id, "cycle")
                    .await
                    .unwrap();
                assert_eq!(stopped.status, SessionStatus::Terminated, "cycle {cycle}");
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    assert_eq!(common::sessions::all_sessions(&daemon).len(), CYCLES);
    assert_eq!(daemon.status().sessions.active, 0);
    let left = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let children = process_support::own_children();
            if children.is_empty() {
                return children;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        left.is_ok(),
        "children (pid, state) left: {:?}",
        process_support::own_children()
    );
    daemon.stop().await;
}
