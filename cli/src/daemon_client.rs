//! Talking to a daemon: [`connect`] (a [`Client`], or `None` when no daemon is running),
//! [`require_channel`] (a channel for any service, or the command fails with exit 3),
//! [`probe_status`] and the RPC wrappers
//! [`get_status`] and [`shutdown`], each bounded by [`CALL_TIMEOUT`] (or the timeout given to
//! [`unary_within`]) so a stuck daemon never hangs the CLI. Also [`warn_if_protocol_differs`].

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use orchestrator_api::PROTOCOL_VERSION;
use orchestrator_api::v1::daemon_client::DaemonClient;
use orchestrator_api::v1::sessions_client::SessionsClient as GeneratedSessionsClient;
use orchestrator_api::v1::{GetStatusRequest, GetStatusResponse, ShutdownRequest};
use tonic::transport::Channel;

use crate::error::{CliError, RpcFailure, SessionCommandError};
use crate::output;

/// How long one connect or unary call may take before the daemon counts as stuck.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// A gRPC client of the `Daemon` service on one socket.
pub type Client = DaemonClient<Channel>;

/// A gRPC client of the `Sessions` service on one socket.
pub type SessionsClient = GeneratedSessionsClient<Channel>;

/// Opens a channel to the daemon on `socket`; `Ok(None)` when no daemon is running there.
pub async fn open_channel(socket: &Path) -> Result<Option<Channel>, CliError> {
    let connecting = orchestrator_api::connect(socket);
    match tokio::time::timeout(CALL_TIMEOUT, connecting).await {
        Err(_elapsed) => Err(CliError::Timeout {
            socket: socket.to_path_buf(),
            call: "the connection",
            timeout: CALL_TIMEOUT,
        }),
        Ok(Ok(channel)) => Ok(Some(channel)),
        Ok(Err(err)) if err.is_not_running() => Ok(None),
        Ok(Err(err)) => Err(CliError::Connect(err)),
    }
}

/// A channel to the daemon on `socket` for a command that needs one: "not running" is the
/// command's failure ([`SessionCommandError::NotRunning`], exit 3).
pub async fn require_channel(socket: &Path) -> Result<Channel, CliError> {
    open_channel(socket).await?.ok_or_else(|| {
        SessionCommandError::NotRunning {
            socket: socket.to_path_buf(),
        }
        .into()
    })
}

/// Opens a client to the daemon on `socket`; `Ok(None)` when no daemon is running there.
pub async fn connect(socket: &Path) -> Result<Option<Client>, CliError> {
    Ok(open_channel(socket).await?.map(DaemonClient::new))
}

/// Connects and asks for the status; `Ok(None)` when no daemon is running on `socket`.
pub async fn probe_status(socket: &Path) -> Result<Option<(Client, GetStatusResponse)>, CliError> {
    let Some(mut client) = connect(socket).await? else {
        return Ok(None);
    };
    let status = get_status(&mut client, socket).await?;
    Ok(Some((client, status)))
}

/// The `GetStatus` RPC.
pub async fn get_status(client: &mut Client, socket: &Path) -> Result<GetStatusResponse, CliError> {
    unary(socket, "GetStatus", client.get_status(GetStatusRequest {})).await
}

/// The `Shutdown` RPC, asking the daemon to be done within `grace_ms` (at least 1: 0 would
/// mean its own `shutdownTimeout`); returns the pid of the daemon that is stopping.
pub async fn shutdown(client: &mut Client, socket: &Path, grace_ms: u64) -> Result<u32, CliError> {
    let request = ShutdownRequest {
        grace_ms: grace_ms.max(1),
    };
    let reply = unary(socket, "Shutdown", client.shutdown(request)).await?;
    Ok(reply.pid)
}

/// Runs one unary call with [`CALL_TIMEOUT`], mapping failures to [`CliError`].
pub async fn unary<T>(
    socket: &Path,
    call: &'static str,
    request: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
) -> Result<T, CliError> {
    unary_within(socket, call, CALL_TIMEOUT, request).await
}

/// Runs one unary call that may take up to `timeout` (stopping a session waits for its
/// agent to exit), mapping failures to [`CliError`].
pub async fn unary_within<T>(
    socket: &Path,
    call: &'static str,
    timeout: Duration,
    request: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
) -> Result<T, CliError> {
    match tokio::time::timeout(timeout, request).await {
        Err(_elapsed) => Err(CliError::Timeout {
            socket: socket.to_path_buf(),
            call,
            timeout,
        }),
        Ok(Ok(response)) => Ok(response.into_inner()),
        Ok(Err(status)) => Err(CliError::Rpc {
            call,
            source: RpcFailure(status),
        }),
    }
}

/// Warns on stderr when the daemon speaks another contract version than this CLI.
pub fn warn_if_protocol_differs(status: &GetStatusResponse) {
    if status.protocol_version != PROTOCOL_VERSION {
        output::warn(&format!(
            "the daemon speaks protocol {} (version {}) but this wundr speaks protocol {} \
             (version {}); restart the daemon with this build: wundr orchestrator restart",
            status.protocol_version,
            status.version,
            PROTOCOL_VERSION,
            orchestrator_api::VERSION,
        ));
    }
}
