//! `wundr orchestrator memory export FILE` and `memory import FILE` ([`FileArgs`]): the
//! whole store as one JSON document, written and read by the CLI (the daemon never touches
//! the user's path).

use std::path::{Path, PathBuf};

use clap::Args;
use orchestrator_api::v1::{ExportMemoryRequest, ImportMemoryRequest};

use super::{MAX_DOCUMENT_BYTES, call, connect};
use crate::error::{CliError, Outcome};
use crate::output;

/// The file argument of export and import.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// The JSON file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Writes the export document to the file.
pub async fn export(args: &FileArgs, socket: &Path) -> Result<Outcome, CliError> {
    let mut client = connect(socket).await?;
    let reply = call(socket, "Export", client.export(ExportMemoryRequest {})).await?;
    let document: serde_json::Value =
        serde_json::from_str(&reply.document_json).unwrap_or(serde_json::Value::Null);
    let count = |tier: &str| document[tier].as_array().map_or(0, Vec::len);
    let text = crate::json::pretty(&document);
    std::fs::write(&args.file, text).map_err(|source| CliError::MemoryFile {
        action: "write",
        path: args.file.clone(),
        source,
    })?;
    output::stdout(&format!(
        "exported {} episodic and {} semantic memories to {}\n",
        count("episodic"),
        count("semantic"),
        args.file.display()
    ))?;
    Ok(Outcome::Success)
}

/// Sends the file's document to the daemon, which checks all of it before writing any.
pub async fn import(args: &FileArgs, socket: &Path) -> Result<Outcome, CliError> {
    let failed = |source| CliError::MemoryFile {
        action: "read",
        path: args.file.clone(),
        source,
    };
    let size = std::fs::metadata(&args.file).map_err(failed)?.len();
    if size > MAX_DOCUMENT_BYTES as u64 {
        return Err(failed(std::io::Error::other(format!(
            "it is {size} bytes; the limit is {MAX_DOCUMENT_BYTES}"
        ))));
    }
    let text = std::fs::read_to_string(&args.file).map_err(failed)?;
    let mut client = connect(socket).await?;
    let request = client.import(ImportMemoryRequest {
        document_json: text,
    });
    let reply = call(socket, "Import", request).await?;
    output::stdout(&format!(
        "imported {} memories and scratchpad keys from {}\n",
        reply.imported,
        args.file.display()
    ))?;
    Ok(Outcome::Success)
}
