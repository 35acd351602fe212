//! The charter schema: [`Charter`] and its parts.
//!
//! Our schema is upstream's daemon schema (spec §6.1 "A") with every field optional, plus the
//! fields of upstream's library schema ("B", the shipped template) so that both shipped files
//! load, plus [`Charter::default_decision`] and [`Charter::approval_timeout_seconds`].
//!
//! Defaults (what a missing field means):
//! * `name` "orchestrator-supervisor", `role` "Tier1-Orchestrator", `tier` 1;
//! * every list empty, `identity` fields empty, `measurableObjectives` empty;
//! * `resourceLimits.maxSessions` 10; `tokenBudget.subscription` "80%", `api` "20%";
//!   the token totals (`total`, `hourly`, `daily`), `maxTokensPerSession`,
//!   `maxConcurrentTasks` and `memory` absent = unlimited;
//! * `defaultDecision` `ask`; `approvalTimeoutSeconds` 300 (no answer in time = deny);
//! * `operationalSettings` absent (kept only because the template has it; unused).
//!
//! Numbers are signed on purpose: a negative limit parses, so validation can report it with
//! its code and line instead of a bare type error.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A whole charter, as loaded (after `${VAR}` expansion and schema-B mapping).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Charter {
    pub name: String,
    pub role: String,
    pub tier: i64,
    pub identity: Identity,
    pub responsibilities: Vec<String>,
    /// Schema B only; informational.
    pub capabilities: Vec<String>,
    pub resource_limits: ResourceLimits,
    pub measurable_objectives: BTreeMap<String, String>,
    pub hard_constraints: Vec<String>,
    pub safety_heuristics: SafetyHeuristics,
    /// Schema B only; kept so it round-trips, never used by the daemon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operational_settings: Option<OperationalSettings>,
    /// What happens when no heuristic matches a tool call.
    pub default_decision: DefaultDecision,
    /// How long an escalation waits for an answer before it becomes a deny.
    pub approval_timeout_seconds: i64,
}

impl Default for Charter {
    fn default() -> Self {
        Self {
            name: "orchestrator-supervisor".into(),
            role: "Tier1-Orchestrator".into(),
            tier: 1,
            identity: Identity::default(),
            responsibilities: Vec::new(),
            capabilities: Vec::new(),
            resource_limits: ResourceLimits::default(),
            measurable_objectives: BTreeMap::new(),
            hard_constraints: Vec::new(),
            safety_heuristics: SafetyHeuristics::default(),
            operational_settings: None,
            default_decision: DefaultDecision::Ask,
            approval_timeout_seconds: 300,
        }
    }
}

/// Who the orchestrator is. `description`/`personality` come from schema B.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Identity {
    pub name: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slack_handle: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personality: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceLimits {
    pub max_sessions: i64,
    /// Schema B; absent = unlimited.
    pub max_tokens_per_session: Option<i64>,
    /// Schema B; absent = unlimited.
    pub max_concurrent_tasks: Option<i64>,
    pub token_budget: TokenBudget,
    pub memory: Option<MemoryLimits>,
}

impl Default for ResourceLimits {
    fn default() -> Self {
        Self {
            max_sessions: 10,
            max_tokens_per_session: None,
            max_concurrent_tasks: None,
            token_budget: TokenBudget::default(),
            memory: None,
        }
    }
}

/// The split between the subscription and API pools, plus optional token totals.
///
/// `subscription`/`api` are strings like "80%" (YAML reads `80%` as a string). The pool sizes
/// are computed from `total`, else `daily` (see `budget::TokenPools`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TokenBudget {
    pub subscription: String,
    pub api: String,
    pub total: Option<i64>,
    pub hourly: Option<i64>,
    pub daily: Option<i64>,
}

impl Default for TokenBudget {
    fn default() -> Self {
        Self {
            subscription: "80%".into(),
            api: "20%".into(),
            total: None,
            hourly: None,
            daily: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MemoryLimits {
    #[serde(rename = "maxHeapMB")]
    pub max_heap_mb: Option<i64>,
    pub max_context_tokens: Option<i64>,
}

/// The three heuristic lists. Schema B's `requireConfirmation` is folded into `escalate` by
/// the loader (with a warning), so it is always empty after loading.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SafetyHeuristics {
    pub auto_approve: Vec<String>,
    pub always_reject: Vec<String>,
    pub escalate: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub require_confirmation: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OperationalSettings {
    pub default_model: Option<String>,
    pub temperature: Option<f64>,
    pub max_retries: Option<i64>,
    pub timeout_ms: Option<i64>,
}

/// The verdict when no heuristic matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DefaultDecision {
    Allow,
    #[default]
    Ask,
    Deny,
}

/// The keys the schema knows, as (parent path, child keys); `None` children = free-form map.
/// Used by the loader to warn about unknown keys (serde silently ignores them).
pub(crate) const KNOWN_KEYS: &[(&str, Option<&[&str]>)] = &[
    (
        "",
        Some(&[
            "name",
            "role",
            "tier",
            "identity",
            "responsibilities",
            "capabilities",
            "resourceLimits",
            "measurableObjectives",
            "hardConstraints",
            "safetyHeuristics",
            "operationalSettings",
            "defaultDecision",
            "approvalTimeoutSeconds",
        ]),
    ),
    (
        "identity",
        Some(&[
            "name",
            "email",
            "avatar",
            "slackHandle",
            "description",
            "personality",
        ]),
    ),
    (
        "resourceLimits",
        Some(&[
            "maxSessions",
            "maxTokensPerSession",
            "maxConcurrentTasks",
            "tokenBudget",
            "memory",
        ]),
    ),
    (
        "resourceLimits.tokenBudget",
        Some(&["subscription", "api", "total", "hourly", "daily"]),
    ),
    (
        "resourceLimits.memory",
        Some(&["maxHeapMB", "maxContextTokens"]),
    ),
    ("measurableObjectives", None),
    (
        "safetyHeuristics",
        Some(&[
            "autoApprove",
            "alwaysReject",
            "escalate",
            "requireConfirmation",
        ]),
    ),
    (
        "operationalSettings",
        Some(&["defaultModel", "temperature", "maxRetries", "timeoutMs"]),
    ),
];
