//! [`ConfigCheckJson`]: `config validate --json`, a configuration that resolved and the
//! charter it names. Schema: `docs/json/config-check.schema.json`. A configuration that does
//! not resolve is an error (stderr, exit 1), not this document.

use serde::Serialize;

use super::charter::FindingJson;

/// The resolved configuration's essentials and its charter's verdict.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigCheckJson {
    /// The daemon would start with it: the configuration resolved and its charter is valid.
    pub ok: bool,
    /// The config file read; null when there is none.
    pub file: Option<String>,
    /// The default config file path looked at.
    pub default_file: String,
    pub port: u16,
    pub host: String,
    pub max_sessions: u32,
    pub charter: ConfigCharterJson,
}

/// The charter the configuration names.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigCharterJson {
    /// The charter file, or the default path that holds none.
    pub path: String,
    /// True when no file is there and the built-in defaults apply.
    pub built_in_defaults: bool,
    pub valid: bool,
    pub findings: Vec<FindingJson>,
}
