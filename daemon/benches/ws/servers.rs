//! The servers the WebSocket bench measures, each in a process of its own so that CPU and
//! memory are attributed fairly: [`Ours`] (the real `orchestrator-daemon` binary in the
//! foreground, its claude-code agent the fixture agent) and [`serve_bare`], a bare
//! tokio-tungstenite server (this bench binary re-executed) that answers every frame with
//! `{"type":"pong"}` (flushing once per batch of frames already received) and on `fanout:N`
//! broadcasts N stream-sized frames to every connection — the limit of this stack.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;

const DAEMON: &str = env!("CARGO_BIN_EXE_orchestrator-daemon");

/// Set to a port, the bench binary only serves the bare baseline there.
pub const BARE_SERVER_ENV: &str = "WUNDR_BENCH_WS_BARE_PORT";

/// A free loopback port (bound, read and released: good enough on a quiet machine).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits until something accepts TCP connections on `port`.
pub fn wait_for_port(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the server on port {port} exited: {status}");
        }
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A child process killed (SIGTERM, then reaped) on drop.
#[derive(Debug)]
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.0.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.0.wait();
    }
}

/// Our daemon on `port`, with `home` as its HOME/XDG tree.
pub fn ours(port: u16, home: &Path) -> Process {
    ours_with(port, home, "")
}

/// [`ours`] with `extra` appended to its config file.
pub fn ours_with(port: u16, home: &Path, extra: &str) -> Process {
    std::fs::create_dir_all(home.join("run")).unwrap();
    let config = home.join("orchestrator.yaml");
    std::fs::write(
        &config,
        format!(
            "agents:\n  claude-code:\n    command: {}\n{extra}",
            wundr_test_support::fixture_agent()
        ),
    )
    .unwrap();
    let mut child = Command::new(DAEMON)
        .arg("--port")
        .arg(port.to_string())
        .arg("--config")
        .arg(&config)
        .env("HOME", home)
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("WUNDR_ORCHESTRATOR_SOCKET")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run the daemon");
    wait_for_port(port, &mut child);
    Process(child)
}

/// The bare server, in a child process.
pub fn bare(port: u16) -> Process {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(BARE_SERVER_ENV, port.to_string())
        .stdin(Stdio::null())
        .spawn()
        .expect("re-run the bench as the bare server");
    wait_for_port(port, &mut child);
    Process(child)
}

/// Serves the bare baseline on `port` forever (the re-executed bench binary's whole job).
pub fn serve_bare(port: u16) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let (fan, _) = broadcast::channel::<Message>(65_536);
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let fan = fan.clone();
            tokio::spawn(async move {
                let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                let (mut sink, mut stream) = ws.split();
                let mut fanned = fan.subscribe();
                let ack = r#"{"type":"health_check_response","healthy":true}"#;
                if sink.send(Message::text(ack)).await.is_err() {
                    return;
                }
                loop {
                    tokio::select! {
                        frame = stream.next() => {
                            // Answer this frame and every one already received, then flush
                            // once: the batching any serious server does, so this stays the
                            // limit of the stack.
                            let mut next = frame;
                            loop {
                                match next {
                                    Some(Ok(Message::Text(text))) => {
                                        if let Some(n) = text.as_str().strip_prefix("fanout:") {
                                            broadcast_stream(&fan, n.parse().unwrap_or(0));
                                        } else if sink.feed(Message::text(r#"{"type":"pong"}"#)).await.is_err() {
                                            return;
                                        }
                                    }
                                    Some(Ok(_)) => {}
                                    _ => return,
                                }
                                match stream.next().now_or_never() {
                                    Some(more) => next = more,
                                    None => break,
                                }
                            }
                            if sink.flush().await.is_err() {
                                return;
                            }
                        }
                        out = fanned.recv() => match out {
                            Ok(message) => {
                                if sink.feed(message).await.is_err() {
                                    return;
                                }
                                while let Ok(more) = fanned.try_recv() {
                                    if sink.feed(more).await.is_err() {
                                        return;
                                    }
                                }
                                if sink.flush().await.is_err() {
                                    return;
                                }
                            }
                            Err(broadcast::error::RecvError::Lagged(_)) => {}
                            Err(broadcast::error::RecvError::Closed) => return,
                        },
                    }
                }
            });
        }
    });
}

/// N frames shaped like the daemon's `stream_chunk`, then an end frame.
fn broadcast_stream(fan: &broadcast::Sender<Message>, n: usize) {
    for i in 0..n {
        let frame = format!(
            r#"{{"type":"stream_chunk","data":{{"sessionId":"session_1795507006083_m2lefvdeh","chunk":"chunk {i}","metadata":{{"type":"text","index":{i}}}}},"content":"chunk {i}"}}"#
        );
        let _ = fan.send(Message::text(frame));
    }
    let _ = fan.send(Message::text(r#"{"type":"task_completed"}"#));
}
