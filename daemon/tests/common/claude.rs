//! The real Claude Code CLI for the daemon's tests. The one installer (`real_claude`: found,
//! else installed into `.cache/` once; SKIPPED or, with `WUNDR_REQUIRE_CLAUDE=1`, a failure
//! where it cannot be had) lives in `wundr-test-support`, which its own tests share; so do the
//! scripted model server and `ClaudeProcess`.

#[allow(unused_imports)] // reason: each test binary uses a different subset of these helpers
pub use wundr_test_support::claude::{
    ClaudeProcess, claude_command, real_claude, real_claude_flow,
};
