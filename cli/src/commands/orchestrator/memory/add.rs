//! `wundr orchestrator memory add --tier episodic|semantic [--type T] TEXT`: [`AddArgs`].

use std::path::Path;

use clap::Args;
use orchestrator_api::v1::AddMemoryRequest;

use super::{call, connect};
use crate::error::{CliError, Outcome};
use crate::output;

/// Arguments of `wundr orchestrator memory add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Which tier: episodic (recent; expires) or semantic (knowledge; kept)
    #[arg(long, value_name = "TIER")]
    pub tier: String,
    /// interaction, observation, decision or knowledge [default: observation for episodic,
    /// knowledge for semantic]
    #[arg(long = "type", value_name = "T")]
    pub entry_type: Option<String>,
    /// A JSON object kept with the entry
    #[arg(long, value_name = "JSON")]
    pub metadata: Option<String>,
    /// The text to remember
    #[arg(value_name = "TEXT")]
    pub text: String,
}

/// Adds the entry and prints its id.
pub async fn run(args: &AddArgs, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let request = client.add(AddMemoryRequest {
        tier: args.tier.clone(),
        content: args.text.clone(),
        r#type: args.entry_type.clone().unwrap_or_default(),
        metadata_json: args.metadata.clone().unwrap_or_default(),
        session_id: String::new(),
    });
    let entry = call(socket, "Add", request).await?;
    output::stdout(&format!("{} {}/{}\n", entry.id, entry.tier, entry.r#type))?;
    Ok(Outcome::Success)
}
