//! `wundr orchestrator service status`: [`StatusArgs`]. Whether the user service's file is
//! installed, and what the service manager says about it (enabled, running). Exit code 0 when
//! the service runs, 3 when it does not, as `wundr orchestrator status`.

use clap::Args;

use super::Manager;
use super::files::LABEL;
use crate::error::{CliError, Outcome};
use crate::output;

/// Arguments of `wundr orchestrator service status`.
#[derive(Debug, Args)]
pub struct StatusArgs {}

/// Reports the user service's state.
pub fn run(_args: &StatusArgs, manager: &Manager) -> Result<Outcome, CliError> {
    let file = manager.file();
    let installed = file.exists();
    let mut text = format!(
        "service file  {} ({})\n",
        file.display(),
        if installed {
            "installed"
        } else {
            "not installed"
        }
    );
    let answer = |result: Result<String, super::ServiceError>| match result {
        Ok(state) => state,
        Err(err) => format!("unknown ({err})"),
    };
    let running = match manager {
        Manager::Systemd { .. } => {
            let enabled = answer(Manager::systemd_state("is-enabled"));
            let active = answer(Manager::systemd_state("is-active"));
            text.push_str(&format!(
                "enabled       {enabled}\nactive        {active}\n"
            ));
            active == "active"
        }
        Manager::Launchd { .. } => {
            let target = format!("{}/{LABEL}", Manager::launchd_domain());
            let state = Manager::query("launchctl", &["print", &target])
                .ok()
                .and_then(|out| {
                    out.lines()
                        .find_map(|l| l.trim().strip_prefix("state = ").map(str::to_owned))
                })
                .unwrap_or_else(|| "not loaded".to_owned());
            text.push_str(&format!("state         {state}\n"));
            state == "running"
        }
    };
    output::stdout(&text)?;
    Ok(if running {
        Outcome::Success
    } else {
        Outcome::NotRunning
    })
}
