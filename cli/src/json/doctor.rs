//! [`DoctorJson`]: `doctor --json`, every check with its verdict. Schema:
//! `docs/json/doctor.schema.json`.

use serde::Serialize;

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
    pub name: String,
    /// `ok`, `warn` or `fail`.
    pub status: &'static str,
    pub detail: String,
    /// What to do; null when the check passed.
    pub remedy: Option<String>,
}

impl DoctorJson {
    /// The report of `checks`, with their totals.
    pub fn new(checks: Vec<CheckJson>) -> Self {
        let count = |status| checks.iter().filter(|c| c.status == status).count();
        let (failures, warnings) = (count("fail"), count("warn"));
        Self {
            ok: failures == 0,
            failures,
            warnings,
            checks,
        }
    }
}
