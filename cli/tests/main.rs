//! The CLI's integration tests, one binary: each module is one area, running the real `wundr`
//! binary against a real `orchestrator-daemon` and fixture agent (built beside it by `cargo
//! test --workspace`) in an isolated home (`common`).

mod common;

mod approvals;
mod charter;
mod cli_basics;
mod completion;
mod json_contract;
mod lifecycle;
mod memory;
mod service;
mod sessions;
