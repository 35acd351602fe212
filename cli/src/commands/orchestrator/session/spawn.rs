//! `wundr orchestrator session spawn [options] TASK…`: [`SpawnArgs`]; asks the daemon to start
//! a session ([`request`]) and prints just its id on stdout, so `ID=$(wundr orchestrator
//! session spawn …)` works, with a status line and how to follow it on stderr (`--json`: the
//! whole session on stdout instead). A `CLAUDE_BIN` in this shell that differs from what the
//! daemon runs gets a warning: only the daemon's environment counts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use orchestrator_api::v1::{self, SpawnSessionRequest, TaskSpec};

use super::{call, connect, render};
use crate::json::session::SessionJson;
use orchestrator_config::agents::CLAUDE_BIN_SOURCES;

use crate::daemon_client;
use crate::error::{CliError, Outcome};
use crate::output;
use crate::paths::absolute;
use crate::spinner::Spinner;

/// Creating a git worktree of a large repository can take a while; the daemon answers as soon
/// as the session exists, so reaching this means it is stuck.
const SPAWN_TIMEOUT: Duration = Duration::from_secs(60);

/// What the session runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SessionTypeArg {
    /// Claude Code (`claude -p` with stream-json)
    ClaudeCode,
    /// The Claude Flow CLI
    ClaudeFlow,
    /// Claude Flow under its newer name
    Ruflo,
}

/// The task's priority in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PriorityArg {
    /// Served last
    Low,
    /// The daemon's default
    Medium,
    /// Served before medium and low
    High,
    /// Served first
    Critical,
}

/// The kind of task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TaskTypeArg {
    /// Write or change code
    Code,
    /// Find things out
    Research,
    /// Analyse something
    Analysis,
    /// Anything else, described by the task
    Custom,
    /// The daemon's default
    General,
}

/// `--runner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunnerArg {
    /// A process of the daemon, on its machine
    Local,
    /// A job on the daemon's Ray cluster, through the relay
    Ray,
}

/// Arguments of `wundr orchestrator session spawn`.
#[derive(Debug, Args)]
pub struct SpawnArgs {
    /// What runs the session [daemon default: claude-code]
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub session_type: Option<SessionTypeArg>,
    /// The orchestrator the session belongs to [daemon default: default]
    #[arg(long, value_name = "ID")]
    pub orchestrator: Option<String>,
    /// Queue priority [daemon default: medium]
    #[arg(long, value_enum)]
    pub priority: Option<PriorityArg>,
    /// Kind of task [daemon default: general]
    #[arg(long, value_enum, value_name = "TYPE")]
    pub task_type: Option<TaskTypeArg>,
    /// The agent's working directory [default: the current directory]
    #[arg(long, value_name = "DIR", conflicts_with = "scratch")]
    pub workdir: Option<PathBuf>,
    /// Work in a new, empty directory in the daemon's data dir instead
    #[arg(long, conflicts_with = "worktree")]
    pub scratch: bool,
    /// Run in a new git worktree of the working directory, on branch session/<id>
    #[arg(long)]
    pub worktree: bool,
    /// Where the agent runs: this machine, or a job on the daemon's Ray cluster (see
    /// `ray:` in the config) [daemon default: its `runner` setting]
    #[arg(long, value_enum, value_name = "RUNNER")]
    pub runner: Option<RunnerArg>,
    /// Print the whole session as JSON instead of its id
    #[arg(long)]
    pub json: bool,
    /// The task for the agent; the words are joined with spaces (options may come after
    /// them; put words that start with `-` after `--`)
    #[arg(value_name = "TASK", required = true, num_args = 1..)]
    pub task: Vec<String>,
}

/// The request for `args`. The agent works where the user is, as `claude` itself, pueue and
/// docker do: `--workdir`, else the current directory, both sent absolute because the daemon
/// runs in `/`. Only `--scratch` leaves the directory to the daemon (an empty one of its own).
pub fn request(args: &SpawnArgs) -> Result<SpawnSessionRequest, CliError> {
    let session_type = match args.session_type {
        None => v1::SessionType::Unspecified,
        Some(SessionTypeArg::ClaudeCode) => v1::SessionType::ClaudeCode,
        Some(SessionTypeArg::ClaudeFlow) => v1::SessionType::ClaudeFlow,
        Some(SessionTypeArg::Ruflo) => v1::SessionType::Ruflo,
    };
    let priority = match args.priority {
        None => v1::TaskPriority::Unspecified,
        Some(PriorityArg::Low) => v1::TaskPriority::Low,
        Some(PriorityArg::Medium) => v1::TaskPriority::Medium,
        Some(PriorityArg::High) => v1::TaskPriority::High,
        Some(PriorityArg::Critical) => v1::TaskPriority::Critical,
    };
    let task_type = args
        .task_type
        .and_then(|t| t.to_possible_value())
        .map(|value| value.get_name().to_owned())
        .unwrap_or_default();
    let work_dir = match &args.workdir {
        _ if args.scratch => String::new(),
        Some(dir) => absolute(dir)?.display().to_string(),
        None => std::env::current_dir()
            .map_err(|source| CliError::CurrentDir { source })?
            .display()
            .to_string(),
    };
    Ok(SpawnSessionRequest {
        r#type: session_type.into(),
        orchestrator_id: args.orchestrator.clone().unwrap_or_default(),
        task: Some(TaskSpec {
            description: args.task.join(" "),
            r#type: task_type,
            priority: priority.into(),
            metadata_json: String::new(),
        }),
        work_dir,
        worktree: args.worktree,
        runner: args
            .runner
            .and_then(|r| r.to_possible_value())
            .map(|value| value.get_name().to_owned())
            .unwrap_or_default(),
    })
}

