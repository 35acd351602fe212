//! The supervisor: runs each session's agent as a child process and keeps the registry in
//! step with it.
//!
//! Key types: [`Supervisor`] (spawn, send, stop, pause, the capacity queue), the actor that
//! owns one agent process per session (`actor`), [`SessionError`], and the process seam —
//! [`SessionRunner`] (where a session runs), [`LocalRunner`] (the process-group runner, the only
//! one for now), [`RunSpec`], [`RunningAgent`], [`AgentHandle`], [`LineReader`]/[`OutputLine`],
//! [`AgentStdin`], [`ExitOutcome`] and [`RunnerError`].

mod actor;
mod error;
mod local;
mod manager;
mod output;
mod request;
pub mod runner;
pub mod workdir;

pub use error::SessionError;
pub use local::{LocalRunner, kill_orphaned_agent};
pub use manager::Supervisor;
pub use output::{AgentStdin, LineReader, OutputLine};
pub use request::{MAX_TASK_CHARS, SpawnRequest, TaskInput};
pub use runner::{
    AgentHandle, AgentProcess, AgentSignal, BoxFuture, DEFAULT_MAX_LINE_BYTES, ExitOutcome,
    RunSpec, RunnerError, RunningAgent, SessionRunner, StdinMode,
};
