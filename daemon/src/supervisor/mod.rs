//! The supervisor: runs each session's agent as a child process and keeps the registry in
//! step with it.
//!
//! Key types: [`Supervisor`] (spawn, send, stop, pause, the capacity queue), the actor that
//! owns one agent process per session (`actor`), [`SessionError`], and the process seam —
//! [`SessionRunner`] (where a session runs), [`LocalRunner`] (the process-group runner, the only
//! one for now; `sweep` finds what its agents left behind), [`InterruptedSession`], [`RunSpec`], [`RunningAgent`], [`AgentHandle`], [`LineReader`]/[`OutputLine`],
//! [`AgentStdin`], [`ExitOutcome`] and [`RunnerError`].

mod actor;
pub mod command;
mod error;
mod history;
pub mod hive;
mod local;
mod lookup;
mod manager;
pub mod memory_limit;
mod output;
mod request;
pub mod runner;
pub mod stall;
mod sweep;
pub mod workdir;

pub use error::SessionError;
pub use local::LocalRunner;
pub use manager::Supervisor;
pub use output::{AgentStdin, LineReader, OutputLine, StreamError};
pub use request::{MAX_TASK_CHARS, SpawnRequest, TaskInput};
pub use runner::{
    AgentHandle, AgentProcess, AgentSignal, BoxFuture, DEFAULT_MAX_LINE_BYTES, ExitOutcome,
    InterruptedSession, RunSpec, RunnerError, RunningAgent, SESSION_ID_VAR, SessionRunner,
    StdinMode,
};
