//! A session's output files under pressure: a flooding agent stays within
//! `transcriptMaxBytes` (newest lines kept, a marker where older ones were cut), and a full
//! disk loses lines without stopping the session — logged once, and marked on the session.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::daemon_binary::{self, RunningDaemon};
use crate::common::faults::{Tmpfs, root_or_skip};
use crate::common::sessions::fixture_agent;
use crate::common::{TestHome, log_text, wait_until};
use orchestrator_api::v1;

const CAP: u64 = 64 * 1024;

fn start_with_config(home: &TestHome, yaml: &str) -> RunningDaemon {
    let config = home.paths().config_file;
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, yaml).unwrap();
    daemon_binary::start(home, &[("CLAUDE_BIN", fixture_agent())])
}

fn rotated(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".1");
    PathBuf::from(name)
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_agent_stays_within_the_transcript_cap() {
    let home = TestHome::new();
    let _daemon = start_with_config(&home, &format!("transcriptMaxBytes: {CAP}\n"));
    let spawned = daemon_binary::spawn(&home, "flood:3000").await;
    let ended = daemon_binary::wait_for(&home, &spawned.id, "the session to end", |s| {
        s.ended_at_unix_ms != 0
    })
    .await;
    assert_eq!(ended.status(), v1::SessionStatus::Completed, "{ended:#?}");

    let transcript = daemon_binary::transcript(&home, &spawned.id);
    let (current, previous) = (lines(&transcript), lines(&rotated(&transcript)));
    let on_disk = [&transcript, &rotated(&transcript)]
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum::<u64>();
    let longest = current
        .iter()
        .chain(&previous)
        .map(|l| l.len() as u64 + 1)
        .max();
    assert!(
        on_disk <= CAP + longest.unwrap_or(0),
        "{on_disk} bytes of transcript for a cap of {CAP}"
    );
    let marker: serde_json::Value = serde_json::from_str(&current[0]).unwrap();
    assert_eq!(marker["subtype"], "wundr_transcript_rotated", "{marker}");
    assert!(
        marker["content"]
            .as_str()
            .unwrap()
            .contains("transcript.jsonl.1"),
        "{marker}"
    );
    let result: serde_json::Value = serde_json::from_str(current.last().unwrap()).unwrap();
    assert_eq!(result["result"], "flooded 3000", "the final result is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_loses_lines_but_is_logged_once_and_marked_on_the_session() {
    if !root_or_skip("a_full_disk_loses_lines_but_is_logged_once", "mount") {
        return;
    }
    let home = TestHome::new();
    let sessions_dir = home.paths().data_dir.join("sessions");
    let Some(_disk) = Tmpfs::mount(&sessions_dir, "64k") else {
        return;
    };
    let _daemon = start_with_config(&home, "");
    let spawned = daemon_binary::spawn(&home, "flood:2000").await;
    let ended = daemon_binary::wait_for(&home, &spawned.id, "the session to end", |s| {
        s.ended_at_unix_ms != 0
    })
    .await;
    assert_eq!(
        ended.status(),
        v1::SessionStatus::Completed,
        "a full disk does not stop the session: {ended:#?}"
    );
    assert!(
        ended
            .transcript_error
            .contains("cannot write transcript.jsonl")
            && ended.transcript_error.contains("No space left on device"),
        "the session is marked: {:?}",
        ended.transcript_error
    );

    let failures = |text: &str| {
        text.lines()
            .filter(|l| l.contains("cannot write a session file") && l.contains("transcript.jsonl"))
            .count()
    };
    let logged = wait_until(Duration::from_secs(10), || {
        Some(failures(&log_text(&home.paths()))).filter(|n| *n > 0)
    });
    assert_eq!(logged, Some(1), "one log line for the whole streak");
}
