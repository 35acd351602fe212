//! Charter files that are big, over the limit or hostile, given to the real daemon binary and
//! the real `wundr` CLI: a 10 MiB charter reloaded over gRPC and by SIGHUP while the daemon
//! keeps answering; a SIGTERM during a SIGHUP reload acted on at once (bounded by the shutdown
//! timeout); an over-limit file
//! refused with its size while the previous charter stays in force; a YAML alias bomb refused
//! at a real line and column; `wundr orchestrator stop` saying "stopped" only once the daemon
//! process has exited.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use nix::sys::signal::Signal;
use orchestrator_api::paths::DaemonPaths;
use orchestrator_api::v1;
use orchestrator_api::v1::charter_client::CharterClient;
use orchestrator_api::v1::daemon_client::DaemonClient;
use tonic::transport::Channel;

use crate::common::charter_gen::large_charter;
use crate::common::daemon_binary::{RunningDaemon, daemonize, start_with_args, wundr_binary};
use crate::common::{TestHome, alive, log_text, wait_until_async};

/// "A 10 MB charter", as reported.
const BIG: usize = 10 * 1024 * 1024;
/// Lets the daemon (and the CLI, which reads the same file) take BIG, and stop within 2 s.
const RAISED_LIMIT: &str = "charterMaxBytes: 16777216\nshutdownTimeout: 2000\n";
/// The built-in 4 MiB limit.
const DEFAULT_LIMIT: &str = "shutdownTimeout: 2000\n";
/// Generous: only a daemon with no thread left to answer misses it.
const ANSWER_WITHIN: Duration = Duration::from_secs(20);
/// One reload of BIG takes seconds in a debug build (minutes when the work is quadratic).
const RELOAD_WITHIN: Duration = Duration::from_secs(120);
/// Twice the 2 s shutdown timeout (draining, then the runtime's stragglers) plus slack for a
/// loaded machine.
const STOP_WITHIN: Duration = Duration::from_secs(14);

/// A home with `config` as the daemon's config file, and a charter file named "first".
fn home_with(config: &str) -> (TestHome, PathBuf) {
    let home = TestHome::new();
    let config_dir = home.path().join("config/wundr");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("orchestrator.yaml"), config).unwrap();
    let charter = home.path().join("charter.yaml");
    std::fs::write(
        &charter,
        "name: first\nsafetyHeuristics:\n  alwaysReject: [\"rm -rf /\"]\n",
    )
    .unwrap();
    (home, charter)
}

fn start(home: &TestHome, charter: &Path) -> RunningDaemon {
    start_with_args(home, &["--charter", charter.to_str().unwrap()], &[])
}

/// A charter client that takes answers as big as a big charter's JSON.
async fn charter_client(socket: &Path) -> CharterClient<Channel> {
    let channel = orchestrator_api::connect(socket).await.unwrap();
    CharterClient::new(channel).max_decoding_message_size(usize::MAX)
}

async fn shown_name(socket: &Path) -> String {
    let info = charter_client(socket)
        .await
        .show(v1::ShowCharterRequest {})
        .await
        .unwrap()
        .into_inner();
    let charter: serde_json::Value = serde_json::from_str(&info.charter_json).unwrap();
    charter["name"].as_str().unwrap_or_default().to_owned()
}

/// The daemon answers a status call on its socket and `/health` on its public port.
async fn answers(socket: &Path) -> bool {
    let status = tokio::time::timeout(ANSWER_WITHIN, async {
        crate::common::client(socket)
            .await
            .get_status(v1::GetStatusRequest {})
            .await
    })
    .await;
    let Ok(Ok(status)) = status else {
        return false;
    };
    let port = status.into_inner().endpoints.map_or(0, |e| e.port) as u16;
    let health = tokio::time::timeout(
        ANSWER_WITHIN,
        tokio::task::spawn_blocking(move || crate::common::http(port, "GET", "/health")),
    )
    .await;
    matches!(health, Ok(Ok((200, _))))
}

