//! Semantic validation: [`validate`] → [`Finding`]s ([`Severity::Error`] or `Warning`).
//!
//! Codes follow upstream's `charter-validator` (spec §6.4) where a rule carries over:
//! `CHARTER_MISSING_NAME`, `CHARTER_MISSING_ROLE`, `CHARTER_INVALID_TIER`,
//! `CHARTER_INVALID_MAXSESSIONS` (and the other `CHARTER_INVALID_<FIELD>` positivity checks),
//! `CHARTER_BUDGET_INCONSISTENT` (hourly > daily), `CHARTER_HEURISTICS_CONFLICT`,
//! `CHARTER_EMPTY_ALWAYS_REJECT`, `CHARTER_INVALID_TEMPERATURE`, `CHARTER_INVALID_TIMEOUT`.
//! Ours: `CHARTER_INVALID_PERCENTAGE`, `CHARTER_BUDGET_SPLIT_EXCEEDS_100`,
//! `CHARTER_DUPLICATE_ENTRY`, `CHARTER_UNMATCHABLE_ENTRY` (a heuristic that compiles to no
//! matcher), `CHARTER_INVALID_APPROVAL_TIMEOUT`. Loader warnings use the same type.
//! `field` is a dotted path (`safetyHeuristics.escalate[2]`); `line` is filled in by
//! `LoadedCharter::validate` from the source text (see `lines`).

use std::collections::HashSet;

use super::policy::{Matcher, Policy, RuleList};
use super::schema::Charter;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub line: Option<usize>,
}

impl Finding {
    pub fn error(code: &'static str, message: String, field: Option<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message,
            field,
            line: None,
        }
    }
    pub fn warning(code: &'static str, message: String, field: Option<String>) -> Self {
        Self {
            severity: Severity::Warning,
            code,
            message,
            field,
            line: None,
        }
    }
    pub fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }
}

/// Parses "80%" / "80" into 80.0.
pub fn parse_percentage(s: &str) -> Option<f64> {
    let n: f64 = s.trim().trim_end_matches('%').trim().parse().ok()?;
    (0.0..=100.0).contains(&n).then_some(n)
}

pub fn validate(c: &Charter) -> Vec<Finding> {
    validate_compiled(c, &Policy::compile(c))
}

