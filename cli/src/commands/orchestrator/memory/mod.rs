//! `wundr orchestrator memory ...`: [`MemoryCommand`] over the daemon's `orchestrator.v1.Memory`
//! service — [`add`], [`search`] (and `list`), [`forget`], [`stats`], and `export` / `import`
//! in [`transfer`]. What they share: [`connect`], [`call`] (the daemon's refusals read as its
//! own message with a memory remedy, see [`refine`]) and the rendering in [`render`].

pub mod add;
pub mod forget;
pub mod render;
pub mod search;
pub mod stats;
pub mod transfer;

use std::future::Future;
use std::path::Path;

use clap::Subcommand;
use orchestrator_api::paths::DaemonPaths;
use orchestrator_api::v1::memory_client::MemoryClient;
use tonic::transport::Channel;

use super::session::error::SessionCommandError;
use crate::daemon_client::{CALL_TIMEOUT, unary_within};
use crate::error::{CliError, Outcome, RpcFailure};

/// The largest export or import document, as the daemon accepts it.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

/// The subcommands of `wundr orchestrator memory`.
#[derive(Debug, Subcommand)]
pub enum MemoryCommand {
    /// Remember a text in the episodic or semantic tier; prints its id
    Add(add::AddArgs),
    /// Find the memories that best match a query (BM25 weighted by recency)
    Search(search::SearchArgs),
    /// Show the newest memories
    List(search::ListArgs),
    /// Delete one memory by id
    Forget(forget::ForgetArgs),
    /// Count the memories in each tier
    Stats(stats::StatsArgs),
    /// Write every memory to a JSON file
    Export(transfer::FileArgs),
    /// Read memories from a JSON file written by `export` (same content merges)
    Import(transfer::FileArgs),
}

/// Runs one `wundr orchestrator memory` subcommand.
pub async fn run(command: MemoryCommand, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    let socket = paths.socket.as_path();
    match command {
        MemoryCommand::Add(args) => add::run(&args, socket).await,
        MemoryCommand::Search(args) => search::run_search(&args, socket).await,
        MemoryCommand::List(args) => search::run_list(&args, socket).await,
        MemoryCommand::Forget(args) => forget::run(&args, socket).await,
        MemoryCommand::Stats(args) => stats::run(&args, socket).await,
        MemoryCommand::Export(args) => transfer::export(&args, socket).await,
        MemoryCommand::Import(args) => transfer::import(&args, socket).await,
    }
}

/// A `Memory` client, or [`SessionCommandError::NotRunning`] (exit 3) when no daemon runs.
pub async fn connect(socket: &Path) -> Result<MemoryClient<Channel>, CliError> {
    let channel = crate::daemon_client::open_channel(socket)
        .await?
        .ok_or_else(|| {
            CliError::from(SessionCommandError::NotRunning {
                socket: socket.to_path_buf(),
            })
        })?;
    Ok(MemoryClient::new(channel)
        .max_decoding_message_size(MAX_DOCUMENT_BYTES)
        .max_encoding_message_size(MAX_DOCUMENT_BYTES))
}

/// One unary `Memory` call; the daemon's refusals become [`SessionCommandError::Refused`].
pub async fn call<T>(
    socket: &Path,
    name: &'static str,
    request: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
) -> Result<T, CliError> {
    unary_within(socket, name, CALL_TIMEOUT, request)
        .await
        .map_err(refine)
}

/// The daemon's refusal of a memory call (bad input, unknown id, memory degraded) as its own
/// message plus what to do; other failures pass through unchanged.
pub fn refine(err: CliError) -> CliError {
    let CliError::Rpc {
        call,
        source: RpcFailure(status),
    } = &err
    else {
        return err;
    };
    if let Some(remedy) = RpcFailure(status.clone()).daemon_remedy() {
        return SessionCommandError::Refused {
            code: status.code(),
            message: status.message().to_owned(),
            remedy: Some(remedy),
        }
        .into();
    }
    let remedy = match status.code() {
        tonic::Code::InvalidArgument if *call == "Import" => {
            "import a file written by: wundr orchestrator memory export FILE"
        }
        tonic::Code::InvalidArgument => "see the options: wundr orchestrator memory --help",
        tonic::Code::NotFound => "find ids with: wundr orchestrator memory list",
        // Degraded memory answers UNAVAILABLE with its reason; a daemon that went away has
        // no such message and stays a transport failure.
        tonic::Code::Unavailable if status.message().starts_with("memory is unavailable") => {
            "the daemon could not open its memory database (see wundr orchestrator status); \
             move the file aside and run: wundr orchestrator restart"
        }
        _ => return err,
    };
    SessionCommandError::Refused {
        code: status.code(),
        message: status.message().to_owned(),
        remedy: Some(remedy.to_owned()),
    }
    .into()
}
