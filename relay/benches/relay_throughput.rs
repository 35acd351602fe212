//! Throughput of the relay against a direct pipe, in one run: an agent (`yes | head`) prints
//! N lines of ~1 KiB JSON, read (1) by this bench straight from the agent's stdout pipe, and
//! (2) through a real `wundr orchestrator relay` (the release build beside this bench) by a
//! fake daemon here that decodes every frame. Prints lines/s of both, their ratio (target
//! ≥ 0.5), and the relay's peak RSS while streaming (VmHWM; target ≤ 10 MB).
//!
//! ```sh
//! cargo bench -p orchestrator-relay --bench relay_throughput [-- LINES]
//! ```

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use orchestrator_relay::wire::{
    AgentSpec, DaemonFrame, RelayFrame, SECRET_ENV, read_frame, write_frame,
};
use tokio::io::{AsyncReadExt, BufReader as AsyncBufReader};
use tokio::net::TcpListener;

const DEFAULT_LINES: u64 = 200_000;
const ROUNDS: usize = 3;

fn main() {
    let lines = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse::<u64>().ok())
        .unwrap_or(DEFAULT_LINES);
    let wundr = wundr_test_support::binaries::workspace_binary(
        "wundr",
        "wundr",
        &["cli/src", "relay/src", "charter/src", "config/src", "proto"],
    );
    let line = json_line();
    let script = format!("yes '{line}' | head -n {lines}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "{lines} lines of {} bytes ({:.0} MB), best of {ROUNDS}",
        line.len() + 1,
        (lines * (line.len() as u64 + 1)) as f64 / 1e6
    );
    let mut direct_best = Duration::MAX;
    let mut relay_best = Duration::MAX;
    let mut peak_rss_kb = 0;
    for _ in 0..ROUNDS {
        direct_best = direct_best.min(direct(&script, lines));
        let (took, rss) = runtime.block_on(relayed(&wundr, &script, lines));
        relay_best = relay_best.min(took);
        peak_rss_kb = peak_rss_kb.max(rss);
    }
    let rate = |took: Duration| lines as f64 / took.as_secs_f64();
    let (direct_rate, relay_rate) = (rate(direct_best), rate(relay_best));
    println!("direct pipe:   {direct_rate:>12.0} lines/s ({direct_best:?})");
    println!("through relay: {relay_rate:>12.0} lines/s ({relay_best:?})");
    println!(
        "ratio:         {:>12.2} (target >= 0.5)",
        relay_rate / direct_rate
    );
    println!(
        "relay peak RSS: {:>11.1} MB (VmHWM; target <= 10 MB)",
        peak_rss_kb as f64 / 1024.0
    );
}

/// A stream-json-like line of about 1 KiB, without quotes the shell would mind.
fn json_line() -> String {
    let text = "lorem ipsum dolor sit amet ".repeat(36);
    format!(
        r#"{{"type":"assistant","message":{{"role":"assistant","content":[{{"type":"text","text":"{}"}}]}},"session_id":"bench"}}"#,
        &text[..text.len().min(900)]
    )
}

/// The agent's stdout read straight from its pipe, line by line.
fn direct(script: &str, lines: u64) -> Duration {
    let started = Instant::now();
    let mut child = Command::new("sh")
        .args(["-c", script])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::with_capacity(64 * 1024, child.stdout.take().unwrap());
    let mut line = Vec::new();
    let mut count = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).unwrap() == 0 {
            break;
        }
        count += 1;
    }
    child.wait().unwrap();
    let took = started.elapsed();
    assert_eq!(count, lines);
    took
}

/// The same agent through a relay; how long from `Welcome` to `Exited`, and the relay's
/// peak RSS in KiB.
async fn relayed(wundr: &PathBuf, script: &str, lines: u64) -> (Duration, u64) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let mut relay = tokio::process::Command::new(wundr)
        .args([
            "orchestrator",
            "relay",
            "--daemon",
            &address,
            "--session",
            "bench",
        ])
        .env(SECRET_ENV, "bench")
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = relay.id().unwrap();
    let peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (Arc::clone(&peak), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Some(kb) = vm_hwm_kb(pid) {
                    peak.fetch_max(kb, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let (stream, _) = listener.accept().await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut read = AsyncBufReader::with_capacity(256 * 1024, read);
    let hello: Option<RelayFrame> = read_frame(&mut read).await.unwrap();
    assert!(matches!(hello, Some(RelayFrame::Hello(_))));
    let spec = AgentSpec {
        program: "sh".into(),
        args: vec!["-c".into(), script.into()],
        env: Default::default(),
        cwd: "/".into(),
        stdin: false,
        max_line_bytes: 1024 * 1024,
    };
    let started = Instant::now();
    write_frame(&mut write, &DaemonFrame::Welcome(Box::new(spec)))
        .await
        .unwrap();
    // Decode every frame as the daemon would, without keeping the lines.
    let mut payload = vec![0u8; 64 * 1024];
    let mut count = 0;
    loop {
        let mut header = [0u8; 5];
        read.read_exact(&mut header).await.unwrap();
        let length = u32::from_be_bytes(header[..4].try_into().unwrap()) as usize - 1;
        if payload.len() < length {
            payload.resize(length, 0);
        }
        read.read_exact(&mut payload[..length]).await.unwrap();
        match header[4] {
            4 => count += 1,
            7 => break,
            _ => {}
        }
    }
    let took = started.elapsed();
    done.store(true, Ordering::Relaxed);
    if let Some(kb) = vm_hwm_kb(pid) {
        peak.fetch_max(kb, Ordering::Relaxed);
    }
    sampler.join().unwrap();
    relay.wait().await.unwrap();
    assert_eq!(count, lines);
    (took, peak.load(Ordering::Relaxed))
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
