//! The real `orchestrator-daemon` binary: `--daemonize` and its readiness report, signals,
//! SIGKILL recovery, a second instance, bad configuration, env precedence, peer checks.

use crate::common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{TestHome, alive, client, log_text, wait_until};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use orchestrator_api::v1;

use common::daemon_binary::{DAEMON, RunningDaemon as Running, daemonize, start as start_with};

fn start(home: &TestHome) -> Running {
    start_with(home, &[])
}

fn signal(pid: u32, signal: Signal) {
    kill(Pid::from_raw(pid as i32), signal).unwrap();
}

fn gone_within(pid: u32, timeout: Duration) -> bool {
    wait_until(timeout, || (!alive(pid)).then_some(())).is_some()
}

#[tokio::test]
async fn daemonize_reports_ready_serves_logs_and_stops_on_shutdown() {
    let home = TestHome::new();
    let paths = home.paths();
    let daemon = start(&home);
    assert!(alive(daemon.pid));
    let mut grpc = client(&paths.socket).await;
    let status = grpc
        .get_status(v1::GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        status.pid, daemon.pid,
        "the launcher prints the daemon's pid"
    );
    assert_eq!(status.state(), v1::DaemonState::Running);

    let mut history = grpc
        .stream_logs(v1::StreamLogsRequest {
            lines: 50,
            follow: false,
        })
        .await
        .unwrap()
        .into_inner();
    let mut lines = Vec::new();
    while let Some(line) = history.message().await.unwrap() {
        lines.push(line.line);
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("orchestrator daemon started")),
        "{lines:?}"
    );
    assert!(
        lines.iter().all(|l| l.starts_with("20")),
        "ISO timestamps first: {lines:?}"
    );

    let mut follow = grpc
        .stream_logs(v1::StreamLogsRequest {
            lines: 0,
            follow: true,
        })
        .await
        .unwrap()
        .into_inner();
    grpc.shutdown(v1::ShutdownRequest::default()).await.unwrap();
    let mut followed = Vec::new();
    while let Ok(Some(line)) = tokio::time::timeout(Duration::from_secs(10), follow.message())
        .await
        .expect("the follow stream ends when the daemon stops")
    {
        followed.push(line.line);
    }
    assert!(
        followed
            .iter()
            .any(|l| l.contains("shutdown requested over gRPC")),
        "{followed:?}"
    );
    assert!(
        gone_within(daemon.pid, Duration::from_secs(10)),
        "the daemon exits within its shutdown timeout"
    );
    assert!(!paths.socket.exists() && !paths.pid_file.exists());
    assert!(log_text(&paths).contains("orchestrator daemon stopped"));
}

#[test]
fn sigkill_leaves_a_stale_socket_that_the_next_start_replaces() {
    let home = TestHome::new();
    let paths = home.paths();
    let first = start(&home);
    signal(first.pid, Signal::SIGKILL);
    assert!(gone_within(first.pid, Duration::from_secs(10)));
    assert!(
        paths.socket.exists(),
        "SIGKILL leaves the socket file behind"
    );
    let second = start(&home);
    assert_ne!(second.pid, first.pid);
    assert!(log_text(&paths).contains("replacing a stale socket"));
    signal(second.pid, Signal::SIGTERM);
    assert!(gone_within(second.pid, Duration::from_secs(10)));
    assert!(!paths.socket.exists());
}

#[test]
fn a_second_daemon_exits_with_the_first_ones_pid() {
    let home = TestHome::new();
    let first = start(&home);
    let out = daemonize(&home, &[], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("already running") && stderr.contains(&format!("(pid {})", first.pid)),
        "{stderr}"
    );
    assert!(stderr.contains("hint: "), "{stderr}");
    assert!(alive(first.pid), "the first daemon is untouched");
    signal(first.pid, Signal::SIGTERM);
    assert!(gone_within(first.pid, Duration::from_secs(10)));
}

#[test]
fn foreground_daemon_stops_on_sigint_and_sigterm() {
    for sig in [Signal::SIGINT, Signal::SIGTERM] {
        let home = TestHome::new();
        let paths = home.paths();
        let mut child = home
            .command(DAEMON)
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let guard = Running { pid: child.id() };
        wait_until(Duration::from_secs(10), || {
            orchestrator_api::pidfile::running_daemon_pid(&paths.pid_file)
                .unwrap()
                .filter(|_| paths.socket.exists())
        })
        .expect("the daemon comes up");
        signal(child.id(), sig);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{sig}");
        assert!(log_text(&paths).contains(&format!("reason={sig}")), "{sig}");
        assert!(!paths.socket.exists());
        drop(guard);
    }
}

