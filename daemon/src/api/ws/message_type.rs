//! [`MessageType`]: every message type a WebSocket client may send, with its wire name
//! ([`MessageType::as_str`]) and the least role that may send it ([`MessageType::least_role`]).
//! One exhaustive list: a new type has to be named in every `match` on it (the parser, the
//! role table), so none falls through to a default.

use orchestrator_config::websocket::Role;

/// A message type of the WebSocket API (upstream's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    Ping,
    HealthCheck,
    DaemonStatus,
    ListSessions,
    SessionStatus,
    SpawnSession,
    ExecuteTask,
    StopSession,
    SubscribeSession,
    UnsubscribeSession,
    PauseSession,
    UnpauseSession,
    ApprovalResponse,
    ListApprovals,
    MemoryStore,
    MemoryQuery,
    MemoryForget,
}

impl MessageType {
    /// Every type, in the README's order.
    pub const ALL: [Self; 17] = [
        Self::Ping,
        Self::HealthCheck,
        Self::DaemonStatus,
        Self::ListSessions,
        Self::SessionStatus,
        Self::SpawnSession,
        Self::ExecuteTask,
        Self::StopSession,
        Self::SubscribeSession,
        Self::UnsubscribeSession,
        Self::PauseSession,
        Self::UnpauseSession,
        Self::ApprovalResponse,
        Self::ListApprovals,
        Self::MemoryStore,
        Self::MemoryQuery,
        Self::MemoryForget,
    ];

    /// The `type` on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ping => "ping",
            Self::HealthCheck => "health_check",
            Self::DaemonStatus => "daemon_status",
            Self::ListSessions => "list_sessions",
            Self::SessionStatus => "session_status",
            Self::SpawnSession => "spawn_session",
            Self::ExecuteTask => "execute_task",
            Self::StopSession => "stop_session",
            Self::SubscribeSession => "subscribe_session",
            Self::UnsubscribeSession => "unsubscribe_session",
            Self::PauseSession => "pause_session",
            Self::UnpauseSession => "unpause_session",
            Self::ApprovalResponse => "approval_response",
            Self::ListApprovals => "list_approvals",
            Self::MemoryStore => "memory_store",
            Self::MemoryQuery => "memory_query",
            Self::MemoryForget => "memory_forget",
        }
    }

    /// The type named `name` on the wire, if there is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The least role that may send it (with authentication on): reading is `readonly`,
    /// acting on sessions, approvals or memory is `user`; `admin` may send everything.
    pub fn least_role(self) -> Role {
        match self {
            Self::Ping
            | Self::HealthCheck
            | Self::DaemonStatus
            | Self::ListSessions
            | Self::SessionStatus
            | Self::SubscribeSession
            | Self::UnsubscribeSession
            | Self::ListApprovals
            | Self::MemoryQuery => Role::Readonly,
            Self::SpawnSession
            | Self::ExecuteTask
            | Self::StopSession
            | Self::PauseSession
            | Self::UnpauseSession
            | Self::ApprovalResponse
            | Self::MemoryStore
            | Self::MemoryForget => Role::User,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_through_its_wire_name() {
        for kind in MessageType::ALL {
            assert_eq!(MessageType::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(MessageType::parse("Ping"), None);
        assert_eq!(MessageType::parse("spawn"), None);
    }
}
