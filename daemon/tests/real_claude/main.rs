//! The daemon with the real Claude Code CLI 2.1.330 (one test binary, one module per area). A
//! test skips loudly where the CLI cannot be installed (`WUNDR_REQUIRE_CLAUDE=1` makes that a
//! failure).
//!
//! - `offline`: no model at all: a not-logged-in CLI fails its session with its message, the
//!   charter's hooks run through the real `wundr` binary.

#[path = "../common/mod.rs"]
mod common;

mod offline;
