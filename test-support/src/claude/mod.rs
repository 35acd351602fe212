//! The real Claude Code CLI in tests: [`real_claude`] finds or installs it, [`claude_command`]
//! points it at a [`crate::ModelServer`], [`ClaudeProcess`] drives one run of it.

mod install;
mod process;

pub use install::{FLOW_PACKAGE, PACKAGE, real_claude, real_claude_flow};
pub use process::{ClaudeProcess, STREAM_JSON_FLAGS, claude_command};
