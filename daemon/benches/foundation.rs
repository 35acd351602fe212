//! Foundation benchmark (a bench binary, not a timed test): start-to-ready of the real
//! `orchestrator-daemon --daemonize`, its idle RSS, and `GetStatus` round trips per second over
//! the Unix socket — each next to a baseline measured in the same run, because absolute numbers
//! on shared machines drift by 2–3× within an hour:
//!
//! - start-to-ready vs. exec of `/bin/true` (the cost of any process start);
//! - idle RSS vs. `sleep` (any process) and a bare Node.js process (upstream's runtime floor);
//! - `GetStatus`/s vs. a bare tonic server answering `GetStatus` with an empty message, in a
//!   process of its own like the daemon (the limit of the stack), interleaved round by round.
//!
//! Run: `cargo bench -p orchestrator-daemon --bench foundation`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use orchestrator_api::v1;
use orchestrator_api::v1::daemon_client::DaemonClient;
use orchestrator_api::v1::daemon_server::{Daemon, DaemonServer};
use tokio_stream::wrappers::UnixListenerStream;
use tonic::{Request, Response, Status};

const DAEMON: &str = env!("CARGO_BIN_EXE_orchestrator-daemon");
const STARTS: usize = 20;
const ROUND: Duration = Duration::from_millis(1500);

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

fn env_for(home: &Path) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("HOME", home.to_path_buf()),
        ("XDG_RUNTIME_DIR", home.join("run")),
        ("XDG_STATE_HOME", home.join("state")),
        ("XDG_DATA_HOME", home.join("data")),
        ("XDG_CONFIG_HOME", home.join("config")),
    ]
}

fn start_daemon(home: &Path) -> (u32, Duration) {
    let began = Instant::now();
    let out = Command::new(DAEMON)
        .args(["--daemonize", "--port", "0"])
        .envs(env_for(home))
        .env_remove("WUNDR_ORCHESTRATOR_SOCKET")
        .stdin(Stdio::null())
        .output()
        .expect("run the daemon");
    let ready = began.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap(),
        ready,
    )
}

