//! [`ConfigCheckJson`]: `config validate --json`, a configuration that resolved and the
//! charter it names. Schema: `docs/json/config-check.schema.json`. A configuration that does
//! not resolve is an error (stderr, exit 1), not this document.

use serde::Serialize;

use super::charter::FindingJson;
use crate::commands::orchestrator::config::{CharterCheck, ConfigCheck};

/// The resolved configuration's essentials and its charter's verdict.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigCheckJson {
    /// The daemon would start with it: the configuration resolved and its charter is valid.
    ok: bool,
    /// The config file read; null when there is none.
    file: Option<String>,
    /// The default config file path looked at.
    default_file: String,
    port: u16,
    host: String,
    max_sessions: u32,
    charter: ConfigCharterJson,
}

/// The charter the configuration names.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigCharterJson {
    /// The charter file, or the default path that holds none.
    path: String,
    /// True when no file is there and the built-in defaults apply.
    built_in_defaults: bool,
    valid: bool,
    findings: Vec<FindingJson>,
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
