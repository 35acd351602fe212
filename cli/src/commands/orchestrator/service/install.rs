//! `wundr orchestrator service install`: [`InstallArgs`]. Writes the unit (or plist) for the
//! `orchestrator-daemon` found beside `wundr` or on `PATH`, then has the service manager load,
//! enable and start it, printing each step. `--dry-run` prints the file and the commands and
//! changes nothing. A daemon already running outside the service manager is left alone (the
//! service would only fail to take its socket): the service is enabled, not started, and the
//! output says how to switch over.

use std::path::Path;

use clap::Args;
use orchestrator_api::paths::DaemonPaths;

use super::files::{LABEL, UNIT_FILE, render_plist, render_unit};
use super::{Manager, ServiceError};
use crate::commands::orchestrator::start::find_daemon_binary;
use crate::error::{CliError, Outcome};
use crate::output;
use crate::process::locked_pid;

/// Arguments of `wundr orchestrator service install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Print the service file and the commands instead of doing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Enable the service for the next login but do not start it now
    #[arg(long)]
    pub no_start: bool,
}

/// Installs the user service.
pub fn run(
    args: &InstallArgs,
    manager: &Manager,
    paths: &DaemonPaths,
    socket: Option<&Path>,
) -> Result<Outcome, CliError> {
    let exe = std::env::current_exe().ok();
    let daemon = find_daemon_binary(exe.as_deref(), std::env::var_os("PATH").as_deref())?;
    let (text, commands) = match manager {
        Manager::Systemd { .. } => {
            let mut enable = vec!["--user", "enable"];
            if !args.no_start {
                enable.push("--now");
            }
            enable.push(UNIT_FILE);
            (
                render_unit(&daemon, socket),
                vec![vec!["--user", "daemon-reload"], enable],
            )
        }
        Manager::Launchd { home, .. } => (render_plist(&daemon, socket, home), Vec::new()),
    };
    let file = manager.file();
    if args.dry_run {
        output::stdout(&format!("# {}\n{text}", file.display()))?;
        let then = match manager {
            Manager::Systemd { .. } => commands
                .iter()
                .map(|c| format!("#   systemctl {}\n", c.join(" ")))
                .collect::<String>(),
            Manager::Launchd { .. } => format!(
                "#   launchctl bootstrap {} {}\n",
                Manager::launchd_domain(),
                file.display()
            ),
        };
        output::stdout(&format!(
            "# dry run: nothing written. Then it would run:\n{then}"
        ))?;
        return Ok(Outcome::Success);
    }
    write_file(file, &text)?;
    output::stdout(&format!(
        "wrote {} (daemon: {})\n",
        file.display(),
        daemon.display()
    ))?;
    let outside = locked_pid(&paths.pid_file)?;
    let start_now = !args.no_start && outside.is_none();
    match manager {
        Manager::Systemd { .. } => {
            Manager::run("systemctl", &commands[0])?;
            let mut enable = commands[1].clone();
            if !start_now {
                enable.retain(|a| *a != "--now");
            }
            Manager::run("systemctl", &enable)?;
        }
        Manager::Launchd { home, .. } => {
            let logs = home.join("Library/Logs/wundr");
            std::fs::create_dir_all(&logs).map_err(|source| ServiceError::Write {
                path: logs.clone(),
                source,
            })?;
            let domain = Manager::launchd_domain();
            // Reinstalling: unload the old definition first; "not loaded" is fine.
            let _ = Manager::query("launchctl", &["bootout", &format!("{domain}/{LABEL}")]);
            if start_now {
                Manager::run(
                    "launchctl",
                    &["bootstrap", &domain, &file.to_string_lossy()],
                )?;
            }
        }
    }
    let summary = match (outside, start_now) {
        (Some(pid), _) => format!(
            "installed; not started because a daemon started outside the service manager runs \
             (pid {pid}). Switch over with: wundr orchestrator stop && {}\n",
            start_command(manager)
        ),
        (None, true) => "installed and started; it will start at every login. \
             Check it with: wundr orchestrator service status\n"
            .to_owned(),
        (None, false) => format!(
            "installed; it will start at the next login, or now with: {}\n",
            start_command(manager)
        ),
    };
    output::stdout(&summary)?;
    Ok(Outcome::Success)
}

fn start_command(manager: &Manager) -> String {
    match manager {
        Manager::Systemd { .. } => format!("systemctl --user start {UNIT_FILE}"),
        Manager::Launchd { plist, .. } => format!(
            "launchctl bootstrap {} {}",
            Manager::launchd_domain(),
            plist.display()
        ),
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), ServiceError> {
    let write = || {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, text)
    };
    write().map_err(|source| ServiceError::Write {
        path: path.to_path_buf(),
        source,
    })
}