/// Runs the real `wundr` with `home`'s environment.
async fn wundr(home: &TestHome, args: &[&str]) -> Output {
    let program = tokio::task::spawn_blocking(wundr_binary).await.unwrap();
    let mut command = home.command(program);
    command.args(args);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn text(output: &[u8]) -> String {
    String::from_utf8_lossy(output).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_charter_reloaded_over_grpc_leaves_the_daemon_answering() {
    let (home, charter) = home_with(RAISED_LIMIT);
    let _daemon = start(&home, &charter);
    let socket = home.paths().socket;
    std::fs::write(&charter, large_charter("big", BIG)).unwrap();
    // More reloads than the daemon's runtime has worker threads (one per core): were they
    // worked on by the runtime, no thread would be left to answer anything else.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let client = charter_client(&socket).await;
    let reloads: Vec<_> = (0..=workers)
        .map(|_| {
            let mut client = client.clone();
            tokio::spawn(async move { client.reload(v1::ReloadCharterRequest {}).await })
        })
        .collect();
    assert!(
        answers(&socket).await,
        "the daemon stopped answering while it reloaded a big charter"
    );
    assert!(
        reloads.iter().any(|r| !r.is_finished()),
        "the reloads were over before the daemon was asked: nothing was shown"
    );
    for reload in reloads {
        let info = tokio::time::timeout(RELOAD_WITHIN, reload)
            .await
            .expect("a reload of the big charter ended in time")
            .unwrap()
            .expect("the big charter is valid")
            .into_inner();
        assert!(info.findings.is_empty(), "{:?}", info.findings.first());
    }
    assert_eq!(shown_name(&socket).await, "big");
    // The CLI checks the same file locally, with the same (configured) limit.
    let out = wundr(
        &home,
        &[
            "orchestrator",
            "charter",
            "validate",
            charter.to_str().unwrap(),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).ends_with(": valid\n"),
        "{}",
        text(&out.stdout)
    );
}

/// Waits until the daemon's log says a SIGHUP reload has started.
async fn sighup_reload_started(paths: &DaemonPaths) {
    let started = wait_until_async(ANSWER_WITHIN, || async {
        log_text(paths)
            .contains("SIGHUP: re-reading the charter file")
            .then_some(())
    })
    .await;
    assert!(started.is_some(), "{}", log_text(paths));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_charter_reloaded_by_sighup_leaves_the_daemon_answering() {
    let (home, charter) = home_with(RAISED_LIMIT);
    let daemon = start(&home, &charter);
    let paths = home.paths();
    std::fs::write(&charter, large_charter("big", BIG)).unwrap();
    daemon.signal(Signal::SIGHUP);
    sighup_reload_started(&paths).await;
    assert!(
        answers(&paths.socket).await,
        "the daemon stopped answering during a SIGHUP reload"
    );
    let reloaded = wait_until_async(RELOAD_WITHIN, || async {
        log_text(&paths)
            .contains("SIGHUP: charter reloaded")
            .then_some(())
    })
    .await;
    assert!(reloaded.is_some(), "{}", log_text(&paths));
    assert_eq!(shown_name(&paths.socket).await, "big");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_sighup_reload_stops_the_daemon_at_once() {
    let (home, charter) = home_with(RAISED_LIMIT);
    let daemon = start(&home, &charter);
    let paths = home.paths();
    std::fs::write(&charter, large_charter("big", BIG)).unwrap();
    daemon.signal(Signal::SIGHUP);
    sighup_reload_started(&paths).await;
    daemon.signal(Signal::SIGTERM);
    let gone = wait_until_async(STOP_WITHIN, || async { (!alive(daemon.pid)).then_some(()) }).await;
    assert!(
        gone.is_some(),
        "the daemon still ran {STOP_WITHIN:?} after SIGTERM:\n{}",
        log_text(&paths)
    );
    assert!(log_text(&paths).contains("orchestrator daemon stopped"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_limit_charter_is_refused_with_its_size_and_the_previous_one_stays() {
    let (home, charter) = home_with(DEFAULT_LIMIT);
    let daemon = start(&home, &charter);
    let paths = home.paths();
    let big = large_charter("big", BIG);
    std::fs::write(&charter, &big).unwrap();
    let refusal = format!(
        "is {} bytes, over the 4194304-byte limit (4 MiB)",
        big.len()
    );

    let mut client = charter_client(&paths.socket).await;
    let status = tokio::time::timeout(RELOAD_WITHIN, client.reload(v1::ReloadCharterRequest {}))
        .await
        .expect("the reload was answered in time")
        .expect_err("an over-limit charter is refused");
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);
    assert!(status.message().contains(&refusal), "{}", status.message());
    assert!(
        status.message().contains("raise charterMaxBytes"),
        "{}",
        status.message()
    );
    assert_eq!(shown_name(&paths.socket).await, "first");

    daemon.signal(Signal::SIGHUP);
    let logged = wait_until_async(ANSWER_WITHIN, || async {
        log_text(&paths)
            .contains("SIGHUP: charter not reloaded")
            .then_some(())
    })
    .await;
    assert!(logged.is_some(), "{}", log_text(&paths));
    assert!(log_text(&paths).contains(&refusal), "{}", log_text(&paths));
    assert_eq!(shown_name(&paths.socket).await, "first");

    // `charter validate` names it: over gRPC, and locally with the CLI.
    let report = tokio::time::timeout(
        RELOAD_WITHIN,
        client.validate(v1::ValidateCharterRequest {
            path: charter.display().to_string(),
        }),
    )
    .await
    .expect("validated in time")
    .unwrap()
    .into_inner();
    assert!(!report.valid);
    assert_eq!(report.findings[0].code, "CHARTER_TOO_LARGE");
    assert!(report.findings[0].message.contains(&refusal), "{report:?}");
    let out = wundr(
        &home,
        &[
            "orchestrator",
            "charter",
            "validate",
            charter.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(printed.contains("error CHARTER_TOO_LARGE"), "{printed}");
    assert!(printed.contains(&refusal), "{printed}");

    // A daemon given it at start does not start.
    let other = TestHome::new();
    let out = daemonize(&other, &["--charter", charter.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = text(&out.stderr);
    assert!(err.contains(&refusal), "{err}");
    assert!(err.contains("hint: fix the charter file"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yaml_alias_bomb_is_refused_at_a_real_line_and_column() {
    let (home, charter) = home_with(DEFAULT_LIMIT);
    let _daemon = start(&home, &charter);
    let paths = home.paths();
    // "Billion laughs" over nulls: serde_yaml's repetition guard trips, and gives no location.
    let mut bomb = "name: bomb\nl0: &l0 [~]\n".to_owned();
    for level in 1..=4 {
        let aliases = vec![format!("*l{}", level - 1); 10].join(", ");
        bomb.push_str(&format!("l{level}: &l{level} [{aliases}]\n"));
    }
    std::fs::write(&charter, &bomb).unwrap();
    let at = format!(
        "{}:3:10: invalid charter: aliases are followed",
        charter.display()
    );

    let mut client = charter_client(&paths.socket).await;
    let status = client
        .reload(v1::ReloadCharterRequest {})
        .await
        .expect_err("a bomb is refused");
    assert!(status.message().contains(&at), "{}", status.message());
    assert!(
        status.message().contains("alias bomb"),
        "{}",
        status.message()
    );
    assert_eq!(shown_name(&paths.socket).await, "first");

    let report = client
        .validate(v1::ValidateCharterRequest {
            path: charter.display().to_string(),
        })
        .await
        .unwrap()
        .into_inner();
    let finding = &report.findings[0];
    assert_eq!(
        (finding.code.as_str(), finding.line, finding.column),
        ("CHARTER_YAML", 3, 10)
    );
    let out = wundr(
        &home,
        &[
            "orchestrator",
            "charter",
            "validate",
            charter.to_str().unwrap(),
        ],
    )
    .await;
    let printed = text(&out.stdout);
    assert!(
        printed.contains(&format!("{}:3:10: error CHARTER_YAML", charter.display())),
        "{printed}"
    );

    let other = TestHome::new();
    let out = daemonize(&other, &["--charter", charter.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(text(&out.stderr).contains(&at), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_says_stopped_only_once_the_daemon_process_has_exited() {
    let (home, charter) = home_with(RAISED_LIMIT);
    let daemon = start(&home, &charter);
    let paths = home.paths();
    let big = home.path().join("big.yaml");
    std::fs::write(&big, large_charter("big", BIG)).unwrap();
    // A client has the daemon check a big file when it is asked to stop: the check may hold
    // neither the stop nor the process, and `stop` must not call it stopped while it runs.
    let channel = orchestrator_api::connect(&paths.socket).await.unwrap();
    let mut charter_api = CharterClient::new(channel.clone()).max_decoding_message_size(usize::MAX);
    let validating = tokio::spawn(async move {
        charter_api
            .validate(v1::ValidateCharterRequest {
                path: big.display().to_string(),
            })
            .await
    });
    // Asked after it on the same connection, so the check is under way once this answers.
    DaemonClient::new(channel)
        .get_status(v1::GetStatusRequest {})
        .await
        .unwrap();

    let out = wundr(&home, &["orchestrator", "stop"]).await;
    let still_running = alive(daemon.pid);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("orchestrator daemon stopped (pid {})", daemon.pid)),
        "{}",
        text(&out.stdout)
    );
    assert!(
        !still_running,
        "`stop` said stopped while the daemon process {} was still running",
        daemon.pid
    );
    validating.abort();
}
