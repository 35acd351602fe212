//! The two doors. [`grpc`] serves the control plane on the Unix socket; [`ws`] serves the
//! public port (HTTP `/health` now, the WebSocket API next). Both only translate between their
//! wire format and the [`crate::core::Core`]; neither owns state.

pub mod grpc;
pub mod ws;
