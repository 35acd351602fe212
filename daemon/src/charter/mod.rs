//! The charter in force and enforced (the charter itself, loaded, validated and decided, is
//! the `orchestrator_charter` crate): [`active`] (the charter in force, reload), [`approvals`]
//! (questions waiting for a person), [`ask`] (asking one and taking the answer), [`enforce`]
//! (a hook call decided, audited), [`permission`] (the agent's own permission prompt decided,
//! audited), [`off_runtime`] (where file checks run, so they never stall the async runtime).

pub mod active;
pub mod approvals;
pub mod ask;
pub mod enforce;
pub mod memory;
pub mod off_runtime;
pub mod permission;
