//! The local runner against real processes (`sh` scripts as fixture agents).

use crate::process_support as common;

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use orchestrator_daemon::supervisor::{
    AgentSignal, ExitOutcome, LocalRunner, RunnerError, SessionRunner, StdinMode, StreamError,
};

const SIGKILL: i32 = 9;
const SIGTERM: i32 = 15;

#[tokio::test]
async fn stdout_and_stderr_lines_arrive_in_order() {
    let script = "for i in 1 2 3; do echo out$i; echo err$i >&2; done; printf tail";
    let mut agent = LocalRunner.start(sh(script)).expect("start");
    let mut stdout = agent.take_stdout().expect("stdout");
    let mut stderr = agent.take_stderr().expect("stderr");
    let (out, err) = tokio::join!(read_all(&mut stdout), read_all(&mut stderr));
    assert_eq!(out, ["out1", "out2", "out3", "tail"]);
    assert_eq!(err, ["err1", "err2", "err3"]);
    let outcome = agent.wait().await.expect("wait");
    assert!(outcome.success(), "{outcome}");
}

#[tokio::test]
async fn stdin_round_trip_through_a_cat_agent() {
    // Started through the trait object, as the daemon will; `cat` is found via the spec's PATH.
    let runner: Arc<dyn SessionRunner> = Arc::new(LocalRunner::new());
    let mut agent = runner.start(spec("cat")).await.expect("start");
    let mut stdin = agent.take_stdin().expect("piped stdin");
    let mut stdout = agent.take_stdout().expect("stdout");
    for msg in [
        r#"{"type":"user","message":{"content":"hi"}}"#,
        "",
        "ünïcödé",
    ] {
        stdin.write_line(msg).await.expect("write");
        assert_eq!(next_line(&mut stdout).await.as_deref(), Some(msg));
    }
    assert!(matches!(
        stdin.write_line("two\nlines").await,
        Err(StreamError::MultiLineInput)
    ));
    stdin.close().await.expect("close");
    assert_eq!(next_line(&mut stdout).await, None, "EOF after stdin closed");
    assert_eq!(agent.wait().await.expect("wait").code, Some(0));
}

#[tokio::test]
async fn null_stdin_has_no_writer() {
    let mut spec = spec("cat");
    spec.stdin = StdinMode::Null;
    let mut agent = LocalRunner.start(spec).expect("start");
    assert!(agent.take_stdin().is_none());
    assert!(
        agent.wait().await.expect("wait").success(),
        "cat sees EOF at once"
    );
}

#[tokio::test]
async fn environment_is_exactly_the_spec() {
    let spec = orchestrator_daemon::supervisor::RunSpec::new("/usr/bin/env", work_dir())
        .env("ONLY", "this")
        .env("AND", "that");
    let mut agent = LocalRunner.start(spec).expect("start");
    let mut lines = read_all(&mut agent.take_stdout().expect("stdout")).await;
    lines.sort();
    assert_eq!(lines, ["AND=that", "ONLY=this"]);
}

#[tokio::test]
async fn exit_code_then_signal_is_refused_and_stop_is_idempotent() {
    let agent = LocalRunner.start(sh("exit 3")).expect("start");
    let outcome = agent.wait().await.expect("wait");
    assert_eq!(
        outcome,
        ExitOutcome {
            code: Some(3),
            signal: None
        }
    );
    assert_eq!(outcome.to_string(), "exit code 3");
    assert!(matches!(
        agent.signal(AgentSignal::Pause),
        Err(RunnerError::NotRunning)
    ));
    let again = agent.stop(Duration::from_secs(1)).await.expect("stop");
    assert_eq!(again, outcome);
    assert_eq!(agent.handle().try_outcome(), Some(outcome));
}

#[tokio::test]
async fn stop_escalates_to_sigkill_after_grace_and_reaps() {
    let mut agent = LocalRunner
        .start(sh("trap '' TERM; echo ready; sleep 1000"))
        .expect("start");
    let pid = agent.pid().expect("pid");
    let mut stdout = agent.take_stdout().expect("stdout");
    assert_eq!(next_line(&mut stdout).await.as_deref(), Some("ready"));
    let grace = Duration::from_millis(300);
    let started = Instant::now();
    let outcome = agent.stop(grace).await.expect("stop");
    assert!(
        started.elapsed() >= grace,
        "SIGKILL came before the grace ended"
    );
    assert_eq!(outcome.signal, Some(SIGKILL), "{outcome}");
    assert!(common::proc_stat(pid).is_none(), "leader {pid} not reaped");
    assert_eq!(
        next_line(&mut stdout).await,
        None,
        "pipe closed once the group died"
    );
}

#[tokio::test]
async fn stop_kills_grandchildren() {
    let mut agent = LocalRunner
        .start(sh("sleep 1000 & echo $!; wait"))
        .expect("start");
    let mut stdout = agent.take_stdout().expect("stdout");
    let grandchild: u32 = next_line(&mut stdout)
        .await
        .and_then(|l| l.parse().ok())
        .expect("grandchild pid");
    assert!(!is_dead(grandchild));
    let outcome = agent.stop(Duration::from_secs(5)).await.expect("stop");
    assert_eq!(outcome.signal, Some(SIGTERM), "{outcome}");
    eventually("the grandchild is dead", || is_dead(grandchild)).await;
}

