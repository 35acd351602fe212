//! `orchestrator-charter`: the user's charter, as data and decisions. Load a charter file
//! ([`load_charter`] → [`LoadedCharter`]), validate it ([`validate()`] → [`Finding`]s, or a
//! whole-file [`report`]), compile it into a [`Policy`] that decides agent [`Action`]s
//! ([`Decision`]), answer Claude Code hooks ([`hook_response`]) and count tokens against its
//! budget split ([`TokenPools`]).
//!
//! Everything here is pure apart from reading the file, so the daemon (which enforces the
//! charter) and the CLI (`charter validate FILE`, and the hook's fallback when the daemon
//! cannot be reached) decide the same way without the CLI linking the daemon.

pub mod budget;
pub mod categories;
mod env_vars;
mod error;
mod expansion;
pub mod hook;
mod lines;
pub mod load;
mod located;
pub mod pattern;
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
