//! `wundr orchestrator service uninstall`: [`UninstallArgs`]. Stops and disables the user
//! service, removes its file and tells the service manager, printing each step. Without an
//! installed file there is nothing to do, which is not an error.

use clap::Args;

use super::files::{LABEL, UNIT_FILE};
use super::{Manager, ServiceError};
use crate::error::{CliError, Outcome};
use crate::output;

/// Arguments of `wundr orchestrator service uninstall`.
#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Print what would be done instead of doing it
    #[arg(long)]
    pub dry_run: bool,
}

/// Removes the user service.
pub fn run(args: &UninstallArgs, manager: &Manager) -> Result<Outcome, CliError> {
    let file = manager.file();
    if !file.exists() {
        output::stdout(&format!(
            "not installed ({} does not exist); nothing to do\n",
            file.display()
        ))?;
        return Ok(Outcome::Success);
    }
    if args.dry_run {
        let steps = match manager {
            Manager::Systemd { .. } => format!(
                "systemctl --user disable --now {UNIT_FILE}\nrm {}\nsystemctl --user daemon-reload\n",
                file.display()
            ),
            Manager::Launchd { .. } => format!(
                "launchctl bootout {}/{LABEL}\nrm {}\n",
                Manager::launchd_domain(),
                file.display()
            ),
        };
        output::stdout(&format!("# dry run: would run\n{steps}"))?;
        return Ok(Outcome::Success);
    }
    // A unit that was never loaded cannot be disabled; removing its file is still right.
    let stopped = match manager {
        Manager::Systemd { .. } => {
            Manager::run("systemctl", &["--user", "disable", "--now", UNIT_FILE]).map(drop)
        }
        Manager::Launchd { .. } => Manager::run(
            "launchctl",
            &["bootout", &format!("{}/{LABEL}", Manager::launchd_domain())],
        )
        .map(drop),
    };
    if let Err(err) = &stopped {
        output::warn(&format!("{err} (continuing)"));
    }
    std::fs::remove_file(file).map_err(|source| ServiceError::Remove {
        path: file.to_path_buf(),
        source,
    })?;
    output::stdout(&format!("removed {}\n", file.display()))?;
    if let Manager::Systemd { .. } = manager
        && let Err(err) = Manager::run("systemctl", &["--user", "daemon-reload"])
    {
        output::warn(&format!(
            "{err} (the file is gone; it takes effect at next login)"
        ));
    }
    output::stdout("uninstalled\n")?;
    Ok(Outcome::Success)
}
