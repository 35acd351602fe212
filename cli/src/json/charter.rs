//! [`CharterReportJson`] (`charter validate --json`, `docs/json/charter-report.schema.json`)
//! and [`CharterInfoJson`] (`charter show --json`, `docs/json/charter.schema.json`). The
//! charter document itself is passed through as the daemon reads it (its own camelCase
//! YAML keys).

use orchestrator_api::v1::CharterInfo;
use orchestrator_charter::report::{FileReport, ReportFinding};
use serde::Serialize;
use serde_json::Value;

use super::{parsed, text, time};

/// One finding in a charter file.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingJson {
    /// `error` or `warning`.
    severity: String,
    code: String,
    message: String,
    /// Dotted field path, null when the finding is about no one field.
    field: Option<String>,
    /// 1-based; null when unknown.
    line: Option<u32>,
    /// 1-based; null when unknown.
    column: Option<u32>,
}

impl From<&ReportFinding> for FindingJson {
    fn from(f: &ReportFinding) -> Self {
        Self {
            severity: f.severity.to_owned(),
            code: f.code.clone(),
            message: f.message.clone(),
            field: text(&f.field),
            line: (f.line != 0).then_some(f.line),
            column: (f.column != 0).then_some(f.column),
        }
    }
}

/// Whether a charter file is valid, and why not.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CharterReportJson {
    source: String,
    valid: bool,
    findings: Vec<FindingJson>,
}

impl From<&FileReport> for CharterReportJson {
    fn from(r: &FileReport) -> Self {
        Self {
            source: r.source.clone(),
            valid: r.valid,
            findings: r.findings.iter().map(FindingJson::from).collect(),
        }
    }
}

/// The charter the daemon enforces.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CharterInfoJson {
    /// The file, null for the built-in defaults.
    source: Option<String>,
    /// Why the built-in defaults are in effect; null when a file is.
    defaults_reason: Option<String>,
    loaded_at: Option<String>,
    charter: Value,
    findings: Vec<FindingJson>,
}

impl CharterInfoJson {
    /// `info`, its findings already converted by the caller's `from_proto`.
    pub fn new(info: &CharterInfo, findings: &[ReportFinding]) -> Self {
        Self {
            source: text(&info.source),
            defaults_reason: text(&info.defaults_reason),
            loaded_at: time(info.loaded_unix_ms),
            charter: parsed(&info.charter_json),
            findings: findings.iter().map(FindingJson::from).collect(),
        }
    }
}
