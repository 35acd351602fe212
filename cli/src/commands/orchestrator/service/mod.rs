//! `wundr orchestrator service install | uninstall | status`: [`ServiceCommand`] runs the daemon
//! under the platform's service manager — a systemd user unit on Linux, a launchd
//! LaunchAgent on macOS ([`Manager`]) — so it starts at login and restarts after a crash.
//! One module per subcommand ([`install`], [`uninstall`], [`status`]); [`files`] renders the
//! unit and the plist from the checked-in templates under `packaging/`; its errors are
//! [`ServiceError`]s; [`Manager::run`] runs `systemctl`/`launchctl` and prints each command.

pub mod files;
pub mod install;
pub mod status;
pub mod uninstall;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use clap::Subcommand;
use orchestrator_api::paths::DaemonPaths;

pub use crate::error::ServiceError;

use crate::error::{CliError, Outcome};
use crate::output;

/// The subcommands of `wundr orchestrator service`.
#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Install the daemon as a user service (systemd or launchd), enable and start it
    Install(install::InstallArgs),
    /// Stop, disable and remove the user service
    Uninstall(uninstall::UninstallArgs),
    /// Show whether the user service is installed, enabled and running (exit 3 if not running)
    Status(status::StatusArgs),
}

/// Runs one `wundr orchestrator service` subcommand.
pub fn run(
    command: ServiceCommand,
    paths: &DaemonPaths,
    socket: Option<&Path>,
) -> Result<Outcome, CliError> {
    let manager = Manager::for_this_platform()?;
    match command {
        ServiceCommand::Install(args) => install::run(&args, &manager, paths, socket),
        ServiceCommand::Uninstall(args) => uninstall::run(&args, &manager),
        ServiceCommand::Status(args) => status::run(&args, &manager),
    }
}

/// The service manager of this platform and where its file for the daemon lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manager {
    /// systemd's per-user instance (`systemctl --user`).
    Systemd {
        /// `$XDG_CONFIG_HOME/systemd/user/wundr-orchestrator.service`.
        unit: PathBuf,
    },
    /// launchd's per-user domain (`gui/<uid>`).
    Launchd {
        /// `~/Library/LaunchAgents/io.wundr.orchestrator.plist`.
        plist: PathBuf,
        /// The user's home, for the paths inside the plist.
        home: PathBuf,
    },
}

impl Manager {
    /// systemd on Linux, launchd on macOS; elsewhere there is nothing to install into.
    pub fn for_this_platform() -> Result<Self, ServiceError> {
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .ok_or(ServiceError::NoHome)?;
        if cfg!(target_os = "macos") {
            Ok(Self::Launchd {
                plist: home.join("Library/LaunchAgents").join(files::PLIST_FILE),
                home,
            })
        } else if cfg!(target_os = "linux") {
            let config = std::env::var_os("XDG_CONFIG_HOME")
                .filter(|d| !d.is_empty())
                .map_or_else(|| home.join(".config"), PathBuf::from);
            Ok(Self::Systemd {
                unit: config.join("systemd/user").join(files::UNIT_FILE),
            })
        } else {
            Err(ServiceError::Unsupported {
                os: std::env::consts::OS,
            })
        }
    }

    /// The file this manager reads the service from.
    pub fn file(&self) -> &Path {
        match self {
            Self::Systemd { unit } => unit,
            Self::Launchd { plist, .. } => plist,
        }
    }

    /// `gui/<uid>`: launchd's domain of the logged-in user.
    pub fn launchd_domain() -> String {
        format!("gui/{}", nix::unistd::getuid())
    }

    /// Runs `program args`, printing it first; its stdout on success.
    pub fn run(program: &str, args: &[&str]) -> Result<String, ServiceError> {
        let shown = format!("{program} {}", args.join(" "));
        output::stdout(&format!("  running: {shown}\n")).map_err(|_| ServiceError::Stdout)?;
        Self::query(program, args)
    }

    /// Runs `systemctl --user is-enabled|is-active UNIT`: the state it prints on stdout, which
    /// it prints with a non-zero exit for the states that are not "enabled"/"active".
    pub fn systemd_state(question: &str) -> Result<String, ServiceError> {
        let (shown, out) = Self::run_quietly("systemctl", &["--user", question, files::UNIT_FILE])?;
        let state = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if !state.is_empty() {
            return Ok(state);
        }
        Err(ServiceError::Failed {
            command: shown,
            detail: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }

    /// Runs `program args` quietly; its stdout on success.
    pub fn query(program: &str, args: &[&str]) -> Result<String, ServiceError> {
        let (shown, out) = Self::run_quietly(program, args)?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        } else {
            let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            Err(ServiceError::Failed {
                command: shown,
                detail: if stderr.is_empty() { stdout } else { stderr },
            })
        }
    }

    /// Runs `program args` with its output captured; the command as shown in errors, and its
    /// output.
    fn run_quietly(program: &str, args: &[&str]) -> Result<(String, Output), ServiceError> {
        let shown = format!("{program} {}", args.join(" "));
        let out = Command::new(program)
            .args(args)
            .output()
            .map_err(|source| ServiceError::Spawn {
                command: shown.clone(),
                source,
            })?;
        Ok((shown, out))
    }
}
