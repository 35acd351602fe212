//! The relay's integration tests, one binary: the real `wundr orchestrator relay` (built
//! beside the tests when missing or stale) against a fake daemon side scripted here with the
//! wire functions, running real agents (`sh`), with leftovers looked for in `/proc`.
//!
//! - `streams`: lines both ways, the agent's environment, hooks, long lines, start failures.
//! - `containment`: nothing of the agent survives the relay's SIGKILL, a `Stop`, a SIGTERM;
//!   the daemon's signals.
//! - `failures`: a daemon that closes or falls silent, a refusal, no secret, no daemon.

mod common;

mod containment;
mod failures;
mod streams;
