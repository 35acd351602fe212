//! [`check_file`]: what `charter validate` reports about a file, as a [`FileReport`] of
//! [`ReportFinding`]s (loader errors included, with line and column), shared by the daemon's
//! `Validate` call and the CLI, which validates a file without a daemon.

use std::path::Path;

use super::load::{CharterError, load_charter_limited};
use super::validate::{Finding, Severity};

/// One finding with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFinding {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// `CHARTER_INVALID_TIER`, `CHARTER_YAML`, …
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// Dotted field path, or empty.
    pub field: String,
    /// 1-based, 0 = unknown.
    pub line: u32,
    /// 1-based, 0 = unknown.
    pub column: u32,
}

/// The result of validating one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The file.
    pub source: String,
    /// No error findings.
    pub valid: bool,
    /// Errors and warnings, in the order found.
    pub findings: Vec<ReportFinding>,
}

impl From<&Finding> for ReportFinding {
    fn from(f: &Finding) -> Self {
        Self {
            severity: match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            code: f.code.to_owned(),
            message: f.message.clone(),
            field: f.field.clone().unwrap_or_default(),
            line: f.line.and_then(|l| u32::try_from(l).ok()).unwrap_or(0),
            column: 0,
        }
    }
}

/// Loads and validates `path` without enforcing it; a file over `max_bytes` is refused
/// unread. Takes as long as the file is big: call it off the async runtime.
pub fn check_file(path: &Path, max_bytes: u64) -> FileReport {
    let source = path.display().to_string();
    let findings = match load_charter_limited(path, max_bytes) {
        Ok(loaded) => {
            let mut all: Vec<ReportFinding> =
                loaded.warnings.iter().map(ReportFinding::from).collect();
            all.extend(loaded.validate().iter().map(ReportFinding::from));
            all
        }
        Err(err) => vec![load_error_finding(&err)],
    };
    FileReport {
        valid: findings.iter().all(|f| f.severity != "error"),
        source,
        findings,
    }
}

fn load_error_finding(err: &CharterError) -> ReportFinding {
    let (code, message, field, line, column) = match err {
        CharterError::NotFound { .. } => ("CHARTER_NOT_FOUND", err.to_string(), None, 0, 0),
        CharterError::Read { source, .. } => {
            ("CHARTER_UNREADABLE", format!("{err}: {source}"), None, 0, 0)
        }
        CharterError::Invalid {
            line,
            column,
            field,
            message,
            ..
        } => (
            "CHARTER_YAML",
            message.clone(),
            field.clone(),
            *line,
            *column,
        ),
        CharterError::MultipleDocuments { line, .. } => (
            "CHARTER_MULTIPLE_DOCUMENTS",
            err.to_string(),
            None,
            *line,
            0,
        ),
        CharterError::Empty { .. } => ("CHARTER_EMPTY", err.to_string(), None, 0, 0),
        CharterError::TooLarge { .. } => ("CHARTER_TOO_LARGE", err.to_string(), None, 0, 0),
    };
    ReportFinding {
        severity: "error",
        code: code.to_owned(),
        message,
        field: field.unwrap_or_default(),
        line: u32::try_from(line).unwrap_or(0),
        column: u32::try_from(column).unwrap_or(0),
    }
}

/// `file:line:col: severity CODE: message (field x)`, how the CLI prints a finding.
pub fn render(source: &str, f: &ReportFinding) -> String {
    let mut at = source.to_owned();
    if f.line > 0 {
        at.push_str(&format!(":{}", f.line));
        if f.column > 0 {
            at.push_str(&format!(":{}", f.column));
        }
    }
    let field = if f.field.is_empty() {
        String::new()
    } else {
        format!(" (field {})", f.field)
    };
    format!("{at}: {} {}: {}{field}", f.severity, f.code, f.message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DEFAULT_MAX_CHARTER_BYTES;

    #[test]
    fn fixtures_are_valid_and_a_type_error_has_line_and_column() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/charters");
        for name in [
            "readme-example-charter.yaml",
            "computer-setup-charter.yaml",
            "template-charter.yaml",
        ] {
            let report = check_file(&dir.join(name), DEFAULT_MAX_CHARTER_BYTES);
            assert!(report.valid, "{name}: {:?}", report.findings);
        }
        let tmp = tempfile::tempdir().unwrap();
        let bad = tmp.path().join("bad.yaml");
        std::fs::write(&bad, "name: x\nresourceLimits:\n  maxSessions: many\n").unwrap();
        let report = check_file(&bad, DEFAULT_MAX_CHARTER_BYTES);
        assert!(!report.valid);
        let f = &report.findings[0];
        assert_eq!((f.code.as_str(), f.line, f.column), ("CHARTER_YAML", 3, 16));
        let text = render(&report.source, f);
        assert!(text.contains("bad.yaml:3:16: error CHARTER_YAML"), "{text}");
        assert!(text.contains("maxSessions"), "{text}");
    }
}
