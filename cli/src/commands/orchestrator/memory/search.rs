//! `wundr orchestrator memory search QUERY [--tier T] [--limit N] [--json]` ([`SearchArgs`])
//! and `memory list [--tier T] [--limit N] [--json]` ([`ListArgs`]).

use std::path::Path;

use clap::Args;
use orchestrator_api::v1::{ListMemoryRequest, SearchMemoryRequest};

use super::{call, connect, render};
use crate::error::{CliError, Outcome};
use crate::json::memory::MemoryEntryJson;
use crate::output;

/// Arguments of `wundr orchestrator memory search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Free text; its words are matched (quotes, *, OR, - are plain characters here)
    #[arg(value_name = "QUERY")]
    pub query: String,
    /// Only this tier: episodic or semantic [default: both]
    #[arg(long, value_name = "T")]
    pub tier: Option<String>,
    /// The most results (1–1000)
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: u32,
    /// Print a JSON array instead of text
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `wundr orchestrator memory list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this tier: episodic or semantic [default: both]
    #[arg(long, value_name = "T")]
    pub tier: Option<String>,
    /// The most entries (1–1000)
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: u32,
    /// Print a JSON array instead of text
    #[arg(long)]
    pub json: bool,
}

/// Prints the best matches, best first.
pub async fn run_search(args: &SearchArgs, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let request = client.search(SearchMemoryRequest {
        query: args.query.clone(),
        tier: args.tier.clone().unwrap_or_default(),
        limit: args.limit,
    });
    let reply = call(socket, "Search", request).await?;
    let hits: Vec<_> = reply
        .results
        .iter()
        .map(|hit| (hit.entry.clone().unwrap_or_default(), Some(hit.score)))
        .collect();
    print(
        &hits,
        args.json,
        "no memory matches; see what is stored: wundr orchestrator memory list",
    )
}

/// Prints the newest entries, newest first.
pub async fn run_list(args: &ListArgs, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let request = client.list(ListMemoryRequest {
        tier: args.tier.clone().unwrap_or_default(),
        limit: args.limit,
    });
    let reply = call(socket, "List", request).await?;
    let entries: Vec<_> = reply.entries.into_iter().map(|e| (e, None)).collect();
    print(&entries, args.json, "no memories yet")
}

fn print(
    entries: &[(orchestrator_api::v1::MemoryEntry, Option<f64>)],
    json: bool,
    none: &str,
) -> Result<Outcome, CliError> {
    if json {
        let list: Vec<_> = entries
            .iter()
            .map(|(entry, score)| MemoryEntryJson::new(entry, *score))
            .collect();
        output::stdout(&crate::json::pretty(&list))?;
    } else if entries.is_empty() {
        output::stderr(&format!("{none}\n"));
    } else {
        let text: String = entries
            .iter()
            .map(|(entry, score)| render::entry_line(entry, *score))
            .collect();
        output::stdout(&text)?;
    }
    Ok(Outcome::Success)
}
