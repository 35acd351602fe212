//! What the relay tests share: [`Relay`] (a real `wundr orchestrator relay` child, its stderr
//! collected), [`Peer`] (the fake daemon's end of the connection), [`start`] (relay, hello,
//! welcome, started), [`marked`] / [`wait_none_marked`] (processes carrying a session's
//! marker, from `/proc`) and [`spec`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use orchestrator_relay::wire::{
    AgentSpec, DaemonFrame, Exit, Hello, RelayFrame, SECRET_ENV, read_frame, write_frame,
};
use tokio::io::{AsyncReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep, timeout};

/// How long anything a test waits for may take on a loaded 2-core machine.
pub const DEADLINE: Duration = Duration::from_secs(30);
pub const SECRET: &str = "s3cret-for-tests";

/// The `wundr` binary, built first when missing or stale.
pub fn wundr() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        wundr_test_support::binaries::workspace_binary(
            "wundr",
            "wundr",
            &["cli/src", "relay/src", "charter/src", "config/src", "proto"],
        )
    })
}

/// A session id no other test (or run) uses: the marker the containment checks look for.
pub fn session_id(tag: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "session_relaytest_{tag}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// An agent spec running `sh -c script`, in `/`, with stdin.
pub fn spec(script: &str) -> AgentSpec {
    AgentSpec {
        program: "sh".into(),
        args: vec!["-c".into(), script.into()],
        env: BTreeMap::new(),
        cwd: "/".into(),
        stdin: true,
        max_line_bytes: 1024 * 1024,
    }
}

/// A running relay.
#[derive(Debug)]
pub struct Relay {
    pub child: Child,
    pub pid: i32,
    stderr: Option<JoinHandle<String>>,
}

impl Relay {
    /// `wundr orchestrator relay --daemon ADDRESS --session SESSION` with the secret (or
    /// without, with `secret: None`) and `env`.
    pub fn spawn(
        address: &str,
        session: &str,
        secret: Option<&str>,
        env: &[(&str, &str)],
    ) -> Relay {
        Relay::spawn_command(Command::new(wundr()), address, session, secret, env)
    }

    /// The relay as the child of a shell that waits for it (standing in for Ray's job
    /// supervisor); `pid` is the shell's.
    pub fn spawn_under_shell(address: &str, session: &str) -> Relay {
        let mut shell = Command::new("sh");
        shell.args(["-c", r#""$0" "$@" & wait"#]).arg(wundr());
        Relay::spawn_command(shell, address, session, Some(SECRET), &[])
    }

    fn spawn_command(
        mut command: Command,
        address: &str,
        session: &str,
        secret: Option<&str>,
        env: &[(&str, &str)],
    ) -> Relay {
        command
            .args([
                "orchestrator",
                "relay",
                "--daemon",
                address,
                "--session",
                session,
            ])
            .env_remove(SECRET_ENV)
            .env_remove("WUNDR_SESSION_ID")
            .env_remove("WUNDR_RELAY_SOCKET")
            .env("RAY_JOB_CONFIG_JSON_ENV_VAR", "{\"job\":1}")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // A failing test must not leave a relay behind (its guard then cleans up).
            .kill_on_drop(true);
        if let Some(secret) = secret {
            command.env(SECRET_ENV, secret);
        }
        let mut child = command.spawn().expect("run wundr orchestrator relay");
        let pid = i32::try_from(child.id().unwrap()).unwrap();
        let mut pipe = child.stderr.take().unwrap();
        let stderr = tokio::spawn(async move {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text).await;
            text
        });
        Relay {
            child,
            pid,
            stderr: Some(stderr),
        }
    }

    /// Waits for the relay to exit; its status and everything it wrote on stderr.
    pub async fn finish(&mut self) -> (ExitStatus, String) {
        let status = timeout(DEADLINE, self.child.wait())
            .await
            .expect("the relay exits in time")
            .unwrap();
        let stderr = match self.stderr.take() {
            Some(task) => timeout(DEADLINE, task)
                .await
                .expect("the relay's stderr closes")
                .unwrap(),
            None => String::new(),
        };
        (status, stderr)
    }

    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.pid), signal).unwrap();
    }
}

/// The fake daemon's listener.
pub async fn listen() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    (listener, address)
}

/// The daemon's end of a relay's connection.
#[derive(Debug)]
pub struct Peer {
    pub read: BufReader<OwnedReadHalf>,
    pub write: OwnedWriteHalf,
}

