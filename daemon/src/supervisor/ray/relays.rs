//! The daemon's relay listener: [`RelayHub`] accepts the relays' connections, checks each
//! [`Hello`] against the session it names, and hands an accepted connection
//! ([`AttachedRelay`]) to the runner that waits for it ([`RelayHub::expect`]).
//!
//! A session's secret is one use: it is registered when its job is submitted, and removed
//! when its relay connects, when the start is given up, or when the waiting runner goes away
//! (the [`Expected`] guard). So a secret read off the cluster (Ray shows a job's environment
//! to whoever reaches the dashboard) is worth nothing once its relay is in, and a relay
//! that connects late, or twice, is refused. Everything else is refused too: another
//! protocol version, an unknown session, a wrong secret, no `Hello` within
//! [`HANDSHAKE_TIMEOUT`]; refusals are logged with the peer's address.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use orchestrator_relay::wire::{self, AgentSpec, DaemonFrame, Hello, PROTOCOL_VERSION, RelayFrame};
use parking_lot::Mutex;
use subtle::ConstantTimeEq;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot};
use tokio_util::sync::CancellationToken;

/// How long a new connection has to say who it is.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Handshakes in progress at once; more connections wait to be accepted.
const MAX_HANDSHAKES: usize = 64;

/// A relay that proved it runs a session's job.
#[derive(Debug)]
pub struct AttachedRelay {
    pub hello: Hello,
    pub reader: OwnedReadHalf,
    pub writer: OwnedWriteHalf,
}

struct Waiting {
    secret: String,
    spec: AgentSpec,
    attached: oneshot::Sender<AttachedRelay>,
}

/// The listener's shared state.
#[derive(Default)]
pub struct RelayHub {
    waiting: Mutex<HashMap<String, Waiting>>,
}

impl std::fmt::Debug for RelayHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayHub")
            .field("waiting", &self.waiting.lock().len())
            .finish()
    }
}

/// A registered secret; dropping it withdraws the secret.
#[derive(Debug)]
pub struct Expected {
    hub: Arc<RelayHub>,
    session_id: String,
    /// Resolves when the session's relay is accepted.
    pub attached: oneshot::Receiver<AttachedRelay>,
}

impl Drop for Expected {
    fn drop(&mut self) {
        self.hub.waiting.lock().remove(&self.session_id);
    }
}

impl RelayHub {
    /// Serves `listener` until the daemon stops.
    pub fn serve(
        self: &Arc<Self>,
        listener: TcpListener,
        closing: CancellationToken,
    ) -> tokio::task::JoinHandle<()> {
        let hub = self.clone();
        let permits = Arc::new(Semaphore::new(MAX_HANDSHAKES));
        tokio::spawn(async move {
            loop {
                let Ok(permit) = permits.clone().acquire_owned().await else {
                    return;
                };
                let accepted = tokio::select! {
                    () = closing.cancelled() => return,
                    accepted = listener.accept() => accepted,
                };
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of descriptors, say: back off instead of spinning.
                        tracing::warn!(%err, "the relay listener cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                };
                let hub = hub.clone();
                tokio::spawn(async move {
                    hub.handshake(stream, peer).await;
                    drop(permit);
                });
            }
        })
    }

    /// Registers the secret of `session_id`'s next relay, which will be told to run `spec`.
    pub fn expect(self: &Arc<Self>, session_id: &str, secret: String, spec: AgentSpec) -> Expected {
        let (sender, attached) = oneshot::channel();
        self.waiting.lock().insert(
            session_id.to_owned(),
            Waiting {
                secret,
                spec,
                attached: sender,
            },
        );
        Expected {
            hub: self.clone(),
            session_id: session_id.to_owned(),
            attached,
        }
    }

    async fn handshake(&self, stream: TcpStream, peer: SocketAddr) {
        let _ = stream.set_nodelay(true);
        let (mut reader, mut writer) = stream.into_split();
        let first = tokio::time::timeout(
            HANDSHAKE_TIMEOUT,
            wire::read_frame::<_, RelayFrame>(&mut reader),
        )
        .await;
        let hello = match first {
            Ok(Ok(Some(RelayFrame::Hello(hello)))) => hello,
            Ok(Ok(Some(_))) => {
                return refuse(&mut writer, peer, "the first frame must be Hello").await;
            }
            Ok(Ok(None)) => return,
            Ok(Err(err)) => {
                tracing::warn!(%peer, error = %err, "refused a relay connection: unreadable Hello");
                return;
            }
            Err(_) => {
                tracing::warn!(%peer, "refused a relay connection: no Hello within {HANDSHAKE_TIMEOUT:?}");
                return;
            }
        };
        if hello.version != PROTOCOL_VERSION {
            let why = format!(
                "relay protocol {} is not this daemon's ({PROTOCOL_VERSION}): install the same wundr on the nodes as on the daemon's machine",
                hello.version
            );
            return refuse(&mut writer, peer, &why).await;
        }
        let waiting = {
            let mut waiting = self.waiting.lock();
            let matches = waiting
                .get(&hello.session_id)
                .is_some_and(|w| bool::from(w.secret.as_bytes().ct_eq(hello.secret.as_bytes())));
            if matches {
                waiting.remove(&hello.session_id)
            } else {
                None
            }
        };
        let Some(waiting) = waiting else {
            // One answer for an unknown session and a wrong secret: a prober learns nothing.
            return refuse(
                &mut writer,
                peer,
                "no session waits for a relay with this id and secret",
            )
            .await;
        };
        if let Err(err) =
            wire::write_frame(&mut writer, &DaemonFrame::Welcome(Box::new(waiting.spec))).await
        {
            tracing::warn!(%peer, session = %hello.session_id, error = %err, "a relay left during its handshake");
            return;
        }
        tracing::info!(%peer, session = %hello.session_id, host = %hello.host, "relay attached");
        let _ = waiting.attached.send(AttachedRelay {
            hello,
            reader,
            writer,
        });
    }
}

async fn refuse(writer: &mut OwnedWriteHalf, peer: SocketAddr, why: &str) {
    tracing::warn!(%peer, "refused a relay connection: {why}");
    let _ = wire::write_frame(
        writer,
        &DaemonFrame::Refused {
            message: why.to_owned(),
        },
    )
    .await;
}
