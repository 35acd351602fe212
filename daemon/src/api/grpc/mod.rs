//! The gRPC adapter on the control socket: [`serve`] runs the `orchestrator.v1` services —
//! [`DaemonService`] (status, logs, events, shutdown), [`SessionsService`] and
//! [`CharterService`] (charter, hooks, audit, approvals) and [`MemoryService`] — plus server
//! reflection (v1 and v1alpha) for `grpcurl` and other languages' tools, accepting only
//! connections from the daemon's own user, each through [`authority::LocalAuthority`] so
//! clients that send the socket path as `:authority` are served too.
//! [`convert`] is the one place library types become wire types, [`errors`] the one place
//! domain errors become status codes.

pub mod authority;
pub mod charter;
pub mod convert;
pub mod daemon;
pub mod errors;
pub mod memory;
pub mod sessions;

use std::sync::Arc;

use orchestrator_api::v1;
use orchestrator_api::v1::charter_server::CharterServer;
use orchestrator_api::v1::daemon_server::DaemonServer;
use orchestrator_api::v1::memory_server::MemoryServer;
use orchestrator_api::v1::sessions_server::SessionsServer;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::UnixListenerStream;

pub use charter::CharterService;
pub use daemon::DaemonService;
pub use memory::MemoryService;
pub use sessions::SessionsService;

use crate::core::Core;
use crate::logging::LogHub;
use crate::supervisor::Supervisor;

/// How long the accept loop rests after a failed accept.
const ACCEPT_ERROR_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);

/// Serves the control plane on `listener` until the core starts closing. Connections from
/// other users are dropped at accept (the socket is 0600 already; this holds even if someone
/// loosens it).
pub async fn serve(
    core: Arc<Core>,
    supervisor: Arc<Supervisor>,
    logs: Option<LogHub>,
    listener: std::os::unix::net::UnixListener,
) -> Result<(), ServeError> {
    let listener = tokio::net::UnixListener::from_std(listener).map_err(ServeError::Listener)?;
    let own_uid = nix::unistd::geteuid().as_raw();
    let incoming = UnixListenerStream::new(listener)
        .then(|accepted| async move {
            // Out of file descriptors (EMFILE/ENFILE) fails every accept until one closes:
            // pause instead of spinning a core on the error.
            if accepted.is_err() {
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
            }
            accepted
        })
        .filter_map(move |accepted| match accepted {
            Ok(stream) => match stream.peer_cred() {
                Ok(cred) if cred.uid() == own_uid => Some(Ok::<_, std::io::Error>(
                    authority::LocalAuthority::new(stream),
                )),
                Ok(cred) => {
                    tracing::warn!(
                        uid = cred.uid(),
                        "refused a control connection from another user"
                    );
                    None
                }
                Err(err) => {
                    tracing::warn!(%err, "refused a control connection whose peer is unknown");
                    None
                }
            },
            Err(err) => {
                tracing::warn!(%err, "accept failed on the control socket");
                None
            }
        });
    let reflection_v1 = reflection().build_v1().map_err(ServeError::Reflection)?;
    let reflection_v1alpha = reflection()
        .build_v1alpha()
        .map_err(ServeError::Reflection)?;
    let closing = core.closing().clone();
    tonic::transport::Server::builder()
        .add_service(DaemonServer::new(DaemonService::new(core.clone(), logs)))
        .add_service(CharterServer::new(CharterService::new(core.clone())))
        .add_service(SessionsServer::new(SessionsService::new(
            core.clone(),
            supervisor,
        )))
        .add_service(
            // Export and import carry the whole store as one JSON message.
            MemoryServer::new(MemoryService::new(core))
                .max_decoding_message_size(MAX_MEMORY_MESSAGE)
                .max_encoding_message_size(MAX_MEMORY_MESSAGE),
        )
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .serve_with_incoming_shutdown(incoming, closing.cancelled_owned())
        .await
        .map_err(ServeError::Transport)
}

/// Reflection over every `orchestrator.v1` service and both reflection protocols: `v1` for
/// current clients (grpcurl, grpc-go), `v1alpha` for the ones that only speak it (Python's
/// grpcio-reflection, older grpc C++ tools). Each version lists the other too, so `list`
/// names exactly what is served whichever one a client asks.
fn reflection() -> tonic_reflection::server::Builder<'static> {
    tonic_reflection::server::Builder::configure()
        .include_reflection_service(false)
        .register_encoded_file_descriptor_set(v1::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET)
}

/// The largest memory request or reply (an export or import document), in bytes.
pub const MAX_MEMORY_MESSAGE: usize = 64 * 1024 * 1024;

/// Why the control plane stopped serving before it was asked to.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listener could not be registered with the runtime.
    #[error("cannot register the control socket with the runtime")]
    Listener(#[source] std::io::Error),
    /// The reflection service could not be built from the descriptor set.
    #[error("cannot build the gRPC reflection service")]
    Reflection(#[source] tonic_reflection::server::Error),
    /// The server failed.
    #[error("the gRPC server failed")]
    Transport(#[source] tonic::transport::Error),
}