/// [`validate`] with `policy` already compiled from `c`, so no entry is compiled twice.
pub fn validate_compiled(c: &Charter, policy: &Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    let field = |f: &str| Some(f.to_string());
    if c.name.trim().is_empty() {
        out.push(Finding::error(
            "CHARTER_MISSING_NAME",
            "name must be a non-empty string.".into(),
            field("name"),
        ));
    }
    if c.role.trim().is_empty() {
        out.push(Finding::error(
            "CHARTER_MISSING_ROLE",
            "role must be a non-empty string.".into(),
            field("role"),
        ));
    }
    if !(1..=3).contains(&c.tier) {
        out.push(Finding::error(
            "CHARTER_INVALID_TIER",
            format!("tier must be 1, 2, or 3 (got {}).", c.tier),
            field("tier"),
        ));
    }
    let rl = &c.resource_limits;
    let tb = &rl.token_budget;
    let mem = rl.memory.clone().unwrap_or_default();
    let positives = [
        (
            "CHARTER_INVALID_MAXSESSIONS",
            "resourceLimits.maxSessions",
            Some(rl.max_sessions),
        ),
        (
            "CHARTER_INVALID_MAXTOKENSPERSESSION",
            "resourceLimits.maxTokensPerSession",
            rl.max_tokens_per_session,
        ),
        (
            "CHARTER_INVALID_MAXCONCURRENTTASKS",
            "resourceLimits.maxConcurrentTasks",
            rl.max_concurrent_tasks,
        ),
        (
            "CHARTER_INVALID_TOTAL",
            "resourceLimits.tokenBudget.total",
            tb.total,
        ),
        (
            "CHARTER_INVALID_HOURLY",
            "resourceLimits.tokenBudget.hourly",
            tb.hourly,
        ),
        (
            "CHARTER_INVALID_DAILY",
            "resourceLimits.tokenBudget.daily",
            tb.daily,
        ),
        (
            "CHARTER_INVALID_MAXHEAPMB",
            "resourceLimits.memory.maxHeapMB",
            mem.max_heap_mb,
        ),
        (
            "CHARTER_INVALID_MAXCONTEXTTOKENS",
            "resourceLimits.memory.maxContextTokens",
            mem.max_context_tokens,
        ),
        (
            "CHARTER_INVALID_APPROVAL_TIMEOUT",
            "approvalTimeoutSeconds",
            Some(c.approval_timeout_seconds),
        ),
    ];
    for (code, path, value) in positives {
        if let Some(v) = value.filter(|v| *v <= 0) {
            out.push(Finding::error(
                code,
                format!("{path} must be a positive number (got {v})."),
                field(path),
            ));
        }
    }
    if let (Some(h), Some(d)) = (tb.hourly, tb.daily)
        && h > d
    {
        out.push(Finding::error(
            "CHARTER_BUDGET_INCONSISTENT",
            format!("tokenBudget.hourly ({h}) exceeds tokenBudget.daily ({d})."),
            field("resourceLimits.tokenBudget.hourly"),
        ));
    }
    let sub = parse_percentage(&tb.subscription);
    let api = parse_percentage(&tb.api);
    for (name, raw, parsed) in [
        ("subscription", &tb.subscription, sub),
        ("api", &tb.api, api),
    ] {
        if parsed.is_none() {
            out.push(Finding::error(
                "CHARTER_INVALID_PERCENTAGE",
                format!(
                    "tokenBudget.{name} must be a percentage between 0% and 100% (got {raw:?})."
                ),
                Some(format!("resourceLimits.tokenBudget.{name}")),
            ));
        }
    }
    if let (Some(s), Some(a)) = (sub, api)
        && s + a > 100.0
    {
        out.push(Finding::error(
            "CHARTER_BUDGET_SPLIT_EXCEEDS_100",
            format!("tokenBudget.subscription + api = {}% exceeds 100%.", s + a),
            field("resourceLimits.tokenBudget"),
        ));
    }
    if let Some(ops) = &c.operational_settings {
        if ops.temperature.is_some_and(|t| !(0.0..=2.0).contains(&t)) {
            out.push(Finding::error(
                "CHARTER_INVALID_TEMPERATURE",
                "operationalSettings.temperature must be between 0 and 2.".into(),
                field("operationalSettings.temperature"),
            ));
        }
        if ops.timeout_ms.is_some_and(|t| t <= 0) {
            out.push(Finding::error(
                "CHARTER_INVALID_TIMEOUT",
                "operationalSettings.timeoutMs must be positive.".into(),
                field("operationalSettings.timeoutMs"),
            ));
        }
    }
    heuristics(c, policy, &mut out);
    out
}