/// Spawns the session and reports it.
pub async fn run(args: &SpawnArgs, socket: &Path) -> Result<Outcome, CliError> {
    let request = request(args)?;
    let mut client = connect(socket).await?;
    warn_if_claude_bin_is_ignored(args, socket).await;
    let session = {
        let _spinner = Spinner::start("starting a session");
        call(socket, "Spawn", "", SPAWN_TIMEOUT, client.spawn(request)).await?
    };
    if args.json {
        output::stdout(&crate::json::pretty(&SessionJson::from(&session)))?;
        return Ok(Outcome::Success);
    }
    output::stdout(&format!("{}\n", session.id))?;
    output::stderr(&format!(
        "{}\nfollow it with: wundr orchestrator logs --session {} -f\n",
        render::status_line(&session),
        session.id
    ));
    Ok(Outcome::Success)
}

/// `CLAUDE_BIN` set in this shell does nothing: the daemon reads its own environment. Says so
/// when it differs from what the daemon runs (best effort: any failure here stays silent).
async fn warn_if_claude_bin_is_ignored(args: &SpawnArgs, socket: &Path) {
    let claude_code = matches!(args.session_type, None | Some(SessionTypeArg::ClaudeCode));
    let here = std::env::var("CLAUDE_BIN")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let (true, Some(here)) = (claude_code, here) else {
        return;
    };
    let Ok(Some((_client, status))) = daemon_client::probe_status(socket).await else {
        return;
    };
    let runs = status
        .agents
        .iter()
        .find(|a| a.session_types == "claude-code");
    if let Some(runs) = runs.filter(|runs| runs.command != here) {
        output::warn(&format!(
            "CLAUDE_BIN={here} in this shell does not change what the daemon runs: it runs {} \
             (from {}); {}",
            runs.command, runs.source, CLAUDE_BIN_SOURCES
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::Cli;
    use clap::Parser;

    fn parse(args: &[&str]) -> SpawnArgs {
        let cli = Cli::try_parse_from(
            ["wundr", "orchestrator", "session", "spawn"]
                .iter()
                .chain(args),
        );
        match cli.map(|cli| cli.command) {
            Ok(crate::commands::Command::Orchestrator(
                crate::commands::orchestrator::OrchestratorCommand::Session(
                    super::super::SessionCommand::Spawn(args),
                ),
            )) => args,
            other => panic!("not a spawn: {other:?}"),
        }
    }

    #[test]
    fn words_are_joined_and_options_mapped() {
        let args = parse(&[
            "--type",
            "ruflo",
            "--priority",
            "high",
            "--task-type",
            "research",
            "--workdir",
            "rel/dir",
            "fix",
            "the",
            "--",
            "--weird",
            "bug",
        ]);
        let request = request(&args).unwrap();
        assert_eq!(request.r#type(), v1::SessionType::Ruflo);
        let task = request.task.unwrap();
        assert_eq!(task.description, "fix the --weird bug");
        assert_eq!(task.r#type, "research");
        assert_eq!(task.priority(), v1::TaskPriority::High);
        assert!(Path::new(&request.work_dir).is_absolute());
        assert!(request.work_dir.ends_with("rel/dir"));
    }

    #[test]
    fn options_after_the_task_are_options() {
        let args = parse(&["fix", "it", "--priority", "critical", "--json"]);
        assert_eq!(args.task, ["fix", "it"]);
        assert_eq!(args.priority, Some(PriorityArg::Critical));
        assert!(args.json);
    }

    #[test]
    fn the_agent_works_in_the_current_directory_unless_told_otherwise() {
        let here = std::env::current_dir().unwrap();
        assert_eq!(
            request(&parse(&["hello"])).unwrap().work_dir,
            here.display().to_string()
        );
        assert_eq!(
            request(&parse(&["--scratch", "hello"])).unwrap().work_dir,
            ""
        );
        let refused = |args: &[&str]| {
            Cli::try_parse_from(
                ["wundr", "orchestrator", "session", "spawn"]
                    .iter()
                    .chain(args),
            )
            .is_err()
        };
        assert!(refused(&["--scratch", "--workdir", "x", "t"]));
        assert!(refused(&["--scratch", "--worktree", "t"]));
    }

    #[test]
    fn defaults_are_left_to_the_daemon() {
        let request = request(&parse(&["--scratch", "hello"])).unwrap();
        assert_eq!(request.r#type(), v1::SessionType::Unspecified);
        assert_eq!(request.orchestrator_id, "");
        assert_eq!(request.work_dir, "");
        let task = request.task.unwrap();
        assert_eq!(task.r#type, "");
        assert_eq!(task.priority(), v1::TaskPriority::Unspecified);
    }
}
