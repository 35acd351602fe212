//! `wundr orchestrator doctor [--json]`: [`DoctorArgs`]; checks what the daemon needs and
//! prints one [`Check`] per line (ok / warn / fail, with a remedy): the control socket, the
//! config file and charter (as `config validate`), the agent programs and their versions,
//! whether Claude Code has credentials, the public port, the data directory's free space.
//! Exits 0 when nothing fails, 1 otherwise.
//!
//! A running daemon's own answer wins where it has one (the agent programs it resolved in its
//! environment, the port it bound); without one the checks predict what a daemon started from
//! this shell would find. Nothing here calls the hosted API: Claude Code counts as logged in
//! when an API key or token is set or its credentials file exists.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use clap::Args;
use orchestrator_api::paths::DaemonPaths;
use orchestrator_api::v1::{AgentProgram, GetStatusResponse};
use orchestrator_config::agents::AgentPrograms;
use orchestrator_config::{ConfigLayer, DaemonConfig};

use crate::commands::orchestrator::config::{self, CharterCheck};
use crate::daemon_client;
use crate::error::{CliError, Outcome};
use crate::json::doctor::{CheckJson, DoctorJson};
use crate::output;

/// How long `<agent> --version` may take.
const VERSION_TIMEOUT: Duration = Duration::from_secs(10);
/// Below this much free space in the data directory, `doctor` fails; below 10×, it warns.
const MIN_FREE_BYTES: u64 = 100 * 1024 * 1024;
/// Variables that give Claude Code credentials without a login.
const CREDENTIAL_VARS: [&str; 3] = [
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "CLAUDE_CODE_OAUTH_TOKEN",
];

/// Arguments of `wundr orchestrator doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the checks as JSON (camelCase keys)
    #[arg(long)]
    pub json: bool,
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to do.
    Ok,
    /// Works, but worth a look.
    Warn,
    /// The daemon (or a session type) will not work until this is fixed.
    Fail,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// How it came out.
    pub verdict: Verdict,
    /// What was found.
    pub detail: String,
    /// What to do, unless ok.
    pub remedy: Option<String>,
}

impl From<&Check> for CheckJson {
    fn from(c: &Check) -> Self {
        Self {
            name: c.name.clone(),
            status: c.verdict.word(),
            detail: c.detail.clone(),
            remedy: c.remedy.clone(),
        }
    }
}

fn check(name: &str, verdict: Verdict, detail: String, remedy: Option<String>) -> Check {
    Check {
        name: name.to_owned(),
        verdict,
        detail,
        remedy,
    }
}

/// Runs every check and prints them.
pub async fn run(args: &DoctorArgs, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    let socket = paths.socket.display();
    let (daemon, status) = match daemon_client::probe_status(&paths.socket).await {
        Ok(Some((_client, status))) => {
            let detail = format!("running (pid {}) on {socket}", status.pid);
            (check("daemon", Verdict::Ok, detail, None), Some(status))
        }
        Ok(None) => {
            let remedy = Some("start it with: wundr orchestrator start".to_owned());
            let detail = format!("not running (socket {socket})");
            (check("daemon", Verdict::Warn, detail, remedy), None)
        }
        Err(err) => {
            let (detail, remedy) = (err.to_string(), err.remedy());
            (check("daemon", Verdict::Fail, detail, remedy), None)
        }
    };
    let mut checks = vec![daemon];
    let config = config_checks(paths, &mut checks).await;
    let programs = AgentPrograms::new(&config, |name| std::env::var(name).ok());
    for agent in agent_programs(status.as_ref(), &programs) {
        checks.push(agent_check(&agent, &programs).await);
    }
    checks.push(credentials_check(&config, home().as_deref()));
    checks.push(port_check(&config, status.as_ref()));
    checks.push(disk_check(&paths.data_dir));
    let fails = checks.iter().filter(|c| c.verdict == Verdict::Fail).count();
    output::stdout(&if args.json {
        let checks = checks.iter().map(CheckJson::from).collect();
        crate::json::pretty(&DoctorJson::new(checks))
    } else {
        render_human(&checks)
    })?;
    match fails {
        0 => Ok(Outcome::Success),
        fails => Err(CliError::DoctorFailed { fails }),
    }
}