/// Runs the daemon in the foreground with stderr into a file (and `env`), stops it with
/// SIGTERM, and returns what it wrote there.
fn foreground_stderr(env: impl Fn(&std::fs::File) -> Vec<(String, String)>) -> String {
    let home = TestHome::new();
    let paths = home.paths();
    let stderr_path = home.path().join("stderr.txt");
    let stderr_file = std::fs::File::create(&stderr_path).unwrap();
    let mut child = home
        .command(DAEMON)
        .args(["--port", "0"])
        .env_remove("NO_COLOR")
        .env_remove("JOURNAL_STREAM")
        .envs(env(&stderr_file))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr_file)
        .spawn()
        .unwrap();
    let guard = Running { pid: child.id() };
    wait_until(Duration::from_secs(10), || {
        orchestrator_api::pidfile::running_daemon_pid(&paths.pid_file)
            .unwrap()
            .filter(|_| paths.socket.exists())
    })
    .expect("the daemon comes up");
    signal(child.id(), Signal::SIGTERM);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    drop(guard);
    std::fs::read_to_string(&stderr_path).unwrap()
}

#[test]
fn foreground_stderr_is_plain_in_a_file_and_prioritised_for_the_journal() {
    let plain = foreground_stderr(|_| Vec::new());
    assert!(plain.contains("orchestrator daemon started"), "{plain}");
    assert!(
        !plain.contains('\x1b'),
        "no colour codes in a file: {plain:?}"
    );

    // systemd names the stream it connected to stderr as DEVICE:INODE.
    let journal = foreground_stderr(|file| {
        use std::os::unix::fs::MetadataExt;
        let meta = file.metadata().unwrap();
        vec![(
            "JOURNAL_STREAM".to_owned(),
            format!("{}:{}", meta.dev(), meta.ino()),
        )]
    });
    assert!(!journal.contains('\x1b'), "{journal:?}");
    assert!(journal.contains("orchestrator daemon started"), "{journal}");
    for line in journal.lines().filter(|line| !line.is_empty()) {
        let priority = line
            .strip_prefix('<')
            .and_then(|rest| rest.split_once('>'))
            .map(|(n, _)| n);
        assert!(
            matches!(priority, Some("3" | "4" | "5" | "6" | "7")),
            "every line starts with an sd-daemon priority: {line:?}\n{journal}"
        );
    }
    assert!(
        journal
            .lines()
            .any(|line| line.starts_with("<6>") && line.contains("orchestrator daemon started")),
        "{journal}"
    );
}

