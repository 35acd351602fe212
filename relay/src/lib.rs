//! The relay: how an agent that runs on another node (a Ray worker, later a Kubernetes pod)
//! is supervised by the daemon as if it ran here.
//!
//! - [`wire`]: the one TCP connection between a relay and the daemon, as typed frames
//!   ([`wire::RelayFrame`] up, [`wire::DaemonFrame`] down), read and written by
//!   [`wire::read_frame`]/[`wire::write_frame`].
//! - [`hook_socket`]: what a charter hook on the node asks the relay ([`hook_socket::HookQuery`])
//!   and what it hears back ([`hook_socket::HookReply`]).
//! - [`sweep`]: ends what a session's agent left running, found by its marker in `/proc`
//!   (the daemon uses it for local agents, the relay on its node).
//! - [`node`]: the relay itself, on the node: [`node::run_relay`] (the job's entrypoint,
//!   `wundr orchestrator relay`) and its guard process [`node::run_guard`].

pub mod hook_socket;
pub mod node;
pub mod sweep;
pub mod wire;