#[tokio::test]
async fn leftover_grandchildren_die_when_the_leader_exits() {
    // Without the group kill the backgrounded sleep would hold stdout open: no EOF, ever.
    let mut agent = LocalRunner
        .start(sh("sleep 1000 & echo $!"))
        .expect("start");
    let mut stdout = agent.take_stdout().expect("stdout");
    let grandchild: u32 = next_line(&mut stdout)
        .await
        .and_then(|l| l.parse().ok())
        .expect("grandchild pid");
    assert_eq!(
        next_line(&mut stdout).await,
        None,
        "EOF once the group is gone"
    );
    assert!(agent.wait().await.expect("wait").success());
    eventually("the grandchild is dead", || is_dead(grandchild)).await;
}

#[tokio::test]
async fn pause_and_resume_the_group() {
    let mut agent = LocalRunner
        .start(sh("echo ready; exec sleep 1000"))
        .expect("start");
    let pid = agent.pid().expect("pid");
    let mut stdout = agent.take_stdout().expect("stdout");
    assert_eq!(next_line(&mut stdout).await.as_deref(), Some("ready"));
    let state = || common::proc_stat(pid).map(|(state, _)| state);
    agent.signal(AgentSignal::Pause).expect("pause");
    eventually("the agent is stopped", || state() == Some('T')).await;
    agent.signal(AgentSignal::Resume).expect("resume");
    eventually("the agent runs again", || {
        matches!(state(), Some('S' | 'R'))
    })
    .await;
    // A paused agent still stops on SIGTERM: stop continues it first.
    agent.signal(AgentSignal::Pause).expect("pause");
    eventually("the agent is stopped", || state() == Some('T')).await;
    let outcome = agent.stop(Duration::from_secs(10)).await.expect("stop");
    assert_eq!(outcome.signal, Some(SIGTERM), "{outcome}");
}

#[tokio::test]
async fn flood_and_huge_lines_with_bounded_buffers() {
    let mut spec = sh("seq 1 100000; head -c 5000000 /dev/zero | tr '\\0' x; echo; echo after");
    spec.max_line_bytes = 64 * 1024;
    let mut agent = LocalRunner.start(spec).expect("start");
    let mut stdout = agent.take_stdout().expect("stdout");
    let mut count = 0u32;
    let mut last = None;
    let mut truncated = Vec::new();
    while let Some(line) = tokio::time::timeout(DEADLINE, stdout.next_line())
        .await
        .expect("timely")
        .expect("read")
    {
        count += 1;
        assert!(line.text.len() <= 64 * 1024);
        if line.is_truncated() {
            truncated.push((count, line.text.len(), line.truncated_bytes));
        }
        last = Some(line.text);
    }
    assert_eq!(count, 100_002);
    assert_eq!(truncated, [(100_001, 64 * 1024, 5_000_000 - 64 * 1024)]);
    assert_eq!(last.as_deref(), Some("after"));
    assert!(agent.wait().await.expect("wait").success());
}

#[tokio::test]
async fn missing_program_and_bad_cwd_are_distinct_errors() {
    for program in ["/nonexistent/claude", "no-such-agent-binary-xyz"] {
        match LocalRunner.start(spec(program)) {
            Err(RunnerError::NotFound { program: p }) => assert_eq!(p, program),
            other => panic!("{program}: expected NotFound, got {other:?}"),
        }
    }
    let mut missing_cwd = spec("cat");
    missing_cwd.cwd = "/nonexistent/dir".into();
    assert!(matches!(
        LocalRunner.start(missing_cwd),
        Err(RunnerError::CwdNotFound { .. })
    ));
    let plain_file = work_dir().join(format!("runner-test-plain-{}", std::process::id()));
    std::fs::write(&plain_file, "#!/bin/sh\n").expect("write temp file");
    std::fs::set_permissions(&plain_file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let mut file_cwd = spec("cat");
    file_cwd.cwd = plain_file.clone();
    assert!(matches!(
        LocalRunner.start(file_cwd),
        Err(RunnerError::CwdNotDirectory { .. })
    ));
    let not_executable = spec(plain_file.to_str().expect("utf-8 temp path"));
    let result = LocalRunner.start(not_executable);
    std::fs::remove_file(&plain_file).expect("remove temp file");
    match result {
        Err(RunnerError::Spawn { source, .. }) => {
            assert_eq!(source.kind(), std::io::ErrorKind::PermissionDenied)
        }
        other => panic!("expected Spawn(PermissionDenied), got {other:?}"),
    }
}

#[tokio::test]
async fn dropping_the_last_handle_kills_the_agent() {
    let agent = LocalRunner.start(spec("sleep").arg("1000")).expect("start");
    let pid = agent.pid().expect("pid");
    drop(agent);
    eventually("the abandoned agent is dead and reaped", || {
        common::proc_stat(pid).is_none()
    })
    .await;
}

#[test]
fn agents_die_with_the_thread_that_started_them() {
    // PR_SET_PDEATHSIG fires when the forking thread exits; simulate the daemon dying by
    // starting from a short-lived thread and leaking the handle so nothing else kills it.
    let pid = std::thread::spawn(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let agent = LocalRunner.start(spec("sleep").arg("1000")).expect("start");
            let pid = agent.pid().expect("pid");
            std::mem::forget(agent);
            pid
        })
    })
    .join()
    .expect("thread");
    let deadline = Instant::now() + DEADLINE;
    // Our own unreaped child shows up as a zombie: dead, which is what this test checks.
    while !matches!(common::proc_stat(pid), None | Some(('Z', _))) {
        assert!(
            Instant::now() < deadline,
            "agent {pid} outlived its parent thread"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
