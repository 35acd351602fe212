//! Test support for the wundr orchestrator: the real Claude Code CLI, run through real tool
//! loops offline against a scripted model.
//!
//! - [`ModelServer`] speaks the Anthropic Messages API (streaming SSE) on 127.0.0.1 and answers
//!   each call with the next [`Reply`] of a [`Script`]; it records every request as a
//!   [`ModelRequest`] and sums the [`Usage`] it sent.
//! - [`claude::real_claude`] finds or installs `@anthropic-ai/claude-code@2.1.330`, and
//!   [`claude::real_claude_flow`] `claude-flow@3.43.0`;
//!   [`claude::ClaudeProcess`] drives one `claude -p` in stream-json mode.
//! - [`ray::real_ray`] finds or installs Ray 2.60.0 (`ray[default]`) into a venv, and
//!   [`ray::RayCluster`] runs a real multi-node Ray cluster (head + workers) on this machine.
//! - The `scripted-model` binary serves a JSON script (format in [`script`]) for trying the
//!   daemon without a Claude login; the `fixture-agent` binary stands in for Claude Code in the
//!   tests, and [`binaries::fixture_agent`] finds (or builds) it for other crates' tests.
//!
//! What the real CLI does with this server (the shapes of `control_request`, what the model
//! receives on allow/deny/answer, usage) is written down in `CLAUDE_FACTS.md` beside this crate.
//!
//! ```no_run
//! use serde_json::json;
//! use wundr_test_support::{ModelServer, Reply, Script};
//!
//! let server = ModelServer::start(Script::new([
//!     Reply::tool_use("Bash", json!({"command": "echo hi > out.txt"})),
//!     Reply::text("Wrote out.txt."),
//! ]));
//! // Give a Claude Code process server.agent_env(), run it, then:
//! let second = &server.requests()[1];
//! assert!(!second.last_tool_result().unwrap().is_error);
//! let tokens = server.usage_sent().total();
//! # let _ = tokens;
//! ```

pub mod binaries;
pub mod claude;
pub mod ray;
mod request;
pub mod script;
mod server;
mod sse;

pub use binaries::fixture_agent;
pub use request::{ModelRequest, ToolResult};
pub use script::{Block, HttpError, Reply, Script, ScriptError, Usage};
pub use server::ModelServer;
