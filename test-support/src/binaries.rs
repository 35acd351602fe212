//! The workspace's own programs, for the tests and benches of the other crates:
//! [`fixture_agent`] (the stand-in for Claude Code) and [`workspace_binary`] (any binary of this
//! workspace). Cargo builds only the binaries of the package under test, so one that is missing
//! beside the running test, or older than its sources, is built first (in the running test's
//! profile): a stale one would test old code.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

/// The repository's root (this crate is `test-support/`).
pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `target/<profile>/` of the running test or bench (it runs from `target/<profile>/deps/`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the running test's path");
    let dir = exe.parent().expect("the test runs from a directory");
    if dir.ends_with("deps") {
        dir.parent().unwrap_or(dir).to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

/// The binary `bin` of workspace package `package`, beside the running test: (re)built when
/// it is missing or older than any file under `sources` (paths from the repository's root).
pub fn workspace_binary(package: &str, bin: &str, sources: &[&str]) -> PathBuf {
    let dir = profile_dir();
    let binary = dir.join(bin);
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let root = repository();
    let newest_source = sources
        .iter()
        .filter_map(|source| newest_modified(&root.join(source)))
        .max();
    let built = modified(&binary);
    if built.is_none() || built < newest_source {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut build = Command::new(cargo);
        build.args(["build", "-p", package, "--bin", bin]);
        if dir.ends_with("release") {
            build.arg("--release");
        }
        let status = build
            .status()
            .unwrap_or_else(|err| panic!("cannot run cargo build -p {package}: {err}"));
        assert!(
            status.success(),
            "cargo build -p {package} --bin {bin} failed"
        );
    }
    assert!(binary.is_file(), "{} is missing", binary.display());
    binary
}

/// The fixture agent (`src/bin/fixture-agent/`), built beside the running test when needed.
pub fn fixture_agent() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = workspace_binary(
            "wundr-test-support",
            "fixture-agent",
            &["test-support/src/bin/fixture-agent"],
        );
        path.to_str()
            .expect("the target directory's path is UTF-8")
            .to_owned()
    })
}

/// The newest modification time of any file under `path` (a source tree: no `target/`).
pub fn newest_modified(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .flatten()
        .filter_map(|entry| newest_modified(&entry.path()))
        .max()
}