fn heuristics(c: &Charter, policy: &Policy, out: &mut Vec<Finding>) {
    let h = &c.safety_heuristics;
    let norm = |s: &str| s.trim().to_lowercase();
    if h.always_reject.is_empty() {
        out.push(Finding::warning(
            "CHARTER_EMPTY_ALWAYS_REJECT",
            "safetyHeuristics.alwaysReject is empty: nothing is ever rejected by the charter."
                .into(),
            Some("safetyHeuristics.alwaysReject".into()),
        ));
    }
    // Sets, not pairwise comparisons: the lists may hold hundreds of thousands of entries.
    let approved: HashSet<String> = h.auto_approve.iter().map(|a| norm(a)).collect();
    for (i, r) in h.always_reject.iter().enumerate() {
        if approved.contains(&norm(r)) {
            out.push(Finding::error(
                "CHARTER_HEURISTICS_CONFLICT",
                format!(
                    "Pattern \"{}\" appears in both \"alwaysReject\" and \"autoApprove\".",
                    r.trim()
                ),
                Some(format!("safetyHeuristics.alwaysReject[{i}]")),
            ));
        }
    }
    let lists = [
        ("autoApprove", &h.auto_approve, RuleList::AutoApprove),
        ("alwaysReject", &h.always_reject, RuleList::AlwaysReject),
        ("escalate", &h.escalate, RuleList::Escalate),
    ];
    for (name, list, compiled) in lists {
        let mut seen = HashSet::with_capacity(list.len());
        let path = |i: usize| Some(format!("safetyHeuristics.{name}[{i}]"));
        for ((i, entry), matcher) in list.iter().enumerate().zip(policy.matchers(compiled)) {
            if !seen.insert(norm(entry)) {
                out.push(Finding::warning(
                    "CHARTER_DUPLICATE_ENTRY",
                    format!("\"{entry}\" appears twice in {name}."),
                    path(i),
                ));
            }
            if let Matcher::Nothing(why) = matcher {
                out.push(Finding::warning(
                    "CHARTER_UNMATCHABLE_ENTRY",
                    format!("{name} entry \"{entry}\" matches nothing ({why})."),
                    path(i),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::from_str;

    fn findings(yaml: &str) -> Vec<Finding> {
        from_str(yaml, "t", &|_| None).expect("loads").validate()
    }
    fn has(fs: &[Finding], code: &str, sev: Severity) -> bool {
        fs.iter().any(|f| f.code == code && f.severity == sev)
    }

    #[test]
    fn numeric_and_budget_rules() {
        let fs = findings(
            "tier: 4\nresourceLimits:\n  maxSessions: 0\n  tokenBudget:\n    subscription: 90%\n    api: 20%\n    hourly: 10\n    daily: 5\n",
        );
        assert!(has(&fs, "CHARTER_INVALID_TIER", Severity::Error));
        assert!(has(&fs, "CHARTER_INVALID_MAXSESSIONS", Severity::Error));
        assert!(has(&fs, "CHARTER_BUDGET_INCONSISTENT", Severity::Error));
        assert!(has(
            &fs,
            "CHARTER_BUDGET_SPLIT_EXCEEDS_100",
            Severity::Error
        ));
        let tier = fs
            .iter()
            .find(|f| f.code == "CHARTER_INVALID_TIER")
            .map(|f| f.line);
        assert_eq!(tier, Some(Some(1)));
        let fs = findings("resourceLimits:\n  tokenBudget:\n    api: lots\n");
        assert!(has(&fs, "CHARTER_INVALID_PERCENTAGE", Severity::Error));
    }

    #[test]
    fn heuristic_rules() {
        let fs = findings(
            "safetyHeuristics:\n  autoApprove:\n    - \"Run Tests \"\n  alwaysReject:\n    - run tests\n  escalate:\n    - Architectural changes\n    - Frobnicate widgets\n",
        );
        assert!(has(&fs, "CHARTER_HEURISTICS_CONFLICT", Severity::Error));
        let unmatchable: Vec<_> = fs
            .iter()
            .filter(|f| f.code == "CHARTER_UNMATCHABLE_ENTRY")
            .collect();
        assert_eq!(unmatchable.len(), 2);
        assert_eq!(unmatchable[0].line, Some(7));
        assert!(unmatchable[1].message.contains("Frobnicate widgets"));
        assert!(has(
            &findings("name: x\n"),
            "CHARTER_EMPTY_ALWAYS_REJECT",
            Severity::Warning
        ));
        // Every repeat is reported, at its own index, whatever its case and spacing.
        let fs = findings(
            "safetyHeuristics:\n  alwaysReject:\n    - rm -rf /\n    - git push --force*\n    - RM -rf / \n    - rm -rf /\n",
        );
        let duplicates: Vec<_> = fs
            .iter()
            .filter(|f| f.code == "CHARTER_DUPLICATE_ENTRY")
            .map(|f| (f.field.as_deref().unwrap_or_default(), f.line))
            .collect();
        assert_eq!(
            duplicates,
            [
                ("safetyHeuristics.alwaysReject[2]", Some(5)),
                ("safetyHeuristics.alwaysReject[3]", Some(6))
            ]
        );
    }

    #[test]
    fn shipped_fixture_findings() {
        let text = include_str!("../tests/fixtures/charters/computer-setup-charter.yaml");
        let fs = findings(text);
        assert!(fs.iter().all(|f| f.severity == Severity::Warning), "{fs:?}");
        let codes: Vec<_> = fs.iter().map(|f| (f.code, f.field.clone())).collect();
        assert_eq!(
            codes,
            [(
                "CHARTER_UNMATCHABLE_ENTRY",
                Some("safetyHeuristics.escalate[2]".into())
            )]
        );
    }
}
