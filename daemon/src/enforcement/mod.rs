//! The charter enforced on one agent action: [`hooks`] (a Claude Code hook call decided and
//! audited, and the context a session starts with), [`permission`] (the agent's own permission
//! prompt decided and audited) and [`ask`] (asking a person and taking the answer, from either
//! door). Each decision is the charter's (`orchestrator_charter::Policy`); what it leaves open
//! waits in `charter::approvals` for a person.

pub mod ask;
pub mod hooks;
pub mod permission;
