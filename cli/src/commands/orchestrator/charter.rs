//! `wundr orchestrator charter validate [FILE] | show [--json] | reload`: [`CharterCommand`].
//! `validate FILE` checks a file locally (no daemon needed; exit 0 valid, 1 invalid, findings
//! as `file:line:column: severity CODE: message (field x)`), on a blocking thread and with the
//! daemon's size limit (`charterMaxBytes` of the config file, else 4 MiB); without FILE it asks
//! the running daemon to check its own charter file, or checks the default path when none
//! runs. `show`
//! prints the effective charter; `reload` re-reads it (as SIGHUP does). [`charter_client`] and
//! [`charter_call`] are shared with `hook`, `audit` and `approval`.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use orchestrator_api::paths::DaemonPaths;
use orchestrator_api::v1::charter_client::CharterClient;
use orchestrator_api::v1::{
    CharterInfo, ReloadCharterRequest, ShowCharterRequest, ValidateCharterRequest,
};
use orchestrator_charter::DEFAULT_MAX_CHARTER_BYTES;
use orchestrator_charter::report::{FileReport, ReportFinding, check_file, render};
use orchestrator_config::{ConfigLayer, DaemonConfig};
use tonic::transport::Channel;

use super::session::error::refine;
use crate::daemon_client::{self, CALL_TIMEOUT};
use crate::error::SessionCommandError;
use crate::error::{CliError, Outcome};
use crate::json::charter::{CharterInfoJson, CharterReportJson};
use crate::output;

/// The subcommands of `wundr orchestrator charter`.
#[derive(Debug, Subcommand)]
pub enum CharterCommand {
    /// Check a charter file (exit 0 valid, 1 invalid); no daemon needed with FILE
    Validate(ValidateArgs),
    /// Show the charter the daemon enforces
    Show(ShowArgs),
    /// Re-read the charter file (as SIGHUP does); a bad file keeps the previous charter
    Reload,
}

