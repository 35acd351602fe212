//! The daemon with the real Claude Code CLI 2.1.330 (one test binary, one module per area). A
//! test skips loudly where the CLI cannot be installed (`WUNDR_REQUIRE_CLAUDE=1` makes that a
//! failure).
//!
//! - `offline`: no model at all: a not-logged-in CLI fails its session with its message, the
//!   charter's hooks run through the real `wundr` binary.
//! - The rest run real tool loops against the scripted model server (`wundr-test-support`)
//!   under the README's example charter, and assert on what really happened: files in the
//!   work dir, stand-in programs that ran, what the model was sent, the audit, token totals.
//!   `approvals`: a person approves or denies a tool call (CLI, gRPC), or nobody answers in
//!   time; `questions`: the agent's questions, followed with `logs -f` and answered with text,
//!   several at once; `charter_lists`: the charter denies without asking and escalates to a
//!   person over the WebSocket; `usage`: the tokens the daemon counts are the ones the model
//!   reported (and the charter alone approves a Read); `attention`: the webhook hears the
//!   permission prompt, a stalled session is announced, interrupted and nudged on;
//!   `flow`: Claude Flow (ruflo 3.43.0) sessions, whose Claude Code runs under the same
//!   charter; `walkthrough`: the README's "Try it" steps with its charter and script; `restart`:
//!   conversations that `session send` continues after the daemon was killed while a session
//!   waited, or stopped gracefully.

mod approvals;
mod attention;
mod charter_lists;
mod flow;
mod offline;
mod questions;
mod restart;
mod usage;
mod walkthrough;