/// The config and charter checks; returns the configuration (the defaults when it is invalid,
/// so the other checks still run).
async fn config_checks(paths: &DaemonPaths, checks: &mut Vec<Check>) -> DaemonConfig {
    let checked = match config::check(None, paths, ConfigLayer::default()).await {
        Ok(checked) => checked,
        Err(err) => {
            let detail =
                std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source())
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(": ");
            checks.push(check("config", Verdict::Fail, detail, err.remedy()));
            return DaemonConfig::default();
        }
    };
    let file = checked.file.as_ref().map_or_else(
        || {
            format!(
                "no file (none at {}): defaults",
                checked.default_file.display()
            )
        },
        |file| file.display().to_string(),
    );
    checks.push(check("config", Verdict::Ok, file, None));
    let charter = match &checked.charter {
        CharterCheck::Defaults { path } => check(
            "charter",
            Verdict::Ok,
            format!("built-in defaults (no file at {})", path.display()),
            None,
        ),
        CharterCheck::File(report) => {
            let findings = checked.findings_text();
            let (verdict, remedy) = match (report.valid, report.findings.is_empty()) {
                (true, true) => (Verdict::Ok, None),
                (true, false) => (Verdict::Warn, Some("see the warnings above".to_owned())),
                (false, _) => (
                    Verdict::Fail,
                    Some("fix the findings; the daemon does not start with this charter".into()),
                ),
            };
            let detail = match findings.trim_end() {
                "" => format!("{} (valid)", report.source),
                lines => format!("{}\n{lines}", report.source),
            };
            check("charter", verdict, detail, remedy)
        }
    };
    checks.push(charter);
    checked.config
}

/// The daemon's programs when it reported them, else what a daemon started here would run.
fn agent_programs(status: Option<&GetStatusResponse>, local: &AgentPrograms) -> Vec<AgentProgram> {
    if let Some(status) = status.filter(|s| !s.agents.is_empty()) {
        return status.agents.clone();
    }
    local
        .lookups(std::env::var_os("PATH").as_deref())
        .into_iter()
        .map(Into::into)
        .collect()
}

async fn agent_check(agent: &AgentProgram, programs: &AgentPrograms) -> Check {
    let name = agent
        .session_types
        .split(',')
        .next()
        .unwrap_or_default()
        .trim();
    if agent.resolved_path.is_empty() {
        // Claude Flow is optional; Claude Code runs every default session.
        let verdict = if name == "claude-code" {
            Verdict::Fail
        } else {
            Verdict::Warn
        };
        let detail = format!(
            "not found: {} (from {}); {} sessions will fail to start",
            agent.command, agent.source, agent.session_types
        );
        return check(
            name,
            verdict,
            detail,
            Some(programs.remedy(&agent.session_types)),
        );
    }
    let version = program_version(Path::new(&agent.resolved_path)).await;
    let detail = format!("{} ({version}), from {}", agent.resolved_path, agent.source);
    check(name, Verdict::Ok, detail, None)
}

