//! `wundr orchestrator memory stats [--json]` ([`StatsArgs`]): entries per tier, scratchpad
//! keys and bytes.

use std::path::Path;

use clap::Args;
use orchestrator_api::v1::MemoryStatsRequest;

use super::{call, connect};
use crate::error::{CliError, Outcome};
use crate::json::memory::MemoryStatsJson;
use crate::output;

/// Arguments of `memory stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

/// Prints the counts.
pub async fn run(args: &StatsArgs, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let stats = call(socket, "Stats", client.stats(MemoryStatsRequest {})).await?;
    let text = if args.json {
        crate::json::pretty(&MemoryStatsJson::from(&stats))
    } else {
        format!(
            "episodic         {}\nsemantic         {}\nscratchpad keys  {}\nbytes            {}\n",
            stats.episodic, stats.semantic, stats.scratchpad_keys, stats.bytes
        )
    };
    output::stdout(&text)?;
    Ok(Outcome::Success)
}
