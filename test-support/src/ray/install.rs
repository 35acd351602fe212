//! [`real_ray`]: Ray `ray[default]==2.60.0` from PyPI, in a venv (a [`RayInstall`]) for the
//! tests that run a real cluster (one copy of the install logic, like `claude::real_claude`).
//! Found at `$WUNDR_TEST_RAY_VENV`, else at `<repo>/.cache/ray-2.60.0/venv`, else made there
//! with `python3 -m venv` + `pip install` once, under a lock so parallel test binaries don't
//! race. Where python3 (or its venv, pip or PyPI) cannot be had, the caller skips with a loud
//! message — unless `WUNDR_REQUIRE_RAY=1` (CI), where that fails the test.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use nix::fcntl::{Flock, FlockArg};

/// The Ray release the tests are written against (`RAY_LOCAL_CLUSTER.md` measured this one).
pub const RAY_VERSION: &str = "2.60.0";

/// `[default]` brings the dashboard and its Jobs REST API, which the tests drive.
const REQUIREMENT: &str = "ray[default]==2.60.0";

/// A venv that holds Ray [`RAY_VERSION`] with its dashboard.
#[derive(Debug, Clone)]
pub struct RayInstall {
    /// The venv's root (it has `bin/ray` and `bin/python`).
    pub venv: PathBuf,
}

impl RayInstall {
    /// `<venv>/bin/ray`, the CLI that starts nodes.
    pub fn ray_bin(&self) -> PathBuf {
        self.bin_dir().join("ray")
    }

    /// `<venv>/bin/python`, for scripts that `import ray`.
    pub fn python(&self) -> PathBuf {
        self.bin_dir().join("python")
    }

    /// `<venv>/bin`, which goes on each node's `PATH`.
    pub fn bin_dir(&self) -> PathBuf {
        self.venv.join("bin")
    }

    /// Whether `ray --version` of this venv names [`RAY_VERSION`].
    fn works(&self) -> bool {
        Command::new(self.ray_bin())
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .is_ok_and(|out| {
                out.status.success()
                    && String::from_utf8_lossy(&out.stdout)
                        .contains(&format!("version {RAY_VERSION}"))
            })
    }
}

/// The Ray venv, or `None` (after a loud SKIPPED line on stderr) when this machine cannot have
/// it. With `WUNDR_REQUIRE_RAY=1` it panics with the reason instead.
pub fn real_ray() -> Option<RayInstall> {
    let required = std::env::var("WUNDR_REQUIRE_RAY").is_ok_and(|v| v == "1");
    match locate() {
        Ok(install) => Some(install),
        Err(why) if required => panic!("Ray {RAY_VERSION} is required here but missing: {why}"),
        Err(why) => {
            eprintln!("\n*** SKIPPED: real Ray cluster test — {why} ***\n");
            None
        }
    }
}

/// `.cache/ray-<version>` at the repository's root (this crate is `test-support/`).
fn cache_dir() -> PathBuf {
    crate::binaries::repository()
        .join(".cache")
        .join(format!("ray-{RAY_VERSION}"))
}

fn text(output: &Output) -> String {
    format!(
        "{}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        tail(&String::from_utf8_lossy(&output.stdout), 20),
        tail(&String::from_utf8_lossy(&output.stderr), 20)
    )
}

/// The last `lines` lines of `text`: pip's failures end with the reason.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn locate() -> Result<RayInstall, String> {
    if let Ok(venv) = std::env::var("WUNDR_TEST_RAY_VENV") {
        let install = RayInstall { venv: venv.into() };
        return if install.works() {
            Ok(install)
        } else {
            Err(format!(
                "WUNDR_TEST_RAY_VENV={}: its bin/ray --version is not {RAY_VERSION}",
                install.venv.display()
            ))
        };
    }
    let dir = cache_dir();
    let install = RayInstall {
        venv: dir.join("venv"),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // Held until return: a second test binary waits here and then finds the venv made.
    let lock = File::create(dir.join(".install.lock"))
        .map_err(|e| format!("cannot create the install lock in {}: {e}", dir.display()))?;
    let _held = Flock::lock(lock, FlockArg::LockExclusive).map_err(|(_, e)| e.to_string())?;
    if install.works() {
        return Ok(install);
    }
    create(&install.venv)?;
    if install.works() {
        Ok(install)
    } else {
        Err(format!(
            "{} was installed but `ray --version` does not say {RAY_VERSION}",
            install.ray_bin().display()
        ))
    }
}

/// A fresh venv at `venv` with [`REQUIREMENT`] (about 20–25 s and 384 MB).
fn create(venv: &Path) -> Result<(), String> {
    // `--clear`: a half-made venv from an interrupted run is started over, not patched.
    let made = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(venv)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("python3 is not available ({e})"))?;
    if !made.status.success() {
        return Err(format!("python3 -m venv failed: {}", text(&made)));
    }
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .arg(REQUIREMENT)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("the venv has no pip ({e})"))?;
    if !pip.status.success() {
        return Err(format!(
            "pip install '{REQUIREMENT}' failed: {}",
            text(&pip)
        ));
    }
    Ok(())
}
