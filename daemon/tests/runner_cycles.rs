//! 200 start/stop cycles leave no child process and no zombie behind.
//!
//! It inspects every child of the test process, so no other test may run agents beside it: it
//! runs alone, in a process of its own.

use crate::process_support as common;

use std::time::Duration;

use common::*;
use orchestrator_daemon::supervisor::LocalRunner;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_stop_cycles_leave_no_children_or_zombies() {
    if !alone("runner_cycles::start_stop_cycles_leave_no_children_or_zombies") {
        return;
    }
    assert_eq!(own_children(), [], "children before the test");
    for cycle in 0..200 {
        // Every fourth agent also has a grandchild, as Claude Code's tool processes are.
        let spec = if cycle % 4 == 0 {
            sh("sleep 1000 & wait")
        } else {
            spec("sleep").arg("1000")
        };
        let agent = LocalRunner.start(spec).expect("start");
        let outcome = agent.stop(Duration::from_secs(10)).await.expect("stop");
        assert_eq!(outcome.signal, Some(15), "cycle {cycle}: {outcome}");
    }
    // `stop` returns only after the reaper has reaped, so there is nothing left to wait for.
    assert_eq!(
        own_children(),
        [],
        "children (pid, state) left after 200 cycles"
    );
}
