//! The real `orchestrator-daemon` binary in the foreground as systemd runs it (`Type=notify`):
//! with `$NOTIFY_SOCKET` set it sends `READY=1` only once its control socket answers, and
//! `STOPPING=1` when SIGTERM starts a graceful stop; the socket here is a datagram socket the
//! test binds, as systemd's is.

use crate::common;

use std::os::unix::net::UnixDatagram;
use std::process::Stdio;
use std::time::Duration;

use common::daemon_binary::{DAEMON, RunningDaemon};
use common::{TestHome, alive, client, wait_until};
use nix::sys::signal::Signal;
use orchestrator_api::v1;

/// The next datagram, or `None` after the (generous) deadline.
fn receive(socket: &UnixDatagram) -> Option<String> {
    let mut buffer = [0u8; 4096];
    socket
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let len = socket.recv(&mut buffer).ok()?;
    Some(String::from_utf8_lossy(&buffer[..len]).into_owned())
}

#[tokio::test]
async fn foreground_daemon_notifies_ready_then_stopping() {
    let home = TestHome::new();
    let notify_path = home.path().join("notify.sock");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    let mut child = home
        .command(DAEMON)
        .args(["--port", "0"])
        .env("NOTIFY_SOCKET", &notify_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let daemon = RunningDaemon { pid: child.id() };

    let ready = receive(&notify).expect("READY=1 within the deadline");
    assert!(ready.lines().any(|l| l == "READY=1"), "{ready:?}");
    assert!(
        ready.lines().any(|l| l.starts_with("STATUS=running")),
        "{ready:?}"
    );
    // Ready means usable: the control socket answers at once.
    let status = client(&home.paths().socket)
        .await
        .get_status(v1::GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.pid, child.id());

    daemon.signal(Signal::SIGTERM);
    let stopping = receive(&notify).expect("STOPPING=1 within the deadline");
    assert!(stopping.lines().any(|l| l == "STOPPING=1"), "{stopping:?}");
    let exited = wait_until(Duration::from_secs(30), || child.try_wait().unwrap());
    assert!(exited.expect("the daemon exits").success());
    assert!(!alive(daemon.pid));
}