/// The first line `program --version` prints, or why there is none.
async fn program_version(program: &Path) -> String {
    let run = tokio::process::Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .output();
    match tokio::time::timeout(VERSION_TIMEOUT, run).await {
        Ok(Ok(out)) => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .map_or_else(|| "version unknown".to_owned(), str::to_owned),
        Ok(Err(err)) => format!("version unknown: {err}"),
        Err(_) => "version unknown: --version did not answer".to_owned(),
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// Whether Claude Code has credentials: a key or token in this environment or the config's
/// `agents.claude-code.env`, or its credentials file (`$CLAUDE_CONFIG_DIR` or `~/.claude`).
/// A login kept in the macOS keychain has no file, hence warn rather than fail.
pub fn credentials_check(config: &DaemonConfig, home: Option<&Path>) -> Check {
    let agent_env = config
        .agents
        .claude_code
        .as_ref()
        .and_then(|code| code.env.clone())
        .unwrap_or_default();
    let set_in = |name: &str| {
        if agent_env.get(name).is_some_and(|v| !v.is_empty()) {
            Some(format!("{name} set in agents.claude-code.env"))
        } else if std::env::var(name).is_ok_and(|v| !v.is_empty())
            && !name.starts_with("CLAUDE_CODE_")
        {
            // The daemon withholds CLAUDE_CODE_* from agents, so only the config passes it.
            Some(format!("{name} set in this environment"))
        } else {
            None
        }
    };
    let dir = std::env::var_os("CLAUDE_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(".claude")));
    let file = dir.map(|d| d.join(".credentials.json"));
    let found = CREDENTIAL_VARS
        .iter()
        .find_map(|name| set_in(name))
        .or_else(|| {
            file.as_ref()
                .filter(|f| f.is_file())
                .map(|f| format!("credentials file {}", f.display()))
        });
    match found {
        Some(detail) => check("claude-login", Verdict::Ok, detail, None),
        None => check(
            "claude-login",
            Verdict::Warn,
            format!(
                "no ANTHROPIC_API_KEY and no credentials file{}",
                file.map(|f| format!(" ({})", f.display()))
                    .unwrap_or_default()
            ),
            Some(
                "run `claude` once and log in (/login), or set ANTHROPIC_API_KEY in the \
                 daemon's environment or in agents.claude-code.env of the config file"
                    .to_owned(),
            ),
        ),
    }
}

/// The public port: bound by the running daemon, free, or taken by another program.
fn port_check(config: &DaemonConfig, status: Option<&GetStatusResponse>) -> Check {
    if let Some(endpoints) = status.and_then(|s| s.endpoints.as_ref()) {
        return check(
            "port",
            Verdict::Ok,
            format!("{}:{} bound by the daemon", endpoints.host, endpoints.port),
            None,
        );
    }
    let (host, port) = (config.host.as_str(), config.port);
    if port == 0 {
        return check(
            "port",
            Verdict::Ok,
            "0: the daemon picks a free port".into(),
            None,
        );
    }
    let host_for_bind = host.trim_start_matches('[').trim_end_matches(']');
    match TcpListener::bind((host_for_bind, port)) {
        Ok(_listener) => check("port", Verdict::Ok, format!("{host}:{port} free"), None),
        Err(err) if err.kind() == std::io::ErrorKind::AddrInUse => check(
            "port",
            Verdict::Fail,
            format!("{host}:{port} is taken by another program"),
            Some(format!(
                "stop that program (see: ss -ltnp 'sport = :{port}'), or set another port \
                 (--port, ORCHESTRATOR_DAEMON_PORT or port: in the config file; 0 picks a free one)"
            )),
        ),
        Err(err) => check(
            "port",
            Verdict::Fail,
            format!("cannot bind {host}:{port}: {err}"),
            Some("set a host and port this user may bind".to_owned()),
        ),
    }
}

// fsblkcnt_t and the fragment size are u64 on Linux but not everywhere (u32 on macOS).
#[allow(clippy::useless_conversion)]
/// Free space where the database and transcripts go (the nearest existing parent before the
/// daemon created the directory).
fn disk_check(data_dir: &Path) -> Check {
    let existing = data_dir.ancestors().find(|dir| dir.exists());
    let stat = existing.map(|dir| (dir, nix::sys::statvfs::statvfs(dir)));
    let Some((dir, Ok(stat))) = stat else {
        return check(
            "data-dir",
            Verdict::Warn,
            format!("cannot tell the free space of {}", data_dir.display()),
            Some("check that the directory (or its parent) exists and is readable".into()),
        );
    };
    // Blocks available to unprivileged users, in fragment-size units.
    let free = u64::from(stat.blocks_available()).saturating_mul(u64::from(stat.fragment_size()));
    let detail = format!("{}: {} free", dir.display(), humanize(free));
    let remedy = || {
        Some(format!(
            "free space on the file system of {}",
            dir.display()
        ))
    };
    if free < MIN_FREE_BYTES {
        check("data-dir", Verdict::Fail, detail, remedy())
    } else if free < MIN_FREE_BYTES * 10 {
        check("data-dir", Verdict::Warn, detail, remedy())
    } else {
        check("data-dir", Verdict::Ok, detail, None)
    }
}

fn humanize(bytes: u64) -> String {
    const GIB: u64 = 1 << 30;
    if bytes >= GIB {
        format!("{:.1} GiB", bytes as f64 / GIB as f64)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

fn render_human(checks: &[Check]) -> String {
    let width = checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for c in checks {
        let mut lines = c.detail.lines();
        let first = lines.next().unwrap_or_default();
        text.push_str(&format!(
            "{:4}  {:width$}  {first}\n",
            c.verdict.word(),
            c.name
        ));
        for line in lines {
            text.push_str(&format!("{:4}  {:width$}    {line}\n", "", ""));
        }
        if let Some(remedy) = &c.remedy {
            text.push_str(&format!("{:4}  {:width$}  hint: {remedy}\n", "", ""));
        }
    }
    text
}
