//! [`real_claude`]: the real Claude Code CLI (npm `@anthropic-ai/claude-code@2.1.330`) for
//! the tests that drive it (the daemon's and this crate's: one copy of the install logic),
//! and [`real_claude_flow`] (npm `claude-flow@3.43.0`) the same way.
//! Found at `$WUNDR_TEST_CLAUDE` (`$WUNDR_TEST_CLAUDE_FLOW`), else in the repository's `.cache/`,
//! else installed there with npm (once; a lock keeps parallel test binaries from racing).
//! Without npm it cannot exist here: the caller skips with a loud message — unless
//! `WUNDR_REQUIRE_CLAUDE=1` (CI), where a missing CLI fails the test.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::fcntl::{Flock, FlockArg};

/// The npm package and version the tests are written against.
pub const PACKAGE: &str = "@anthropic-ai/claude-code@2.1.330";

/// Claude Flow (ruflo), whose `hive-mind spawn --claude` starts the real Claude Code.
pub const FLOW_PACKAGE: &str = "claude-flow@3.43.0";

/// One npm-installed program the tests run for real.
struct NpmProgram {
    package: &'static str,
    /// The directory under `.cache/`.
    dir: &'static str,
    /// Its executable in `node_modules/.bin/`.
    bin: &'static str,
    /// What `<bin> --version` prints when it is the right version.
    version: &'static str,
    /// The variable that points at another copy instead.
    override_var: &'static str,
    /// Its name in SKIPPED lines.
    name: &'static str,
}

const CLAUDE: NpmProgram = NpmProgram {
    package: PACKAGE,
    dir: "claude-code-2.1.330",
    bin: "claude",
    version: "2.1.330",
    override_var: "WUNDR_TEST_CLAUDE",
    name: "real Claude Code CLI",
};

const FLOW: NpmProgram = NpmProgram {
    package: FLOW_PACKAGE,
    dir: "claude-flow-3.43.0",
    bin: "claude-flow",
    version: "v3.43.0",
    override_var: "WUNDR_TEST_CLAUDE_FLOW",
    name: "real Claude Flow CLI",
};

/// The claude binary, or `None` (after printing why) when it cannot be had on this machine.
pub fn real_claude() -> Option<PathBuf> {
    CLAUDE.find()
}

/// The claude-flow binary (npm `claude-flow@3.43.0`), like [`real_claude`]: installed into
/// `.cache/` once; `None` after a loud SKIPPED line where npm cannot exist; with
/// `WUNDR_REQUIRE_CLAUDE=1` a missing one fails the test.
pub fn real_claude_flow() -> Option<PathBuf> {
    FLOW.find()
}

impl NpmProgram {
    /// `.cache/<dir>` at the repository's root (this crate is `test-support/`).
    fn cache_dir(&self) -> PathBuf {
        crate::binaries::repository().join(".cache").join(self.dir)
    }

    fn works(&self, program: &Path) -> bool {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|out| {
                out.status.success() && String::from_utf8_lossy(&out.stdout).contains(self.version)
            })
    }

    fn find(&self) -> Option<PathBuf> {
        let required = std::env::var("WUNDR_REQUIRE_CLAUDE").is_ok_and(|v| v == "1");
        match (self.locate(), required) {
            (Ok(path), _) => Some(path),
            (Err(why), true) => panic!("the {} is required here but missing: {why}", self.name),
            (Err(why), false) => {
                eprintln!("\n*** SKIPPED: {} test — {why} ***\n", self.name);
                None
            }
        }
    }

    fn locate(&self) -> Result<PathBuf, String> {
        if let Ok(path) = std::env::var(self.override_var) {
            let path = PathBuf::from(path);
            return if self.works(&path) {
                Ok(path)
            } else {
                Err(format!(
                    "{}={} does not run",
                    self.override_var,
                    path.display()
                ))
            };
        }
        let dir = self.cache_dir();
        let program = dir.join("node_modules/.bin").join(self.bin);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let lock = File::create(dir.join(".install.lock")).map_err(|e| e.to_string())?;
        let _held = Flock::lock(lock, FlockArg::LockExclusive).map_err(|(_, e)| e.to_string())?;
        if self.works(&program) {
            return Ok(program);
        }
        let package = self.package;
        let npm = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--prefix",
            ])
            .arg(&dir)
            .arg(package)
            .output()
            .map_err(|e| format!("npm is not available to install {package} ({e})"))?;
        if !npm.status.success() {
            return Err(format!(
                "npm install {package} failed: {}",
                String::from_utf8_lossy(&npm.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ));
        }
        if self.works(&program) {
            Ok(program)
        } else {
            Err(format!(
                "{} was installed but does not run",
                program.display()
            ))
        }
    }
}