impl Peer {
    pub async fn accept(listener: &TcpListener) -> Peer {
        let (stream, _) = timeout(DEADLINE, listener.accept())
            .await
            .expect("the relay connects in time")
            .unwrap();
        let (read, write) = stream.into_split();
        Peer {
            read: BufReader::new(read),
            write,
        }
    }

    /// The next frame, pings included; `None` when the relay closed.
    pub async fn next(&mut self) -> Option<RelayFrame> {
        timeout(DEADLINE, read_frame(&mut self.read))
            .await
            .expect("a frame from the relay in time")
            .expect("a well-formed frame")
    }

    /// The next frame that is not a ping.
    pub async fn recv(&mut self) -> RelayFrame {
        loop {
            match self.next().await {
                Some(RelayFrame::Ping) => continue,
                Some(frame) => return frame,
                None => panic!("the relay closed the connection"),
            }
        }
    }

    pub async fn send(&mut self, frame: DaemonFrame) {
        write_frame(&mut self.write, &frame).await.unwrap();
    }

    pub async fn hello(&mut self) -> Hello {
        match self.recv().await {
            RelayFrame::Hello(hello) => hello,
            other => panic!("expected Hello, got {other:?}"),
        }
    }

    /// Output lines until `Exited`.
    pub async fn until_exit(&mut self) -> (Vec<String>, Vec<String>, Exit) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        loop {
            match self.recv().await {
                RelayFrame::Stdout(line) => out.push(String::from_utf8_lossy(&line).into()),
                RelayFrame::Stderr(line) => err.push(String::from_utf8_lossy(&line).into()),
                RelayFrame::Exited(exit) => return (out, err, exit),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// Stdout lines until one equals `line`.
    pub async fn wait_line(&mut self, line: &str) {
        loop {
            match self.recv().await {
                RelayFrame::Stdout(got) if got == line.as_bytes() => return,
                RelayFrame::Stdout(_) | RelayFrame::Stderr(_) => {}
                other => panic!("waiting for {line:?}: unexpected {other:?}"),
            }
        }
    }
}

/// Starts a relay for `session`, answers its hello with `spec`, and waits for `Started`.
pub async fn start(session: &str, spec: AgentSpec, env: &[(&str, &str)]) -> (Relay, Peer, u32) {
    let (listener, address) = listen().await;
    let relay = Relay::spawn(&address, session, Some(SECRET), env);
    let mut peer = Peer::accept(&listener).await;
    let hello = peer.hello().await;
    assert_eq!(hello.session_id, session);
    assert_eq!(hello.secret, SECRET);
    assert_eq!(hello.relay_pid, u32::try_from(relay.pid).unwrap());
    peer.send(DaemonFrame::Welcome(Box::new(spec))).await;
    match peer.recv().await {
        RelayFrame::Started { pid } => (relay, peer, pid),
        other => panic!("expected Started, got {other:?}"),
    }
}

/// Live (not zombie) processes of this user whose environment holds exactly
/// `WUNDR_SESSION_ID=<session>`.
pub fn marked(session: &str) -> Vec<u32> {
    let marker = format!("WUNDR_SESSION_ID={session}");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
                return false;
            };
            let alive = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    let rest = stat.rsplit_once(')')?.1.trim_start().to_owned();
                    Some(!rest.starts_with('Z') && !rest.starts_with('X'))
                })
                .unwrap_or(false);
            alive
                && environ
                    .split(|b| *b == 0)
                    .any(|entry| entry == marker.as_bytes())
        })
        .collect()
}

/// Polls until no process carries the session's marker; panics with what is left.
pub async fn wait_none_marked(session: &str) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let left = marked(session);
        if left.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "processes of {session} survived: {}",
            describe(&left)
        );
        sleep(Duration::from_millis(50)).await;
    }
}

/// Polls until `probe` holds.
pub async fn wait_for(what: &str, mut probe: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !probe() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        sleep(Duration::from_millis(50)).await;
    }
}

/// `pid: cmdline` for each pid.
pub fn describe(pids: &[u32]) -> String {
    pids.iter()
        .map(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            format!(
                "{pid}: {}",
                String::from_utf8_lossy(&cmdline).replace('\0', " ")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The state letter of `pid` (`R`, `S`, `T` …), if it lives.
pub fn state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}
