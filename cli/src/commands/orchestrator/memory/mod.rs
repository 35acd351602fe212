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

use crate::daemon_client::{CALL_TIMEOUT, unary_within};
use crate::error::SessionCommandError;
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
    let channel = crate::daemon_client::require_channel(socket).await?;
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
    let failure = RpcFailure(status.clone());
    // Without the daemon's reason it is a failure of the call (a daemon that went away).
    let Some(reason) = failure.daemon_reason() else {
        return err;
    };
    // The daemon's own remedy (a full disk, …) knows the cause best.
    let remedy = match failure.daemon_remedy() {
        Some(remedy) => remedy,
        None => match remedy_for(call, &reason) {
            Some(remedy) => remedy.to_owned(),
            None => return err,
        },
    };
    SessionCommandError::Refused {
        code: status.code(),
        reason,
        message: status.message().to_owned(),
        remedy: Some(remedy),
    }
    .into()
}

/// The reasons of memory input the daemon refuses (what the user typed, or an import file).
const BAD_INPUT: &[&str] = &[
    "MEMORY_CONTENT_EMPTY",
    "MEMORY_CONTENT_TOO_LARGE",
    "MEMORY_TIER_UNKNOWN",
    "MEMORY_TYPE_UNKNOWN",
    "MEMORY_REQUEST_INVALID",
    "MEMORY_IMPORT_INVALID",
    "MEMORY_DATA_INVALID",
];

/// The hint for the daemon refusing memory `call` for `reason` (its stable code).
fn remedy_for(call: &str, reason: &str) -> Option<&'static str> {
    Some(match reason {
        bad if BAD_INPUT.contains(&bad) && call == "Import" => {
            "import a file written by: wundr orchestrator memory export FILE"
        }
        bad if BAD_INPUT.contains(&bad) => "see the options: wundr orchestrator memory --help",
        "MEMORY_NOT_FOUND" => "find ids with: wundr orchestrator memory list",
        "MEMORY_UNAVAILABLE" => {
            "the daemon could not open its memory database (see wundr orchestrator status); \
             move the file aside and run: wundr orchestrator restart"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(call: &'static str, code: tonic::Code, message: &str, reason: &str) -> CliError {
        use tonic_types::{ErrorDetails, StatusExt};
        let details = ErrorDetails::with_error_info(
            reason,
            orchestrator_api::error_codes::ERROR_DOMAIN,
            std::collections::HashMap::new(),
        );
        let status = tonic::Status::with_error_details(code, message, details);
        refine(CliError::Rpc {
            call,
            source: RpcFailure(status),
        })
    }

    #[test]
    fn hints_key_on_the_reason_not_the_words() {
        // Degraded memory, in other words than the daemon's today: still its hint.
        let err = refused(
            "Store",
            tonic::Code::Unavailable,
            "memory is off (degraded)",
            "MEMORY_UNAVAILABLE",
        );
        assert!(matches!(err, CliError::Session(_)), "{err:?}");
        assert!(
            err.remedy()
                .unwrap_or_default()
                .contains("could not open its memory database"),
            "{err:?}"
        );
        assert_eq!(err.reason(), "MEMORY_UNAVAILABLE");
        let err = refused(
            "Import",
            tonic::Code::InvalidArgument,
            "x",
            "MEMORY_CONTENT_EMPTY",
        );
        assert!(err.remedy().unwrap_or_default().contains("memory export"));
        // A daemon that went away sends no reason: a failure of the call, not a refusal.
        let err = refine(CliError::Rpc {
            call: "Store",
            source: RpcFailure(tonic::Status::unavailable("memory is unavailable")),
        });
        assert!(matches!(err, CliError::Rpc { .. }));
    }
}
