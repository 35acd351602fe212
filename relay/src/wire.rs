//! The relay's connection to the daemon: one TCP stream that the relay opens, carrying typed
//! frames both ways. Key types: [`RelayFrame`] (relay → daemon), [`DaemonFrame`] (daemon →
//! relay), [`Hello`], [`AgentSpec`], [`Exit`], [`WireError`].
//!
//! A frame is a 4-byte big-endian length (of what follows), a 1-byte tag and the payload.
//! The agent's output lines and input bytes travel raw, everything else as JSON, so the
//! stream of an agent costs one copy and no escaping.
//!
//! The exchange: the relay sends [`Hello`] with the session's secret; the daemon answers
//! [`DaemonFrame::Welcome`] with what to run, or [`DaemonFrame::Refused`] and closes. Then
//! the relay reports [`RelayFrame::Started`] (or [`RelayFrame::StartFailed`]), streams the
//! agent's lines, asks hook questions, and finally sends [`RelayFrame::Exited`] once the
//! agent and everything it started have ended. Both sides send a ping every [`HEARTBEAT`]
//! and count the connection lost after [`SILENCE_LIMIT`] without any frame.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::hook_socket::{HookQuery, HookReply};

/// Bumped when a frame changes incompatibly; the daemon refuses other versions.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest frame either side accepts: an output line is capped well below it.
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;

/// The variable that carries the session's secret to the relay (never to the agent).
pub const SECRET_ENV: &str = "WUNDR_RELAY_SECRET";

/// How often each side pings when it has nothing else to send.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// Silence after which a side counts the connection lost.
pub const SILENCE_LIMIT: Duration = Duration::from_secs(20);

/// The relay's first frame.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// [`PROTOCOL_VERSION`] of the relay.
    pub version: u32,
    pub session_id: String,
    /// The session's secret, as the job received it.
    pub secret: String,
    /// The node's host name, for messages.
    pub host: String,
    /// The relay's process id on the node, for messages.
    pub relay_pid: u32,
}

impl fmt::Debug for Hello {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hello")
            .field("version", &self.version)
            .field("session_id", &self.session_id)
            .field("secret", &"<redacted>")
            .field("host", &self.host)
            .field("relay_pid", &self.relay_pid)
            .finish()
    }
}

/// What the relay runs: the daemon's full description of the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSpec {
    /// A path that exists on the node is run as is; otherwise its file name is looked up on
    /// the node's `PATH` (the daemon's paths need not exist on the node).
    pub program: String,
    pub args: Vec<String>,
    /// Laid over the node's own environment (the node's `PATH`, `HOME` … stay its own).
    pub env: BTreeMap<String, String>,
    /// Must exist on the node.
    pub cwd: PathBuf,
    /// Whether the agent gets a stdin pipe (else `/dev/null`).
    pub stdin: bool,
    /// Longer output lines are truncated to this many bytes.
    pub max_line_bytes: usize,
}

/// Why the relay could not start the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartFailureKind {
    NotFound,
    CwdNotFound,
    CwdNotDirectory,
    Spawn,
}

/// [`RelayFrame::StartFailed`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartFailure {
    pub kind: StartFailureKind,
    /// What went wrong, in words, naming the node.
    pub message: String,
}

/// How the agent ended on the node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exit {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    /// Why, when the relay ended it rather than the agent ending by itself (the job was
    /// stopped, the node's Ray supervisor died …).
    pub reason: Option<String>,
}

/// Signals the daemon asks the relay to deliver to the agent's process group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireSignal {
    Interrupt,
    Terminate,
    Kill,
    Pause,
    Resume,
}

/// Relay → daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayFrame {
    Hello(Hello),
    /// The agent runs, as this pid on the node.
    Started {
        pid: u32,
    },
    StartFailed(StartFailure),
    /// One line of the agent's stdout, without its newline (truncated lines end early).
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    /// A charter hook asks; answered by [`DaemonFrame::HookAnswer`] with the same id.
    Hook {
        id: u64,
        query: HookQuery,
    },
    /// The agent and everything it started have ended; the relay closes after this.
    Exited(Exit),
    Ping,
}

