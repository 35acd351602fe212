//! The charter, enforced: load a charter file ([`load_charter`] → [`LoadedCharter`]),
//! validate it ([`validate()`] → [`Finding`]s), compile it into a [`Policy`] that decides agent
//! [`Action`]s ([`Decision`]), answer Claude Code hooks ([`hook_response`]) and count tokens
//! against its budget split ([`TokenPools`]). Everything here is pure apart from reading the
//! file. The daemon side: [`active`] (the charter in force, reload), [`approvals`] (questions
//! waiting for a person), [`ask`] (asking one and taking the answer), [`enforce`] (a hook call
//! decided, audited), [`permission`] (the agent's own permission prompt decided, audited),
//! [`off_runtime`] (where file checks run, so they never stall the async runtime).

pub mod active;
pub mod approvals;
pub mod ask;
pub mod budget;
pub mod categories;
pub mod enforce;
mod env_vars;
mod expansion;
pub mod hook;
mod lines;
pub mod load;
mod located;
pub mod memory;
pub mod off_runtime;
pub mod pattern;
pub mod permission;
pub mod policy;
pub mod report;
pub mod schema;
pub mod shell;
pub mod validate;

pub use budget::{BudgetStatus, Pool, TokenPools};
pub use hook::{HookEvent, hook_response, session_start_response};
pub use load::{
    CharterError, DEFAULT_MAX_CHARTER_BYTES, LoadedCharter, from_str, load_charter,
    load_charter_limited, load_charter_with_env,
};
pub use policy::{Action, Decision, MatchedRule, Policy, RuleList, Verdict};
pub use schema::{Charter, DefaultDecision};
pub use validate::{Finding, Severity, validate};
