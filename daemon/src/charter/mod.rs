//! The charter in force and the questions it asks (the charter itself, loaded, validated and
//! decided, is the `orchestrator_charter` crate; enforcing it on an agent's actions is
//! `enforcement`): [`active`] (the charter in force, reload), [`approvals`] (the book of
//! questions waiting for a person), [`off_runtime`] (where file checks run, so they never
//! stall the async runtime). `Core` holds both.

pub mod active;
pub mod approvals;
pub mod off_runtime;
