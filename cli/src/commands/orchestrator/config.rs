//! `wundr orchestrator config validate [FILE] [--json]`: [`ConfigCommand`]. Resolves the configuration
//! exactly as a daemon started from here would (the daemon crate's
//! `orchestrator_daemon::config_load`: defaults < file < environment < flags) and checks the
//! charter it names, without a daemon. [`check`] and [`ConfigCheck`] are shared with `restart`
//! (which refuses to stop anything when the new daemon would not start) and `doctor`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use orchestrator_api::paths::DaemonPaths;
use orchestrator_charter::report::{FileReport, check_file, render};
use orchestrator_config::{ConfigLayer, DaemonConfig, load as config_load};

use crate::error::{CliError, Outcome};
use crate::json::charter::FindingJson;
use crate::json::config::{ConfigCharterJson, ConfigCheckJson};
use crate::output;
use crate::paths::absolute;

/// The subcommands of `wundr orchestrator config`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check the configuration (and the charter it names) as the daemon would load it
    Validate(ValidateConfigArgs),
}

/// Arguments of `config validate`.
#[derive(Debug, Args)]
pub struct ValidateConfigArgs {
    /// The config file [default: $XDG_CONFIG_HOME/wundr/orchestrator.yaml when it exists]
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Print the result as one JSON object (a configuration that does not resolve is still
    /// an error on stderr)
    #[arg(long)]
    pub json: bool,
}

/// The charter a configuration names, as checked.
#[derive(Debug)]
pub enum CharterCheck {
    /// No charter file named and none at the default path: built-in defaults apply.
    Defaults {
        /// The default path that holds no file.
        path: PathBuf,
    },
    /// The file's findings.
    File(FileReport),
}

/// A configuration that resolved, and its charter's findings.
#[derive(Debug)]
pub struct ConfigCheck {
    /// The config file read, if any.
    pub file: Option<PathBuf>,
    /// The default path looked at when no file was named.
    pub default_file: PathBuf,
    /// The resolved configuration.
    pub config: DaemonConfig,
    /// The charter it names.
    pub charter: CharterCheck,
}

impl From<&ConfigCheck> for ConfigCheckJson {
    fn from(c: &ConfigCheck) -> Self {
        let charter = match &c.charter {
            CharterCheck::Defaults { path } => ConfigCharterJson {
                path: path.display().to_string(),
                built_in_defaults: true,
                valid: true,
                findings: Vec::new(),
            },
            CharterCheck::File(report) => ConfigCharterJson {
                path: report.source.clone(),
                built_in_defaults: false,
                valid: report.valid,
                findings: report.findings.iter().map(FindingJson::from).collect(),
            },
        };
        Self {
            ok: charter.valid,
            file: c.file.as_ref().map(|f| f.display().to_string()),
            default_file: c.default_file.display().to_string(),
            port: c.config.port,
            host: c.config.host.clone(),
            max_sessions: c.config.max_sessions,
            charter,
        }
    }
}

impl ConfigCheck {
    /// Why the daemon would refuse the charter, when it would.
    pub fn charter_error(&self) -> Option<CliError> {
        match &self.charter {
            CharterCheck::File(report) if !report.valid => Some(CliError::CharterInvalid {
                file: report.source.clone(),
                errors: report
                    .findings
                    .iter()
                    .filter(|f| f.severity == "error")
                    .count(),
            }),
            _ => None,
        }
    }

    /// The charter's findings, one `file:line:column: ...` line each.
    pub fn findings_text(&self) -> String {
        let CharterCheck::File(report) = &self.charter else {
            return String::new();
        };
        report
            .findings
            .iter()
            .map(|f| render(&report.source, f) + "\n")
            .collect()
    }

    /// The short "ok" summary of a configuration that would start.
    pub fn summary(&self) -> String {
        let file = match &self.file {
            Some(file) => format!("config file {}", file.display()),
            None => format!(
                "no config file (none at {}): built-in defaults and the environment",
                self.default_file.display()
            ),
        };
        let charter = match &self.charter {
            CharterCheck::Defaults { path } => {
                format!("built-in defaults (no file at {})", path.display())
            }
            CharterCheck::File(report) => {
                let warnings = report.findings.len();
                match warnings {
                    0 => format!("{} (valid)", report.source),
                    n => format!("{} (valid, {n} warning{})", report.source, plural(n)),
                }
            }
        };
        let c = &self.config;
        let runners = match &c.ray {
            Some(ray) => format!(
                "  runner {} by default; Ray cluster {}, relays listened for on {}\n",
                c.runner.as_str(),
                ray.address,
                ray.relay_listen
            ),
            None => String::new(),
        };
        format!(
            "ok: {file}\n  port {}, host {}, max sessions {}\n  charter {charter}\n{runners}",
            c.port, c.host, c.max_sessions
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Runs one `config` subcommand.
pub async fn run(command: ConfigCommand, paths: &DaemonPaths) -> Result<Outcome, CliError> {
    match command {
        ConfigCommand::Validate(args) => {
            let checked = check(args.file.as_deref(), paths, ConfigLayer::default()).await?;
            if args.json {
                let json = ConfigCheckJson::from(&checked);
                output::stdout(&crate::json::pretty(&json))?;
                return checked.charter_error().map_or(Ok(Outcome::Success), Err);
            }
            output::stdout(&checked.findings_text())?;
            if let Some(err) = checked.charter_error() {
                return Err(err);
            }
            output::stdout(&checked.summary())?;
            Ok(Outcome::Success)
        }
    }
}

/// Resolves the configuration a daemon started from here with `explicit` (`-c FILE`) and
/// `flags` would use, and checks its charter. Fails only when the configuration itself is
/// refused; the charter's verdict is in [`ConfigCheck::charter_error`].
pub async fn check(
    explicit: Option<&Path>,
    paths: &DaemonPaths,
    flags: ConfigLayer,
) -> Result<ConfigCheck, CliError> {
    let explicit = explicit.map(absolute).transpose()?;
    let file = config_load::config_file(explicit.as_deref(), Some(&paths.socket));
    let config = config_load::resolve(file.as_deref(), |name| std::env::var(name).ok(), flags)
        .map_err(CliError::ConfigInvalid)?;
    let (charter_path, named) = config.charter_path();
    let charter = if named || charter_path.exists() {
        let max_bytes = config.charter_max_bytes;
        // A big charter takes a while to check: off the runtime's only thread.
        let report = tokio::task::spawn_blocking(move || check_file(&charter_path, max_bytes))
            .await
            .expect("checking a charter file does not panic");
        CharterCheck::File(report)
    } else {
        CharterCheck::Defaults { path: charter_path }
    };
    Ok(ConfigCheck {
        file,
        default_file: paths.config_file.clone(),
        config,
        charter,
    })
}