/// Arguments of `charter validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The charter file [default: the daemon's, else ORCHESTRATOR_CHARTER or
    /// ~/orchestrator-daemon/orchestrator-charter.yaml]
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Print the findings as JSON
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `charter show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Print the effective charter as JSON
    #[arg(long)]
    pub json: bool,
}

/// The largest answer a `Charter` call may bring: `show` and `reload` carry the whole
/// charter as JSON, which for a file near a raised `charterMaxBytes` is far past gRPC's 4 MiB.
const MAX_CHARTER_MESSAGE: usize = 1024 * 1024 * 1024;

/// A `Charter` client, or "not running" (exit 3).
pub async fn charter_client(socket: &Path) -> Result<CharterClient<Channel>, CliError> {
    let channel = daemon_client::require_channel(socket).await?;
    Ok(CharterClient::new(channel).max_decoding_message_size(MAX_CHARTER_MESSAGE))
}

/// One unary `Charter` call; the daemon's refusals read as its own message with `remedy`.
pub async fn charter_call<T>(
    socket: &Path,
    name: &'static str,
    timeout: Duration,
    remedy: Option<&str>,
    request: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
) -> Result<T, CliError> {
    daemon_client::unary_within(socket, name, timeout, request)
        .await
        .map_err(|err| match refine(err, "") {
            CliError::Session(SessionCommandError::Refused {
                code,
                reason,
                message,
                remedy: from_daemon,
            }) => SessionCommandError::Refused {
                code,
                reason,
                message,
                // The daemon's remedy (set for storage faults) knows the cause best.
                remedy: from_daemon.or_else(|| remedy.map(str::to_owned)),
            }
            .into(),
            other => other,
        })
}

/// Runs one `charter` subcommand.
pub async fn run(command: CharterCommand, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    let socket = paths.socket.as_path();
    match command {
        CharterCommand::Validate(args) => validate(&args, paths).await,
        CharterCommand::Show(args) => {
            let mut client = charter_client(socket).await?;
            let info = charter_call(
                socket,
                "Show",
                CALL_TIMEOUT,
                None,
                client.show(ShowCharterRequest {}),
            )
            .await?;
            print_info(&info, args.json)
        }
        CharterCommand::Reload => {
            let mut client = charter_client(socket).await?;
            let info = charter_call(
                socket,
                "Reload",
                CALL_TIMEOUT,
                Some("the previous charter stays in force; fix the file (check it with: wundr orchestrator charter validate FILE) and reload again"),
                client.reload(ReloadCharterRequest {}),
            )
            .await?;
            output::stdout(&format!("charter reloaded from {}\n", source_text(&info)))?;
            print_findings(
                &info.source,
                &info.findings.iter().map(from_proto).collect::<Vec<_>>(),
            )?;
            Ok(Outcome::Success)
        }
    }
}

async fn validate(args: &ValidateArgs, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    let socket = paths.socket.as_path();
    let report = match &args.file {
        Some(file) => check_locally(file.clone(), paths).await,
        None => match daemon_client::open_channel(socket).await? {
            Some(channel) => {
                let mut client =
                    CharterClient::new(channel).max_decoding_message_size(MAX_CHARTER_MESSAGE);
                let reply = charter_call(
                    socket,
                    "Validate",
                    CALL_TIMEOUT,
                    None,
                    client.validate(ValidateCharterRequest::default()),
                )
                .await?;
                FileReport {
                    findings: reply.findings.iter().map(from_proto).collect(),
                    source: reply.source,
                    valid: reply.valid,
                }
            }
            None => check_locally(default_path(), paths).await,
        },
    };
    if args.json {
        output::stdout(&crate::json::pretty(&CharterReportJson::from(&report)))?;
    } else {
        print_findings(&report.source, &report.findings)?;
        if report.valid {
            output::stdout(&format!("{}: valid\n", report.source))?;
        }
    }
    if report.valid {
        return Ok(Outcome::Success);
    }
    Err(CliError::CharterInvalid {
        errors: report
            .findings
            .iter()
            .filter(|f| f.severity == "error")
            .count(),
        file: report.source,
    })
}

/// Checks `file` here, on a blocking thread (a big file takes a while), with the size limit
/// the daemon started here would apply.
async fn check_locally(file: PathBuf, paths: &DaemonPaths) -> FileReport {
    let max_bytes = configured_max_bytes(&paths.config_file);
    tokio::task::spawn_blocking(move || check_file(&file, max_bytes))
        .await
        .expect("checking a charter file does not panic")
}

/// `charterMaxBytes` from the daemon's default config file, or the built-in limit when the
/// file is absent, does not set it, or is invalid (the daemon reports that itself).
fn configured_max_bytes(config_file: &Path) -> u64 {
    if !config_file.exists() {
        return DEFAULT_MAX_CHARTER_BYTES;
    }
    ConfigLayer::from_file(config_file)
        .ok()
        .filter(|layer| layer.charter_max_bytes.is_some())
        .and_then(|layer| DaemonConfig::resolve([&layer]).ok())
        .map_or(DEFAULT_MAX_CHARTER_BYTES, |config| config.charter_max_bytes)
}

/// The charter path a daemon started here would use.
fn default_path() -> PathBuf {
    match std::env::var_os("ORCHESTRATOR_CHARTER").filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => orchestrator_config::default_charter_path(
            &std::env::var_os("HOME").map_or_else(PathBuf::new, PathBuf::from),
        ),
    }
}

fn from_proto(f: &orchestrator_api::v1::CharterFinding) -> ReportFinding {
    ReportFinding {
        severity: if f.severity == "error" {
            "error"
        } else {
            "warning"
        },
        code: f.code.clone(),
        message: f.message.clone(),
        field: f.field.clone(),
        line: f.line,
        column: f.column,
    }
}

fn print_findings(source: &str, findings: &[ReportFinding]) -> Result<(), CliError> {
    let mut text = String::new();
    for f in findings {
        text.push_str(&render(source, f));
        text.push('\n');
    }
    output::stdout(&text)
}

fn source_text(info: &CharterInfo) -> String {
    if info.source.is_empty() {
        format!("built-in defaults ({})", info.defaults_reason)
    } else {
        info.source.clone()
    }
}

fn print_info(info: &CharterInfo, json: bool) -> Result<Outcome, CliError> {
    let charter: serde_json::Value =
        serde_json::from_str(&info.charter_json).unwrap_or(serde_json::Value::Null);
    if json {
        let findings: Vec<_> = info.findings.iter().map(from_proto).collect();
        output::stdout(&crate::json::pretty(&CharterInfoJson::new(info, &findings)))?;
        return Ok(Outcome::Success);
    }
    let yaml = serde_yaml::to_string(&charter).unwrap_or_default();
    output::stdout(&format!("# source: {}\n{yaml}", source_text(info)))?;
    print_findings(
        &info.source,
        &info.findings.iter().map(from_proto).collect::<Vec<_>>(),
    )?;
    Ok(Outcome::Success)
}