/// Daemon → relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaemonFrame {
    /// The secret was right: run this.
    Welcome(Box<AgentSpec>),
    /// Not accepted; the daemon closes after this.
    Refused {
        message: String,
    },
    /// Bytes for the agent's stdin, written as they are.
    Stdin(Vec<u8>),
    CloseStdin,
    Signal(WireSignal),
    HookAnswer {
        id: u64,
        reply: HookReply,
    },
    /// End the agent: ask, then force after `grace_ms`.
    Stop {
        grace_ms: u64,
    },
    Ping,
}

/// What can go wrong on the connection.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("the connection failed")]
    Io(#[from] io::Error),
    #[error("the peer sent a frame of {0} bytes (at most {MAX_FRAME_BYTES})")]
    TooLarge(usize),
    #[error("the peer sent an empty frame")]
    Empty,
    #[error("the peer sent an unknown frame (tag {0})")]
    UnknownTag(u8),
    #[error("the peer sent a frame (tag {tag}) that cannot be read")]
    Malformed {
        tag: u8,
        #[source]
        source: serde_json::Error,
    },
    /// The connection closed in the middle of a frame.
    #[error("the connection closed in the middle of a frame")]
    Truncated,
}

/// A frame type: how it is tagged and encoded.
pub trait Frame: Sized {
    /// The tag and payload.
    fn encode(&self) -> (u8, Vec<u8>);
    /// The frame for `tag` and `payload`.
    fn decode(tag: u8, payload: Vec<u8>) -> Result<Self, WireError>;
}

fn json(value: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(value).expect("wire frames are plain data and always serialise")
}

fn parse<T: DeserializeOwned>(tag: u8, payload: &[u8]) -> Result<T, WireError> {
    serde_json::from_slice(payload).map_err(|source| WireError::Malformed { tag, source })
}

#[derive(Serialize, Deserialize)]
struct Pid {
    pid: u32,
}

#[derive(Serialize, Deserialize)]
struct HookCall {
    id: u64,
    #[serde(flatten)]
    query: HookQuery,
}

#[derive(Serialize, Deserialize)]
struct HookAnswer {
    id: u64,
    reply: HookReply,
}

#[derive(Serialize, Deserialize)]
struct Message {
    message: String,
}

#[derive(Serialize, Deserialize)]
struct Grace {
    grace_ms: u64,
}

impl Frame for RelayFrame {
    fn encode(&self) -> (u8, Vec<u8>) {
        match self {
            RelayFrame::Hello(hello) => (1, json(hello)),
            RelayFrame::Started { pid } => (2, json(&Pid { pid: *pid })),
            RelayFrame::StartFailed(failure) => (3, json(failure)),
            RelayFrame::Stdout(line) => (4, line.clone()),
            RelayFrame::Stderr(line) => (5, line.clone()),
            RelayFrame::Hook { id, query } => (
                6,
                json(&HookCall {
                    id: *id,
                    query: query.clone(),
                }),
            ),
            RelayFrame::Exited(exit) => (7, json(exit)),
            RelayFrame::Ping => (8, Vec::new()),
        }
    }

    fn decode(tag: u8, payload: Vec<u8>) -> Result<Self, WireError> {
        Ok(match tag {
            1 => RelayFrame::Hello(parse(tag, &payload)?),
            2 => RelayFrame::Started {
                pid: parse::<Pid>(tag, &payload)?.pid,
            },
            3 => RelayFrame::StartFailed(parse(tag, &payload)?),
            4 => RelayFrame::Stdout(payload),
            5 => RelayFrame::Stderr(payload),
            6 => {
                let call: HookCall = parse(tag, &payload)?;
                RelayFrame::Hook {
                    id: call.id,
                    query: call.query,
                }
            }
            7 => RelayFrame::Exited(parse(tag, &payload)?),
            8 => RelayFrame::Ping,
            other => return Err(WireError::UnknownTag(other)),
        })
    }
}

impl Frame for DaemonFrame {
    fn encode(&self) -> (u8, Vec<u8>) {
        match self {
            DaemonFrame::Welcome(spec) => (64, json(spec)),
            DaemonFrame::Refused { message } => (
                65,
                json(&Message {
                    message: message.clone(),
                }),
            ),
            DaemonFrame::Stdin(bytes) => (66, bytes.clone()),
            DaemonFrame::CloseStdin => (67, Vec::new()),
            DaemonFrame::Signal(signal) => (68, json(signal)),
            DaemonFrame::HookAnswer { id, reply } => (
                69,
                json(&HookAnswer {
                    id: *id,
                    reply: reply.clone(),
                }),
            ),
            DaemonFrame::Stop { grace_ms } => (
                70,
                json(&Grace {
                    grace_ms: *grace_ms,
                }),
            ),
            DaemonFrame::Ping => (71, Vec::new()),
        }
    }

