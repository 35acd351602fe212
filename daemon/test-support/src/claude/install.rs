//! [`real_claude`]: the real Claude Code CLI (npm `@anthropic-ai/claude-code@2.1.330`) for
//! the tests that drive it (the daemon's and this crate's: one copy of the install logic).
//! Found at `$WUNDR_TEST_CLAUDE`, else in the repository's `.cache/`,
//! else installed there with npm (once; a lock keeps parallel test binaries from racing).
//! Without npm it cannot exist here: the caller skips with a loud message — unless
//! `WUNDR_REQUIRE_CLAUDE=1` (CI), where a missing CLI fails the test.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::fcntl::{Flock, FlockArg};

/// The npm package and version the tests are written against.
pub const PACKAGE: &str = "@anthropic-ai/claude-code@2.1.330";

/// `.cache/` at the repository's root (this crate is `daemon/test-support/`).
fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(".cache")
        .join("claude-code-2.1.330")
}

fn works(claude: &Path) -> bool {
    Command::new(claude)
        .arg("--version")
        .output()
        .is_ok_and(|out| {
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("2.1.330")
        })
}

/// The claude binary, or `None` (after printing why) when it cannot be had on this machine.
pub fn real_claude() -> Option<PathBuf> {
    let required = std::env::var("WUNDR_REQUIRE_CLAUDE").is_ok_and(|v| v == "1");
    let found = locate();
    match (&found, required) {
        (Ok(path), _) => return Some(path.clone()),
        (Err(why), true) => panic!("the real Claude Code CLI is required here but missing: {why}"),
        (Err(why), false) => {
            eprintln!("\n*** SKIPPED: real Claude Code CLI test — {why} ***\n");
        }
    }
    None
}

fn locate() -> Result<PathBuf, String> {
    if let Ok(path) = std::env::var("WUNDR_TEST_CLAUDE") {
        let path = PathBuf::from(path);
        return if works(&path) {
            Ok(path)
        } else {
            Err(format!("WUNDR_TEST_CLAUDE={} does not run", path.display()))
        };
    }
    let dir = cache_dir();
    let claude = dir.join("node_modules/.bin/claude");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let lock = File::create(dir.join(".install.lock")).map_err(|e| e.to_string())?;
    let _held = Flock::lock(lock, FlockArg::LockExclusive).map_err(|(_, e)| e.to_string())?;
    if works(&claude) {
        return Ok(claude);
    }
    let npm = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--prefix",
        ])
        .arg(&dir)
        .arg(PACKAGE)
        .output()
        .map_err(|e| format!("npm is not available to install {PACKAGE} ({e})"))?;
    if !npm.status.success() {
        return Err(format!(
            "npm install {PACKAGE} failed: {}",
            String::from_utf8_lossy(&npm.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    if works(&claude) {
        Ok(claude)
    } else {
        Err(format!(
            "{} was installed but does not run",
            claude.display()
        ))
    }
}
