//! The daemon binary and its charter file: SIGHUP re-reads it, a bad edit keeps the previous
//! charter in force (and the log says why), a good one takes over; `--charter` names the file.

use crate::common;

use std::time::Duration;

use common::{TestHome, log_text, wait_until_async};
use nix::sys::signal::Signal;
use orchestrator_api::v1;

async fn shown_name(socket: &std::path::Path) -> String {
    let channel = orchestrator_api::connect(socket).await.unwrap();
    let info = v1::charter_client::CharterClient::new(channel)
        .show(v1::ShowCharterRequest {})
        .await
        .unwrap()
        .into_inner();
    let charter: serde_json::Value = serde_json::from_str(&info.charter_json).unwrap();
    charter["name"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_and_a_bad_file_keeps_the_previous_charter() {
    let home = TestHome::new();
    let file = home.path().join("my-charter.yaml");
    std::fs::write(&file, "name: first\n").unwrap();
    let out = common::daemon_binary::daemonize(&home, &["--charter", file.to_str().unwrap()], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let daemon = common::daemon_binary::RunningDaemon {
        pid: String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap(),
    };
    let paths = home.paths();
    assert_eq!(shown_name(&paths.socket).await, "first");

    std::fs::write(&file, "name: second\nresourceLimits:\n  maxSessions: 0\n").unwrap();
    daemon.signal(Signal::SIGHUP);
    let logged = wait_until_async(Duration::from_secs(20), || async {
        log_text(&paths)
            .contains("the previous charter stays in force")
            .then_some(())
    })
    .await;
    assert!(logged.is_some(), "{}", log_text(&paths));
    let log = log_text(&paths);
    assert!(log.contains("CHARTER_INVALID_MAXSESSIONS"), "{log}");
    assert_eq!(shown_name(&paths.socket).await, "first");

    std::fs::write(&file, "name: third\n").unwrap();
    daemon.signal(Signal::SIGHUP);
    let reloaded = wait_until_async(Duration::from_secs(20), || async {
        (shown_name(&paths.socket).await == "third").then_some(())
    })
    .await;
    assert!(reloaded.is_some(), "{}", log_text(&paths));
    daemon.signal(Signal::SIGTERM);
}

#[test]
fn a_named_charter_that_does_not_exist_is_refused_at_start() {
    let home = TestHome::new();
    let missing = home.path().join("nope.yaml");
    let out =
        common::daemon_binary::daemonize(&home, &["--charter", missing.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope.yaml not found"), "{err}");
    assert!(err.contains("hint: fix the charter file"), "{err}");
}