    fn decode(tag: u8, payload: Vec<u8>) -> Result<Self, WireError> {
        Ok(match tag {
            64 => DaemonFrame::Welcome(Box::new(parse(tag, &payload)?)),
            65 => DaemonFrame::Refused {
                message: parse::<Message>(tag, &payload)?.message,
            },
            66 => DaemonFrame::Stdin(payload),
            67 => DaemonFrame::CloseStdin,
            68 => DaemonFrame::Signal(parse(tag, &payload)?),
            69 => {
                let answer: HookAnswer = parse(tag, &payload)?;
                DaemonFrame::HookAnswer {
                    id: answer.id,
                    reply: answer.reply,
                }
            }
            70 => DaemonFrame::Stop {
                grace_ms: parse::<Grace>(tag, &payload)?.grace_ms,
            },
            71 => DaemonFrame::Ping,
            other => return Err(WireError::UnknownTag(other)),
        })
    }
}

/// Writes one frame (one `write_all`, so frames never interleave on a shared writer that is
/// locked per frame).
pub async fn write_frame<W, F>(writer: &mut W, frame: &F) -> Result<(), WireError>
where
    W: AsyncWrite + Unpin,
    F: Frame,
{
    let mut buffer = Vec::new();
    append_frame(frame, &mut buffer)?;
    writer.write_all(&buffer).await?;
    Ok(())
}

/// Appends one frame to `out`, byte for byte as [`write_frame`] writes it: for a writer that
/// batches many frames into one write. On error `out` is left as it was.
pub fn append_frame<F: Frame>(frame: &F, out: &mut Vec<u8>) -> Result<(), WireError> {
    let (tag, payload) = frame.encode();
    append_raw(tag, &payload, out)
}

/// Appends [`RelayFrame::Stdout`] (or, with `stderr`, [`RelayFrame::Stderr`]) of `line` to
/// `out`, as [`append_frame`] would, without building the frame: the relay's hot path copies
/// each output line once. `line` must be shorter than [`MAX_FRAME_BYTES`].
pub fn append_output_line(stderr: bool, line: &[u8], out: &mut Vec<u8>) -> Result<(), WireError> {
    append_raw(if stderr { 5 } else { 4 }, line, out)
}

fn append_raw(tag: u8, payload: &[u8], out: &mut Vec<u8>) -> Result<(), WireError> {
    if payload.len() + 1 > MAX_FRAME_BYTES {
        return Err(WireError::TooLarge(payload.len() + 1));
    }
    let length = u32::try_from(payload.len() + 1).expect("bounded by MAX_FRAME_BYTES");
    out.reserve(5 + payload.len());
    out.extend_from_slice(&length.to_be_bytes());
    out.push(tag);
    out.extend_from_slice(payload);
    Ok(())
}

/// Reads one frame; `None` when the peer closed the connection between frames.
pub async fn read_frame<R, F>(reader: &mut R) -> Result<Option<F>, WireError>
where
    R: AsyncRead + Unpin,
    F: Frame,
{
    let mut length = [0u8; 4];
    match reader.read(&mut length[..1]).await? {
        0 => return Ok(None),
        _ => {
            reader
                .read_exact(&mut length[1..])
                .await
                .map_err(truncated)?;
        }
    }
    let length = u32::from_be_bytes(length) as usize;
    if length == 0 {
        return Err(WireError::Empty);
    }
    if length > MAX_FRAME_BYTES {
        return Err(WireError::TooLarge(length));
    }
    let mut tag = [0u8; 1];
    reader.read_exact(&mut tag).await.map_err(truncated)?;
    let mut payload = vec![0u8; length - 1];
    reader.read_exact(&mut payload).await.map_err(truncated)?;
    F::decode(tag[0], payload).map(Some)
}

fn truncated(err: io::Error) -> WireError {
    if err.kind() == io::ErrorKind::UnexpectedEof {
        WireError::Truncated
    } else {
        WireError::Io(err)
    }
}

#[cfg(test)]
mod tests;
