//! `wundr orchestrator memory stats`: entries per tier, scratchpad keys and bytes.

use std::path::Path;

use orchestrator_api::v1::MemoryStatsRequest;

use super::{call, connect};
use crate::error::{CliError, Outcome};
use crate::output;

/// Prints the counts.
pub async fn run(socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let stats = call(socket, "Stats", client.stats(MemoryStatsRequest {})).await?;
    output::stdout(&format!(
        "episodic         {}\nsemantic         {}\nscratchpad keys  {}\nbytes            {}\n",
        stats.episodic, stats.semantic, stats.scratchpad_keys, stats.bytes
    ))?;
    Ok(Outcome::Success)
}
