//! `orchestrator-daemon`: a machine-level supervisor of AI coding-agent sessions.
//!
//! The whole engine is this library; the `orchestrator-daemon` binary is a thin `main` around
//! it. Start with [`OrchestratorDaemon`] and [`DaemonConfig`]:
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use orchestrator_daemon::{DaemonConfig, OrchestratorDaemon};
//!
//! let daemon = OrchestratorDaemon::new(DaemonConfig { port: 0, ..DaemonConfig::default() })?;
//! daemon.start().await?;
//! let mut events = daemon.subscribe();
//! println!("{:?}", daemon.status().state);
//! daemon.stop().await;
//! # Ok(()) }
//! ```
//!
//! Layout (ARCHITECTURE.md draws it): [`model`] (plain data), [`store`] (SQLite) and
//! [`memory`] (the `orchestrator_memory` store as the daemon runs it), [`charter`] (the
//! charter in force, the approvals book), [`core`] (the one owner of state and the event
//! buses), [`enforcement`] (the charter on each agent action), [`supervisor`] (agents run and
//! watched; their protocols are [`agents`]), [`api`] (the gRPC and WebSocket doors,
//! translation only) and [`notify`]; [`instance`] (one daemon per socket), [`logging`] (the
//! log file and its live followers), [`heartbeat`]. The settings are the
//! `orchestrator_config` crate, the charter itself `orchestrator_charter`.

pub mod agents;
pub mod api;
pub mod charter;
mod child;
pub mod core;
mod daemon;
mod dirs;
pub mod enforcement;
pub mod fd_limit;
mod heap;
pub mod heartbeat;
pub mod instance;
pub mod logging;
pub mod memory;
pub mod model;
pub mod notify;
pub mod store;
pub mod supervisor;

pub use daemon::{NewError, OrchestratorDaemon, StartError};
pub use model::{DaemonEvent, DaemonState, DaemonStatus};
pub use orchestrator_api::error_chain;
pub use orchestrator_api::paths::DaemonPaths;
pub use orchestrator_config::{ConfigError, ConfigLayer, DaemonConfig};
