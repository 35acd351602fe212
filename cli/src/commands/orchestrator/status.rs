//! `wundr orchestrator status [--json]`: [`StatusArgs`]; asks the daemon `GetStatus` and shows
//! it for people ([`render_human`]) or scripts ([`StatusJson`], `docs/json/status.schema.json`). Exits 0 when the daemon
//! runs and 3 when it does not.

use clap::Args;
use orchestrator_api::paths::DaemonPaths;
use orchestrator_api::v1::{AgentProgram, GetStatusResponse, Runner};

use crate::daemon_client;
use crate::error::{CliError, Outcome, START_HINT};
use crate::json::status::StatusJson;
use crate::output;
use crate::words::{state_word, subsystem_word};

/// Arguments of `wundr orchestrator status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print one JSON object instead of text (see README "JSON output")
    #[arg(long)]
    pub json: bool,
}

/// Prints the daemon's status; [`Outcome::NotRunning`] when there is no daemon.
pub async fn run(args: &StatusArgs, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    let socket = paths.socket.display().to_string();
    let Some((_client, status)) = daemon_client::probe_status(&paths.socket).await? else {
        let text = if args.json {
            crate::json::pretty(&StatusJson::not_running(socket))
        } else {
            format!("orchestrator daemon is not running (socket: {socket})\n{START_HINT}\n")
        };
        output::stdout(&text)?;
        return Ok(Outcome::NotRunning);
    };
    daemon_client::warn_if_protocol_differs(&status);
    let text = if args.json {
        crate::json::pretty(&StatusJson::running(&status, socket))
    } else {
        render_human(&status)
    };
    output::stdout(&text)?;
    Ok(Outcome::Success)
}

/// The status as aligned `key  value` lines.
pub fn render_human(status: &GetStatusResponse) -> String {
    let endpoints = status.endpoints.clone().unwrap_or_default();
    let sessions = status.sessions.unwrap_or_default();
    let or_none = |value: &str| {
        if value.is_empty() {
            "(none)".to_owned()
        } else {
            value.to_owned()
        }
    };
    let mut text = format!(
        "name        {} {}\n\
         state       {}\n\
         pid         {}\n\
         uptime      {}\n\
         socket      {}\n\
         ws          {}\n\
         health      {}\n\
         log         {}\n\
         sessions    {} active, {} queued, {} total (max {}){}\n",
        status.name,
        status.version,
        state_word(status),
        status.pid,
        format_uptime(status.uptime_ms),
        or_none(&endpoints.socket_path),
        or_none(&endpoints.ws_url),
        or_none(&endpoints.health_url),
        or_none(&endpoints.log_file),
        sessions.active,
        sessions.queued,
        sessions.total,
        sessions.max_sessions,
        match sessions.waiting {
            0 => String::new(),
            n => format!("; {n} waiting for you (wundr orchestrator approval list)"),
        } + &match sessions.stalled {
            0 => String::new(),
            n => format!("; {n} stalled (wundr orchestrator session list)"),
        },
    );
    if status.subsystems.is_empty() {
        text.push_str("subsystems  (none reported)\n");
    } else {
        text.push_str("subsystems\n");
        let width = status
            .subsystems
            .iter()
            .map(|s| s.name.len())
            .max()
            .unwrap_or(0);
        for subsystem in &status.subsystems {
            let word = subsystem_word(subsystem.status);
            let line = if subsystem.detail.is_empty() {
                format!("  {:width$}  {word}", subsystem.name)
            } else {
                format!("  {:width$}  {word}: {}", subsystem.name, subsystem.detail)
            };
            text.push_str(line.trim_end());
            text.push('\n');
        }
    }
    text.push_str(&render_agents(&status.agents));
    text.push_str(&render_runners(&status.runners));
    text
}

