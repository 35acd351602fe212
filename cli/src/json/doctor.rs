//! [`DoctorJson`]: `doctor --json`, every check with its verdict. Schema:
//! `docs/json/doctor.schema.json`.

use serde::Serialize;

use crate::commands::orchestrator::doctor::{Check, Verdict};

/// The checks and their totals.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorJson {
    /// No check failed.
    ok: bool,
    failures: usize,
    warnings: usize,
    checks: Vec<CheckJson>,
}

/// One check.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckJson {
    name: String,
    /// `ok`, `warn` or `fail`.
    status: &'static str,
    detail: String,
    /// What to do; null when the check passed.
    remedy: Option<String>,
}

impl DoctorJson {
    /// The report of `checks`.
    pub fn new(checks: &[Check]) -> Self {
        let count = |v| checks.iter().filter(|c| c.verdict == v).count();
        Self {
            ok: count(Verdict::Fail) == 0,
            failures: count(Verdict::Fail),
            warnings: count(Verdict::Warn),
            checks: checks
                .iter()
                .map(|c| CheckJson {
                    name: c.name.clone(),
                    status: c.verdict.word(),
                    detail: c.detail.clone(),
                    remedy: c.remedy.clone(),
                })
                .collect(),
        }
    }
}
