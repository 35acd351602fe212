//! The upstream Node daemon for the WebSocket bench: [`install`] puts npm
//! `@wundr.io/orchestrator-daemon@1.0.39` into the repository's `.cache/` once (with an npm
//! `overrides` entry pinning its unpublished-range dependency `@wundr.io/ai-integration` to
//! 1.0.6, without which it does not install), and [`start`] runs it with
//! `upstream-daemon.js`. Without npm or node the comparison cannot run here: the bench says
//! so loudly and goes on without it.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use nix::fcntl::{Flock, FlockArg};

pub const PACKAGE: &str = "@wundr.io/orchestrator-daemon";
pub const VERSION: &str = "1.0.39";

const MANIFEST: &str = r#"{
  "private": true,
  "dependencies": { "@wundr.io/orchestrator-daemon": "1.0.39" },
  "overrides": { "@wundr.io/ai-integration": "1.0.6" }
}
"#;

fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(".cache")
        .join(format!("upstream-daemon-{VERSION}"))
}

fn installed(dir: &std::path::Path) -> bool {
    let manifest = dir.join("node_modules/@wundr.io/orchestrator-daemon/package.json");
    std::fs::read_to_string(manifest)
        .is_ok_and(|text| text.contains(&format!("\"version\": \"{VERSION}\"")))
}

/// The install directory, or why the upstream daemon cannot be had on this machine.
pub fn install() -> Result<PathBuf, String> {
    Command::new("node")
        .arg("--version")
        .output()
        .map_err(|e| format!("node is not available ({e})"))?;
    let dir = cache_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let lock = File::create(dir.join(".install.lock")).map_err(|e| e.to_string())?;
    let _held = Flock::lock(lock, FlockArg::LockExclusive).map_err(|(_, e)| e.to_string())?;
    if installed(&dir) {
        return Ok(dir);
    }
    std::fs::write(dir.join("package.json"), MANIFEST).map_err(|e| e.to_string())?;
    eprintln!(
        "installing {PACKAGE}@{VERSION} into {} (once)...",
        dir.display()
    );
    let npm = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .output()
        .map_err(|e| format!("npm is not available to install {PACKAGE}@{VERSION} ({e})"))?;
    if !npm.status.success() || !installed(&dir) {
        let stderr = String::from_utf8_lossy(&npm.stderr);
        return Err(format!(
            "npm install {PACKAGE}@{VERSION} failed: {}",
            stderr.lines().last().unwrap_or("")
        ));
    }
    Ok(dir)
}

/// A running upstream daemon; killed on drop.
#[derive(Debug)]
pub struct Upstream {
    pub child: Child,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the upstream daemon from `dir` on `port` with `home` as its HOME and waits until it
/// says it is listening.
pub fn start(dir: &std::path::Path, port: u16, home: &std::path::Path) -> Result<Upstream, String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/ws/upstream-daemon.js");
    let mut child = Command::new("node")
        .arg(script)
        .arg(port.to_string())
        .current_dir(dir)
        .env("NODE_PATH", dir.join("node_modules"))
        .env("HOME", home)
        .env("NODE_ENV", "production")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run node: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let mut lines = BufReader::new(stdout).lines();
    let upstream = Upstream { child };
    loop {
        match lines.next() {
            Some(Ok(line)) if line.trim() == "ready" => break,
            Some(Ok(_)) => continue,
            _ => return Err("the upstream daemon exited before it was ready".to_owned()),
        }
    }
    // Keep draining its log so a full pipe never blocks it.
    std::thread::spawn(move || for _ in lines {});
    Ok(upstream)
}
