//! The connection to the daemon: [`open`] connects and shakes hands; then a [`Link`] holds the
//! reader task (frames down, as [`Incoming`]) and the writer task (frames up, fed through
//! [`Outgoing`]). One writer means frames never interleave; it batches what is queued into
//! one buffered write and flushes when the queue is momentarily empty, so a burst of output
//! lines costs few syscalls while a lone line still leaves at once.

use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader, BufWriter};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use super::RelayOptions;
use super::error::{LinkLoss, RelayError};
use super::process::Node;
use crate::wire::{
    AgentSpec, DaemonFrame, Hello, PROTOCOL_VERSION, RelayFrame, SILENCE_LIMIT, WireError,
    append_frame, read_frame, write_frame,
};

/// How long connecting to the daemon may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the daemon may take to answer `Hello`.
const WELCOME_TIMEOUT: Duration = Duration::from_secs(30);
/// Queued chunks of encoded frames (each up to a pipe read, 64 KiB, of lines): the memory
/// bound, and the back-pressure that slows the agent when the daemon reads slowly.
const OUT_QUEUE: usize = 16;
const WRITE_BUFFER: usize = 64 * 1024;
const READ_BUFFER: usize = 16 * 1024;

/// What the reader task hands the session.
#[derive(Debug)]
pub(super) enum Incoming {
    Frame(DaemonFrame),
    /// The connection is gone; nothing follows.
    Lost(LinkLoss),
}

/// What the writer task takes.
#[derive(Debug)]
enum Out {
    /// Whole encoded frames.
    Bytes(Vec<u8>),
    /// Flush, close the connection and end.
    Close,
}

/// The way up to the daemon: cheap to clone, one per producer.
#[derive(Debug, Clone)]
pub(super) struct Outgoing(mpsc::Sender<Out>);

/// The writer is gone (the connection failed or was closed).
#[derive(Debug)]
pub(super) struct Gone;

impl Outgoing {
    /// Queues encoded frames, waiting while the queue is full.
    pub(super) async fn bytes(&self, bytes: Vec<u8>) -> Result<(), Gone> {
        self.0.send(Out::Bytes(bytes)).await.map_err(|_| Gone)
    }

    /// Queues one frame. A frame too large for the wire is not sent (an `Err`).
    pub(super) async fn frame(&self, frame: &RelayFrame) -> Result<(), Gone> {
        let mut bytes = Vec::new();
        append_frame(frame, &mut bytes).map_err(|_| Gone)?;
        self.bytes(bytes).await
    }

    /// Queues one frame if there is room now (a ping: when the queue is full, frames are
    /// flowing anyway).
    pub(super) fn try_frame(&self, frame: &RelayFrame) {
        let mut bytes = Vec::new();
        if append_frame(frame, &mut bytes).is_ok() {
            let _ = self.0.try_send(Out::Bytes(bytes));
        }
    }
}

/// An open connection after the handshake. Dropping it stops both tasks.
#[derive(Debug)]
pub(super) struct Link {
    pub(super) address: String,
    pub(super) out: Outgoing,
    pub(super) incoming: mpsc::Receiver<Incoming>,
    reader: JoinHandle<()>,
    writer: JoinHandle<bool>,
}

impl Link {
    /// Sends `last`, then flushes and closes the connection; true when all of it was written
    /// within `wait`.
    pub(super) async fn close(mut self, last: Option<RelayFrame>, wait: Duration) -> bool {
        let out = self.out.clone();
        let writer = &mut self.writer;
        timeout(wait, async move {
            if let Some(frame) = last {
                out.frame(&frame).await.ok()?;
            }
            out.0.send(Out::Close).await.ok()?;
            writer.await.ok()
        })
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.reader.abort();
        self.writer.abort();
    }
}