#[test]
fn bad_flags_and_config_exit_2_with_the_reason() {
    let home = TestHome::new();
    let config = home.path().join("bad.yaml");
    std::fs::write(&config, "port: 9000\nmaxSesions: 3\n").unwrap();
    let out = home
        .command(DAEMON)
        .args(["--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.yaml at line 2") && stderr.contains("maxSesions"),
        "{stderr}"
    );

    let out = home
        .command(DAEMON)
        .args(["--port", "70000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("0–65535"));

    let out = home
        .command(DAEMON)
        .env("ORCHESTRATOR_MAX_SESSIONS", "many")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ORCHESTRATOR_MAX_SESSIONS"));

    let out = home.command(DAEMON).arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!home.paths().socket.exists());
}

#[test]
fn a_port_in_use_is_reported_by_the_launcher() {
    let home = TestHome::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = home
        .command(DAEMON)
        .args(["--daemonize", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("port {port} on 127.0.0.1 is in use"))
            && stderr.contains("ORCHESTRATOR_DAEMON_PORT"),
        "{stderr}"
    );
    assert!(!home.paths().socket.exists() && !home.paths().pid_file.exists());
}

// The test thread blocks (std sleep) while its gRPC connection is idle and unpolled: the
// daemon must still stop promptly instead of waiting for that client's HTTP/2 goodbye.
#[tokio::test]
async fn environment_beats_the_config_file_and_flags_beat_both() {
    let free_port = crate::common::unused_port;
    let home = TestHome::new();
    let paths = home.paths();
    std::fs::create_dir_all(paths.config_file.parent().unwrap()).unwrap();
    std::fs::write(&paths.config_file, "maxSessions: 7\nname: from-file\n").unwrap();
    let env_port = free_port();
    let out = home
        .command(DAEMON)
        .args(["--daemonize", "--max-sessions", "3"])
        .env("DAEMON_PORT", env_port.to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let daemon = Running {
        pid: String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap(),
    };
    let status = client(&paths.socket)
        .await
        .get_status(v1::GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.name, "from-file", "the default config file is read");
    assert_eq!(status.endpoints.unwrap().port, u32::from(env_port));
    assert_eq!(status.sessions.unwrap().max_sessions, 3, "flags win");
    signal(daemon.pid, Signal::SIGTERM);
    assert!(gone_within(daemon.pid, Duration::from_secs(10)));
}

#[tokio::test]
async fn connections_from_other_users_are_dropped() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("SKIPPED: needs root to connect as another user");
        return;
    }
    let home = TestHome::new();
    let paths = home.paths();
    let daemon = start(&home);
    // Open the path to everyone, as a careless user might, so only the peer check remains.
    use std::os::unix::fs::PermissionsExt;
    for dir in [
        home.path(),
        &home.path().join("run"),
        paths.socket.parent().unwrap(),
    ] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&paths.socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let probe = format!(
        "import socket; s = socket.socket(socket.AF_UNIX); s.connect({:?}); s.settimeout(5)\n\
         try:\n  s.sendall(b'PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n'); print(len(s.recv(100)))\n\
         except (ConnectionResetError, BrokenPipeError): print(0)",
        paths.socket.display().to_string()
    );
    let out = Command::new("python3")
        .args(["-c", &probe])
        .uid(65534)
        .output();
    use std::os::unix::process::CommandExt;
    let out = match out {
        Ok(out) => out,
        Err(err) => {
            eprintln!("SKIPPED: cannot run python3 as another user: {err}");
            return;
        }
    };
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0",
        "the daemon closes (or resets) the connection without answering, even before the request is written: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(log_text(&paths).contains("refused a control connection from another user"));
    // Our own user still gets answers.
    client(&paths.socket)
        .await
        .get_status(v1::GetStatusRequest {})
        .await
        .unwrap();
    signal(daemon.pid, Signal::SIGTERM);
    assert!(gone_within(daemon.pid, Duration::from_secs(10)));
}

/// The reason and domain of a refused call's `google.rpc.ErrorInfo`, and its `remedy`.
fn error_info(status: &tonic::Status) -> (String, String, Option<String>) {
    use tonic_types::StatusExt;
    let info = status
        .get_details_error_info()
        .unwrap_or_else(|| panic!("no ErrorInfo in {status:?}"));
    (
        info.reason,
        info.domain,
        info.metadata.get("remedy").cloned(),
    )
}

#[tokio::test]
async fn refused_calls_carry_error_info_with_a_stable_reason() {
    let home = TestHome::new();
    let daemon = start(&home);
    let mut sessions = common::daemon_binary::sessions(&home).await;
    let missing = sessions
        .get(v1::SessionRef {
            session_id: "session_nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), tonic::Code::NotFound);
    assert_eq!(
        error_info(&missing),
        (
            "SESSION_NOT_FOUND".into(),
            "wundr.orchestrator".into(),
            None
        )
    );
    let empty = sessions
        .spawn(v1::SpawnSessionRequest {
            task: Some(v1::TaskSpec::default()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error_info(&empty).0, "SESSION_REQUEST_INVALID");
    let bad_page = sessions
        .list(v1::ListSessionsRequest {
            page_token: "x".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error_info(&bad_page).0, "SESSION_REQUEST_INVALID");
    // The remedy rides in the ErrorInfo too, for clients other than wundr.
    let unknown = common::daemon_binary::charter(&home)
        .await
        .answer(v1::AnswerApprovalRequest {
            id: "approval_nope".into(),
            approve: true,
            ..Default::default()
        })
        .await
        .unwrap_err();
    let (reason, _, remedy) = error_info(&unknown);
    assert_eq!(reason, "APPROVAL_NOT_FOUND");
    assert!(
        remedy.is_some_and(|r| r.contains("approval list")),
        "{unknown:?}"
    );
    daemon.stop();
}