fn stop_daemon(pid: u32) {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if stat.contains(") Z") {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn idle_rss_of(mut command: Command) -> Option<u64> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    std::thread::sleep(Duration::from_secs(2));
    let rss = rss_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    Some(rss)
}

#[derive(Default)]
struct Bare;

#[tonic::async_trait]
impl Daemon for Bare {
    async fn get_status(
        &self,
        _: Request<v1::GetStatusRequest>,
    ) -> Result<Response<v1::GetStatusResponse>, Status> {
        Ok(Response::new(v1::GetStatusResponse::default()))
    }
    type StreamLogsStream = tokio_stream::Empty<Result<v1::LogLine, Status>>;
    async fn stream_logs(
        &self,
        _: Request<v1::StreamLogsRequest>,
    ) -> Result<Response<Self::StreamLogsStream>, Status> {
        Err(Status::unimplemented("bare"))
    }
    type WatchEventsStream = tokio_stream::Empty<Result<v1::Event, Status>>;
    async fn watch_events(
        &self,
        _: Request<v1::WatchEventsRequest>,
    ) -> Result<Response<Self::WatchEventsStream>, Status> {
        Err(Status::unimplemented("bare"))
    }
    async fn shutdown(
        &self,
        _: Request<v1::ShutdownRequest>,
    ) -> Result<Response<v1::ShutdownResponse>, Status> {
        Err(Status::unimplemented("bare"))
    }
}

/// Round trips per second with `clients` concurrent clients (one channel each) for `ROUND`.
async fn status_rate(socket: &Path, clients: usize) -> f64 {
    let mut tasks = Vec::new();
    let deadline = Instant::now() + ROUND;
    for _ in 0..clients {
        let channel = orchestrator_api::connect(socket).await.unwrap();
        tasks.push(tokio::spawn(async move {
            let mut client = DaemonClient::new(channel);
            let mut calls = 0u64;
            while Instant::now() < deadline {
                client.get_status(v1::GetStatusRequest {}).await.unwrap();
                calls += 1;
            }
            calls
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    total as f64 / ROUND.as_secs_f64()
}

/// Set to a socket path, the bench binary only serves the bare baseline there.
const BARE_SERVER_ENV: &str = "WUNDR_BENCH_BARE_SERVER";

fn serve_bare(socket: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::UnixListener::bind(socket).unwrap();
        tonic::transport::Server::builder()
            .add_service(DaemonServer::new(Bare))
            .serve_with_incoming(UnixListenerStream::new(listener))
            .await
            .unwrap();
    });
}

fn main() {
    if let Ok(socket) = std::env::var(BARE_SERVER_ENV) {
        return serve_bare(&socket);
    }
    let home = tempfile::Builder::new()
        .prefix("wundr-bench")
        .tempdir()
        .unwrap();
    std::fs::create_dir(home.path().join("run")).unwrap();
    let machine = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("model name\t: ").map(str::to_owned))
        .unwrap_or_default();
    println!(
        "machine: {} cores, {machine}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // Start-to-ready, interleaved with the baseline.
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..STARTS {
        let began = Instant::now();
        Command::new("/bin/true").status().unwrap();
        floor.push(began.elapsed());
        let (pid, ready) = start_daemon(home.path());
        ours.push(ready);
        stop_daemon(pid);
    }
    let (p50, floor50) = (percentile(&mut ours, 0.5), percentile(&mut floor, 0.5));
    println!(
        "start-to-ready  p50 {:.1} ms  p99 {:.1} ms  | exec /bin/true p50 {:.2} ms  | ratio {:.1}x the process-start floor",
        p50.as_secs_f64() * 1e3,
        percentile(&mut ours, 0.99).as_secs_f64() * 1e3,
        floor50.as_secs_f64() * 1e3,
        p50.as_secs_f64() / floor50.as_secs_f64()
    );

    // Idle RSS.
    let (pid, _) = start_daemon(home.path());
    std::thread::sleep(Duration::from_secs(2));
    let daemon_rss = rss_kib(pid);
    let sleep_rss = idle_rss_of({
        let mut c = Command::new("sleep");
        c.arg("60");
        c
    });
    let node_rss = idle_rss_of({
        let mut c = Command::new("node");
        c.args(["-e", "setInterval(() => {}, 1000)"]);
        c
    });
    println!(
        "idle RSS        daemon {:.1} MiB | sleep {:.1} MiB | bare node {} ",
        daemon_rss as f64 / 1024.0,
        sleep_rss.unwrap_or(0) as f64 / 1024.0,
        node_rss.map_or("n/a (node not installed)".to_owned(), |n| format!(
            "{:.1} MiB (daemon = {:.2}x bare node)",
            n as f64 / 1024.0,
            daemon_rss as f64 / n as f64
        ))
    );

    // GetStatus round trips, against a bare tonic server in the same run.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let socket = home.path().join("run/wundr/orchestrator.sock");
    let bare_socket = home.path().join("bare.sock");
    let mut bare = Command::new(std::env::current_exe().unwrap())
        .env(BARE_SERVER_ENV, &bare_socket)
        .spawn()
        .unwrap();
    while !bare_socket.exists() {
        std::thread::sleep(Duration::from_millis(5));
    }
    runtime.block_on(async {
        for clients in [1usize, 8] {
            let (mut ours, mut theirs) = (0.0, 0.0);
            for _ in 0..3 {
                ours += status_rate(&socket, clients).await;
                theirs += status_rate(&bare_socket, clients).await;
            }
            println!(
                "GetStatus/s     {clients} client(s): daemon {:.0}/s | bare tonic {:.0}/s | ratio {:.2}",
                ours / 3.0,
                theirs / 3.0,
                ours / theirs
            );
        }
    });
    let _ = bare.kill();
    let _ = bare.wait();
    stop_daemon(pid);
}