/// Connects, says `Hello`, and waits for what to run.
pub(super) async fn open(
    options: &RelayOptions,
    node: &Node,
) -> Result<(Link, Box<AgentSpec>), RelayError> {
    let address = options.daemon.clone();
    let stream = match timeout(CONNECT_TIMEOUT, TcpStream::connect(&address)).await {
        Err(_) => {
            return Err(RelayError::ConnectTimeout {
                address,
                waited: CONNECT_TIMEOUT,
            });
        }
        Ok(Err(source)) => return Err(RelayError::Connect { address, source }),
        Ok(Ok(stream)) => stream,
    };
    // Lines go out as they come; the writer does its own batching.
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::with_capacity(READ_BUFFER, read);
    let handshake = |source| RelayError::Handshake {
        address: address.clone(),
        source,
    };
    let hello = RelayFrame::Hello(Hello {
        version: PROTOCOL_VERSION,
        session_id: options.session_id.clone(),
        secret: options.secret.clone(),
        host: node.host.clone(),
        relay_pid: std::process::id(),
    });
    write_frame(&mut write, &hello).await.map_err(handshake)?;
    let spec = timeout(WELCOME_TIMEOUT, welcome(&mut read, &address))
        .await
        .map_err(|_| RelayError::HandshakeTimeout {
            address: address.clone(),
            waited: WELCOME_TIMEOUT,
        })??;
    let (incoming_tx, incoming) = mpsc::channel(64);
    let (out_tx, out_rx) = mpsc::channel(OUT_QUEUE);
    let writer = tokio::spawn(write_loop(out_rx, write, incoming_tx.clone()));
    let reader = tokio::spawn(read_loop(read, incoming_tx));
    let link = Link {
        address,
        out: Outgoing(out_tx),
        incoming,
        reader,
        writer,
    };
    Ok((link, spec))
}

async fn welcome(
    read: &mut BufReader<OwnedReadHalf>,
    address: &str,
) -> Result<Box<AgentSpec>, RelayError> {
    loop {
        let frame =
            read_frame::<_, DaemonFrame>(read)
                .await
                .map_err(|source| RelayError::Handshake {
                    address: address.to_owned(),
                    source,
                })?;
        let unexpected = |frame| RelayError::Unexpected {
            address: address.to_owned(),
            frame,
        };
        return match frame {
            None => Err(RelayError::HandshakeClosed {
                address: address.to_owned(),
            }),
            Some(DaemonFrame::Welcome(spec)) => Ok(spec),
            Some(DaemonFrame::Refused { message }) => Err(RelayError::Refused {
                address: address.to_owned(),
                message,
            }),
            Some(DaemonFrame::Ping) => continue,
            Some(DaemonFrame::Stdin(_)) => Err(unexpected("Stdin")),
            Some(DaemonFrame::CloseStdin) => Err(unexpected("CloseStdin")),
            Some(DaemonFrame::Signal(_)) => Err(unexpected("Signal")),
            Some(DaemonFrame::HookAnswer { .. }) => Err(unexpected("HookAnswer")),
            Some(DaemonFrame::Stop { .. }) => Err(unexpected("Stop")),
        };
    }
}

/// Frames down until the connection ends or falls silent for [`SILENCE_LIMIT`] (the daemon
/// pings every [`crate::wire::HEARTBEAT`]).
async fn read_loop(mut read: BufReader<OwnedReadHalf>, incoming: mpsc::Sender<Incoming>) {
    let loss = loop {
        // Cancelling a half-read frame on timeout is fine: the connection is given up.
        match timeout(SILENCE_LIMIT, read_frame::<_, DaemonFrame>(&mut read)).await {
            Err(_) => break LinkLoss::Silent(SILENCE_LIMIT),
            Ok(Ok(None)) => break LinkLoss::Closed,
            Ok(Err(WireError::Io(err))) if err.kind() == std::io::ErrorKind::ConnectionReset => {
                break LinkLoss::Closed;
            }
            Ok(Err(err)) => break LinkLoss::Read(err),
            Ok(Ok(Some(frame))) => {
                if incoming.send(Incoming::Frame(frame)).await.is_err() {
                    return;
                }
            }
        }
    };
    let _ = incoming.send(Incoming::Lost(loss)).await;
}

/// Frames up, batched (see the module doc). True when it closed cleanly.
async fn write_loop(
    mut queue: mpsc::Receiver<Out>,
    write: OwnedWriteHalf,
    incoming: mpsc::Sender<Incoming>,
) -> bool {
    let mut writer = BufWriter::with_capacity(WRITE_BUFFER, write);
    let mut next = queue.recv().await;
    let failure = loop {
        match next {
            None | Some(Out::Close) => match writer.shutdown().await {
                Ok(()) => return true,
                Err(err) => break err,
            },
            Some(Out::Bytes(bytes)) => {
                if let Err(err) = writer.write_all(&bytes).await {
                    break err;
                }
            }
        }
        next = match queue.try_recv() {
            Ok(out) => Some(out),
            Err(_) => {
                if let Err(err) = writer.flush().await {
                    break err;
                }
                queue.recv().await
            }
        };
    };
    let _ = incoming
        .send(Incoming::Lost(LinkLoss::Write(failure)))
        .await;
    false
}
