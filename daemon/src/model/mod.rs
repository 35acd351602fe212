//! The model: plain data every layer names, importing nothing else of the daemon. A
//! [`Session`] runs a [`Task`] ([`SessionType`], [`SessionStatus`], [`SessionMetrics`]) and may
//! wait for a person ([`WaitingFor`], [`ApprovalRequest`]); the daemon's own state is a
//! [`DaemonStatus`]; what happens is announced as [`DaemonEvent`]s (lifecycle) and
//! [`SessionOutput`]s (one session's stream). `core` owns the live values; `store` persists
//! them; the doors translate them.

pub mod approval;
pub mod events;
pub mod output;
pub mod session;
pub mod status;
pub mod waiting;

pub use approval::{APPROVAL_ID_PREFIX, ApprovalRequest, ApprovalState, summarize};
pub use events::DaemonEvent;
pub use output::{ChunkKind, LineSource, OutputKind, SessionOutput};
pub use session::{
    Session, SessionMetrics, SessionStatus, SessionType, Task, TaskPriority, TaskStatus,
};
pub use status::{
    DaemonState, DaemonStatus, Endpoints, Metrics, SessionCounts, SubsystemHealth, SubsystemStatus,
};
pub use waiting::{WaitKind, WaitingFor};
