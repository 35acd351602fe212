//! The daemon with the real Claude Code CLI 2.1.330 (one test binary, one module per area). A
//! test skips loudly where the CLI cannot be installed (`WUNDR_REQUIRE_CLAUDE=1` makes that a
//! failure).
//!
//! - `offline`: no model at all: a not-logged-in CLI fails its session with its message, the
//!   charter's hooks run through the real `wundr` binary.
//! - The rest run real tool loops against the scripted model server (`wundr-test-support`)
//!   under the README's example charter, and assert on what really happened: files in the
//!   work dir, stand-in programs that ran, what the model was sent, the audit, token totals.
//!   `approvals`: a person approves, denies or answers (CLI and gRPC); `charter_lists`: the
//!   charter denies without asking, escalates to a person over the WebSocket, approves alone;
//!   `usage`: the tokens the daemon counts are the ones the model reported; `restart`: a
//!   session waiting for a person survives a `kill -9` of the daemon as a conversation that
//!   `session send` continues.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/ws.rs"]
mod ws;

mod approvals;
mod charter_lists;
mod offline;
mod restart;
mod usage;
