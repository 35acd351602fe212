//! `wundr orchestrator ...`: [`OrchestratorCommand`] with one module per subcommand
//! ([`start`], [`status`], [`logs`], [`stop`], [`restart`], [`doctor`], [`audit`], [`hook`],
//! [`relay`]), the [`session`], [`charter`], [`config`], [`approval`], [`memory`] and
//! [`service`] command groups, and the endpoint summary printed by `start`
//! ([`endpoint_summary`]).

pub mod approval;
pub mod audit;
pub mod charter;
pub mod config;
pub mod doctor;
pub mod hook;
pub mod logs;
pub mod memory;
pub mod relay;
pub mod restart;
pub mod service;
pub mod session;
pub mod start;
pub mod status;
pub mod stop;

use std::path::{Path, PathBuf};

use clap::Subcommand;
use orchestrator_api::paths::DaemonPaths;
use orchestrator_api::v1::GetStatusResponse;

use crate::error::{CliError, Outcome};
use crate::paths::resolve_paths;

/// The subcommands of `wundr orchestrator`.
#[derive(Debug, Subcommand)]
pub enum OrchestratorCommand {
    /// Start the daemon in the background (or in this terminal with --foreground)
    Start(start::StartArgs),
    /// Show whether the daemon runs, where to reach it, its sessions and subsystems
    Status(status::StatusArgs),
    /// Show the daemon log or one session's events (--session), or follow them
    Logs(logs::LogsArgs),
    /// Stop the daemon gracefully, forcing it after a timeout
    Stop(stop::StopArgs),
    /// Stop the daemon if it runs, then start it
    Restart(restart::RestartArgs),
    /// Check what the daemon needs: socket, config, charter, agent programs, login, port, disk
    Doctor(doctor::DoctorArgs),
    /// Spawn, list, inspect, steer and stop agent sessions
    #[command(subcommand)]
    Session(session::SessionCommand),
    /// Validate, show and reload the charter (what agents may do)
    #[command(subcommand)]
    Charter(charter::CharterCommand),
    /// Check the daemon's configuration file (and the charter it names) before using it
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// List, approve and deny escalated agent actions
    #[command(subcommand)]
    Approval(approval::ApprovalCommand),
    /// List the charter decisions the daemon recorded
    Audit(audit::AuditArgs),
    /// Answer a Claude Code hook (run by agents' settings; reads the hook input on stdin)
    Hook(hook::HookArgs),
    /// The entrypoint of a remote session's job: runs the agent on this node for the daemon
    /// (run by the runner, not by people)
    ///
    /// Dials the daemon's relay listener (--daemon), proves itself with the session's secret
    /// from WUNDR_RELAY_SECRET (never an argument: arguments show in `ps` and in Ray's job
    /// list), runs the agent the daemon describes, and carries its stdin, stdout, stderr and
    /// charter hooks over that one connection. Nothing the agent starts outlives the relay.
    /// Exit 0 once the agent's end reached the daemon (whatever the agent's own exit code),
    /// 1 otherwise (the reason on stderr, which is the job's log).
    Relay(relay::RelayArgs),
    /// The relay's guard process (started by the relay itself)
    #[command(hide = true)]
    RelayGuard(relay::RelayGuardArgs),
    /// Add, search, list, forget, export and import the daemon's memories
    #[command(subcommand)]
    Memory(memory::MemoryCommand),
    /// Run the daemon as a user service (systemd or launchd): install, uninstall, status
    #[command(subcommand)]
    Service(service::ServiceCommand),
}

/// Runs one `wundr orchestrator` subcommand against the daemon on `socket` (or the default).
pub async fn run(
    command: OrchestratorCommand,
    socket: Option<PathBuf>,
) -> Result<Outcome, CliError> {
    // On a remote node, neither needs (nor may be able to derive) the local daemon's paths.
    match &command {
        OrchestratorCommand::Relay(args) => return relay::run(args).await,
        OrchestratorCommand::Hook(args) if hook::relay_socket().is_some() => {
            return hook::run(args, None).await;
        }
        _ => {}
    }
    let paths = resolve_paths(socket.as_deref())?;
    match command {
        OrchestratorCommand::Start(args) => start::run(&args, &paths).await,
        OrchestratorCommand::Status(args) => status::run(&args, &paths).await,
        OrchestratorCommand::Logs(args) => logs::run(&args, &paths).await,
        OrchestratorCommand::Stop(args) => stop::run(&args, &paths).await,
        OrchestratorCommand::Restart(args) => restart::run(&args, &paths).await,
        OrchestratorCommand::Doctor(args) => doctor::run(&args, &paths).await,
        OrchestratorCommand::Session(command) => session::run(command, &paths).await,
        OrchestratorCommand::Charter(command) => charter::run(command, &paths).await,
        OrchestratorCommand::Config(command) => config::run(command, &paths).await,
        OrchestratorCommand::Approval(command) => approval::run(command, &paths.socket).await,
        OrchestratorCommand::Audit(args) => audit::run(&args, &paths.socket).await,
        OrchestratorCommand::Hook(args) => hook::run(&args, Some(&paths.socket)).await,
        OrchestratorCommand::Relay(_) => unreachable!("answered above"),
        OrchestratorCommand::RelayGuard(_) => {
            unreachable!("main runs the guard before it builds a runtime")
        }
        OrchestratorCommand::Memory(command) => memory::run(command, &paths).await,
        OrchestratorCommand::Service(command) => {
            // Only an explicit --socket is written into the service; else both use the default.
            let explicit = socket.is_some().then(|| paths.socket.clone());
            service::run(command, &paths, explicit.as_deref())
        }
    }
}

/// The lines that say where a running daemon is: pid, socket, WebSocket URL, log file. The
/// daemon's own answer wins; our defaults fill what it left empty.
pub fn endpoint_summary(status: &GetStatusResponse, paths: &DaemonPaths) -> String {
    let endpoints = status.endpoints.clone().unwrap_or_default();
    let or_default = |reported: String, default: &Path| {
        if reported.is_empty() {
            default.display().to_string()
        } else {
            reported
        }
    };
    let ws_url = if endpoints.ws_url.is_empty() {
        "(none)".to_owned()
    } else {
        endpoints.ws_url
    };
    format!(
        "  pid     {}\n  socket  {}\n  ws      {}\n  log     {}\n",
        status.pid,
        or_default(endpoints.socket_path, &paths.socket),
        ws_url,
        or_default(endpoints.log_file, &paths.log_file),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use orchestrator_api::v1::Endpoints;

    #[test]
    fn summary_prefers_the_daemon_answer() {
        let paths = resolve_paths(Some(Path::new("/tmp/w/o.sock"))).unwrap();
        let status = GetStatusResponse {
            pid: 77,
            endpoints: Some(Endpoints {
                ws_url: "ws://127.0.0.1:9999".into(),
                log_file: "/var/log/d.log".into(),
                ..Endpoints::default()
            }),
            ..GetStatusResponse::default()
        };
        let summary = endpoint_summary(&status, &paths);
        assert!(summary.contains("pid     77\n"));
        assert!(summary.contains("socket  /tmp/w/o.sock\n"));
        assert!(summary.contains("ws      ws://127.0.0.1:9999\n"));
        assert!(summary.contains("log     /var/log/d.log\n"));
    }
}
