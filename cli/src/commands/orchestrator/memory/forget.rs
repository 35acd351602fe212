//! `wundr orchestrator memory forget ID`: [`ForgetArgs`].

use std::path::Path;

use clap::Args;
use orchestrator_api::v1::ForgetMemoryRequest;

use super::{call, connect};
use crate::error::{CliError, Outcome};
use crate::output;

/// Arguments of `wundr orchestrator memory forget`.
#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// The memory id (see: wundr orchestrator memory list)
    #[arg(value_name = "ID", add = crate::commands::complete_ids::memory_ids())]
    pub id: String,
}

/// Deletes the entry.
pub async fn run(args: &ForgetArgs, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let request = client.forget(ForgetMemoryRequest {
        id: args.id.clone(),
    });
    let reply = call(socket, "Forget", request).await?;
    output::stdout(&format!("forgot {}\n", reply.id))?;
    Ok(Outcome::Success)
}
