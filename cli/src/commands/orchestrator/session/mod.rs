//! `wundr orchestrator session ...`: [`SessionCommand`], one module per subcommand ([`spawn`],
//! [`list`], [`show`], [`send`], [`stop`], [`pause`], [`unpause`], [`wait`]) over the daemon's
//! `orchestrator.v1.Sessions` service, plus what they share: [`connect`], [`call`] (a unary
//! call whose refusals read as the daemon's own message, see [`error`]), the rendering in
//! [`render`], and [`follow`] with its printers [`events`] and [`transcript`], used by
//! `wundr orchestrator logs --session`.

pub mod error;
pub mod events;
pub mod follow;
pub mod list;
pub mod pause;
pub mod render;
pub mod send;
pub mod show;
pub mod spawn;
pub mod stop;
pub mod transcript;
pub mod unpause;
pub mod wait;

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use clap::{Args, Subcommand};
use orchestrator_api::paths::DaemonPaths;
use orchestrator_api::v1::{Session, SessionRef};

use crate::daemon_client::{self, SessionsClient};
use crate::error::{CliError, Outcome};
use crate::output;

/// The subcommands of `wundr orchestrator session`.
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Start an agent session on a task; prints its id
    Spawn(spawn::SpawnArgs),
    /// List the sessions the daemon knows (all, or the newest N), oldest first
    List(list::ListArgs),
    /// Show everything about one session
    Show(show::ShowArgs),
    /// Give a session another turn (a finished claude-code session resumes its conversation)
    Send(send::SendArgs),
    /// Stop a session's agent (SIGTERM, then SIGKILL); it ends `terminated`
    Stop(SessionIdArgs),
    /// Suspend a session's agent (SIGSTOP)
    Pause(SessionIdArgs),
    /// Resume a paused session's agent (SIGCONT)
    Unpause(SessionIdArgs),
    /// Wait until a session ends or needs a person; the exit code says which
    #[command(after_help = wait::EXIT_CODES)]
    Wait(wait::WaitArgs),
}

/// The arguments of the commands that take only a session id.
#[derive(Debug, Args)]
pub struct SessionIdArgs {
    /// The session id (see: wundr orchestrator session list)
    #[arg(value_name = "ID", add = crate::commands::complete_ids::session_ids())]
    pub id: String,
}

/// Runs one `wundr orchestrator session` subcommand.
pub async fn run(command: SessionCommand, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    let socket = paths.socket.as_path();
    match command {
        SessionCommand::Spawn(args) => spawn::run(&args, socket).await,
        SessionCommand::List(args) => list::run(&args, socket).await,
        SessionCommand::Show(args) => show::run(&args, socket).await,
        SessionCommand::Send(args) => send::run(&args, socket).await,
        SessionCommand::Stop(args) => stop::run(&args, socket).await,
        SessionCommand::Pause(args) => pause::run(&args, socket).await,
        SessionCommand::Unpause(args) => unpause::run(&args, socket).await,
        SessionCommand::Wait(args) => wait::run(&args, socket).await,
    }
}

/// A `Sessions` client, or [`crate::error::SessionCommandError::NotRunning`] (exit 3) when no
/// daemon runs.
pub async fn connect(socket: &Path) -> Result<SessionsClient, CliError> {
    Ok(SessionsClient::new(
        daemon_client::require_channel(socket).await?,
    ))
}

/// One unary `Sessions` call about session `id` (empty when there is none yet) that may take
/// up to `timeout`; the daemon's refusals become [`crate::error::SessionCommandError::Refused`].
pub async fn call<T>(
    socket: &Path,
    name: &'static str,
    id: &str,
    timeout: Duration,
    request: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
) -> Result<T, CliError> {
    daemon_client::unary_within(socket, name, timeout, request)
        .await
        .map_err(|err| error::refine(err, id))
}

/// A session reference for the calls that take one.
pub fn session_ref(id: &str) -> SessionRef {
    SessionRef {
        session_id: id.to_owned(),
    }
}

/// Prints [`render::status_line`] of the session a command left behind.
pub fn print_status(session: &Session) -> Result<Outcome, CliError> {
    output::stdout(&format!("{}\n", render::status_line(session)))?;
    Ok(Outcome::Success)
}