/// The `runners` lines: where sessions can run, the default marked (an older daemon reports
/// none, and then there are no lines).
fn render_runners(runners: &[Runner]) -> String {
    if runners.is_empty() {
        return String::new();
    }
    let mut text = "runners
"
    .to_owned();
    for runner in runners {
        let default = if runner.is_default { " (default)" } else { "" };
        let line = if runner.address.is_empty() {
            format!("  {}{default}: this machine", runner.name)
        } else {
            format!(
                "  {}{default}: cluster {}, relays dial {}",
                runner.name, runner.address, runner.relay_address
            )
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// The `agents` lines: each program's executable, or that it is missing (an older daemon
/// reports none, and then there are no lines).
fn render_agents(agents: &[AgentProgram]) -> String {
    if agents.is_empty() {
        return String::new();
    }
    let width = agents
        .iter()
        .map(|a| a.session_types.len())
        .max()
        .unwrap_or(0);
    let mut text = "agents\n".to_owned();
    for agent in agents {
        let found = if agent.resolved_path.is_empty() {
            format!(
                "NOT FOUND: {} (from {}); see: wundr orchestrator doctor",
                agent.command, agent.source
            )
        } else {
            format!("{} (from {})", agent.resolved_path, agent.source)
        };
        text.push_str(&format!("  {:width$}  {found}\n", agent.session_types));
    }
    text
}

/// Whole seconds as `2d 3h 4m 5s`, leaving out leading zero units (`0s` for under a second).
pub fn format_uptime(uptime_ms: u64) -> String {
    let secs = uptime_ms / 1000;
    let units = [
        (secs / 86_400, "d"),
        (secs / 3600 % 24, "h"),
        (secs / 60 % 60, "m"),
        (secs % 60, "s"),
    ];
    let parts: Vec<String> = units
        .iter()
        .skip_while(|(value, _)| *value == 0)
        .map(|(value, unit)| format!("{value}{unit}"))
        .collect();
    if parts.is_empty() {
        "0s".to_owned()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orchestrator_api::v1::{
        DaemonState, Endpoints, Metrics, SessionCounts, Subsystem, SubsystemStatus,
    };

    fn sample() -> GetStatusResponse {
        GetStatusResponse {
            name: "orchestrator-daemon".into(),
            version: "0.1.0".into(),
            protocol_version: 1,
            pid: 4242,
            state: DaemonState::Running as i32,
            uptime_ms: 3_723_456,
            started_at_unix_ms: 1_700_000_000_000,
            endpoints: Some(Endpoints {
                socket_path: "/run/user/1000/wundr/orchestrator.sock".into(),
                ws_url: "ws://127.0.0.1:8787".into(),
                health_url: "http://127.0.0.1:8787/health".into(),
                host: "127.0.0.1".into(),
                port: 8787,
                log_file: "/home/u/.local/state/wundr/orchestrator/daemon.log".into(),
                state_dir: "/home/u/.local/state/wundr/orchestrator".into(),
                data_dir: "/home/u/.local/share/wundr/orchestrator".into(),
                relay_address: String::new(),
            }),
            sessions: Some(SessionCounts {
                active: 2,
                queued: 1,
                waiting: 0,
                stalled: 0,
                total: 5,
                max_sessions: 100,
            }),
            subsystems: vec![
                Subsystem {
                    name: "grpc".into(),
                    status: SubsystemStatus::Running as i32,
                    last_check_unix_ms: 1_700_000_001_000,
                    detail: String::new(),
                },
                Subsystem {
                    name: "websocket".into(),
                    status: SubsystemStatus::Degraded as i32,
                    last_check_unix_ms: 1_700_000_001_000,
                    detail: "slow client dropped".into(),
                },
            ],
            metrics: Some(Metrics {
                total_sessions_spawned: 9,
                total_tasks_processed: 7,
                total_tokens_used: 12_345,
                average_session_duration_ms: 1500.5,
                success_rate: 1.0,
            }),
            agents: vec![
                AgentProgram {
                    session_types: "claude-code".into(),
                    command: "claude".into(),
                    source: "built-in default".into(),
                    resolved_path: "/usr/bin/claude".into(),
                },
                AgentProgram {
                    session_types: "claude-flow, ruflo".into(),
                    command: "claude-flow".into(),
                    source: "built-in default".into(),
                    resolved_path: String::new(),
                },
            ],
            runners: Vec::new(),
        }
    }

    fn json_of(status: &GetStatusResponse) -> serde_json::Value {
        serde_json::to_value(StatusJson::running(status, "/s".into())).unwrap()
    }

    #[test]
    fn uptime_reads_like_humantime() {
        assert_eq!(format_uptime(0), "0s");
        assert_eq!(format_uptime(999), "0s");
        assert_eq!(format_uptime(59_000), "59s");
        assert_eq!(format_uptime(3_723_456), "1h 2m 3s");
        assert_eq!(format_uptime(3_600_000), "1h 0m 0s");
        assert_eq!(format_uptime((2 * 86_400 + 5) * 1000), "2d 0h 0m 5s");
    }

    #[test]
    fn json_has_every_field_with_words_for_enums() {
        let value = json_of(&sample());
        assert_eq!(value["running"], true);
        assert_eq!(value["state"], "running");
        assert_eq!(value["pid"], 4242);
        assert_eq!(value["protocolVersion"], 1);
        assert_eq!(value["uptimeMs"], 3_723_456);
        assert_eq!(value["endpoints"]["wsUrl"], "ws://127.0.0.1:8787");
        assert_eq!(value["endpoints"]["port"], 8787);
        assert_eq!(value["sessions"]["maxSessions"], 100);
        assert_eq!(value["subsystems"][1]["status"], "degraded");
        assert_eq!(value["subsystems"][1]["detail"], "slow client dropped");
        assert_eq!(value["metrics"]["totalTokensUsed"], 12_345);
        assert_eq!(value["metrics"]["successRate"], 1.0);
    }

    #[test]
    fn json_of_missing_parts_is_null_and_unknown_enums_unspecified() {
        let status = GetStatusResponse {
            state: 99,
            ..GetStatusResponse::default()
        };
        let value = json_of(&status);
        assert_eq!(value["state"], "unspecified");
        assert!(value["endpoints"].is_null());
        assert_eq!(value["subsystems"], serde_json::json!([]));
    }

    #[test]
    fn human_output_shows_the_essentials() {
        let text = render_human(&sample());
        assert!(text.contains("name        orchestrator-daemon 0.1.0\n"));
        assert!(text.contains("state       running\n"));
        assert!(text.contains("uptime      1h 2m 3s\n"));
        assert!(text.contains("ws          ws://127.0.0.1:8787\n"));
        assert!(text.contains("health      http://127.0.0.1:8787/health\n"));
        assert!(text.contains("sessions    2 active, 1 queued, 5 total (max 100)\n"));
        assert!(text.contains("  grpc       running\n"));
        assert!(text.contains("  websocket  degraded: slow client dropped\n"));
        assert!(text.contains("  claude-code         /usr/bin/claude (from built-in default)\n"));
        assert!(
            text.contains("  claude-flow, ruflo  NOT FOUND: claude-flow (from built-in default)")
        );
    }
}
