//! The contract between the wundr orchestrator daemon and its clients.
//!
//! - [`v1`]: the generated protobuf types and tonic clients/servers of `orchestrator.v1`
//!   (`proto/orchestrator/v1/*.proto`), e.g. [`v1::daemon_client::DaemonClient`].
//! - [`paths`]: where the daemon's socket, pid file, logs, state and data live by default
//!   ([`paths::DaemonPaths`]), so the daemon and the CLI agree without talking.
//! - [`connect`]: the one way to open a gRPC channel to a daemon over its Unix socket, with
//!   errors that say whether the daemon is simply not running ([`ConnectError`]).
//!
//! - [`error_chain()`]: an error and its causes on one line.
//! - [`error_codes`]: the domain and shape of the stable error reasons both doors carry.
//!
//! The daemon crate implements the services; the `wundr` CLI links this crate, the charter
//! and the config crates, never the daemon.

pub mod client;
pub mod error_chain;
pub mod error_codes;
pub mod logtail;
pub mod paths;
pub mod pidfile;

pub use client::{ConnectError, connect};
pub use error_chain::error_chain;

/// The generated code of the `orchestrator.v1` protobuf package.
#[allow(missing_debug_implementations)] // reason: generated code; prost/tonic decide its derives
#[allow(clippy::all)] // reason: generated code is not ours to lint
pub mod v1 {
    tonic::include_proto!("orchestrator.v1");

    /// The encoded `FileDescriptorSet` of every `orchestrator.v1` file, for gRPC reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/orchestrator_descriptor.bin"));
}

/// The contract version this crate was built from. Bumped only for a change that an older
/// client cannot ignore; additions to `orchestrator.v1` keep it.
pub const PROTOCOL_VERSION: u32 = 1;

/// The version of this crate, which the daemon and CLI share as a workspace.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
