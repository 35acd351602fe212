//! The connection to one relay, driven: [`Driver`] reads the relay's frames (output lines into
//! the actor's pipes, hook calls answered, the exit), watches the job, and explains an end
//! nobody asked for; [`write_frames`] and [`forward_stdin`] carry what goes the other way.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use orchestrator_relay::hook_socket::{HookQuery, HookReply};
use orchestrator_relay::wire::{self, DaemonFrame, Exit, RelayFrame};
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter, DuplexStream};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, watch};

use super::jobs::JobsClient;
use crate::core::Core;
use crate::model::session::RemoteJob;
use crate::supervisor::runner::ExitOutcome;

/// How often the daemon asks Ray whether a running session's job still runs.
const JOB_WATCH_INTERVAL: Duration = Duration::from_secs(5);

/// How long the daemon waits for Ray to say why a relay vanished.
const EXPLAIN_WAIT: Duration = Duration::from_secs(30);

/// What the driver task shares with the process handle.
pub(super) struct Driver {
    pub core: Arc<Core>,
    pub session_id: String,
    pub job: RemoteJob,
    pub jobs: JobsClient,
    pub frames: mpsc::Sender<DaemonFrame>,
    pub outcome: watch::Sender<Option<ExitOutcome>>,
    pub reason: Arc<Mutex<Option<String>>>,
    pub stopping: Arc<AtomicBool>,
}

/// Sends queued frames, batching what is queued into one flush; pings when idle.
pub(super) async fn write_frames(
    writer: OwnedWriteHalf,
    mut outgoing: mpsc::Receiver<DaemonFrame>,
) {
    let mut writer = BufWriter::new(writer);
    let mut heartbeat = tokio::time::interval(wire::HEARTBEAT);
    loop {
        let frame = tokio::select! {
            frame = outgoing.recv() => match frame {
                Some(frame) => frame,
                None => break,
            },
            _ = heartbeat.tick() => DaemonFrame::Ping,
        };
        if wire::write_frame(&mut writer, &frame).await.is_err() {
            return;
        }
        while let Ok(frame) = outgoing.try_recv() {
            if wire::write_frame(&mut writer, &frame).await.is_err() {
                return;
            }
        }
        if writer.flush().await.is_err() {
            return;
        }
    }
    let _ = writer.shutdown().await;
}

/// What the actor writes to the agent's stdin leaves as `Stdin` frames; its close as
/// `CloseStdin`.
pub(super) async fn forward_stdin(mut from_actor: DuplexStream, frames: mpsc::Sender<DaemonFrame>) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match from_actor.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if frames
                    .send(DaemonFrame::Stdin(buffer[..n].to_vec()))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
    }
    let _ = frames.send(DaemonFrame::CloseStdin).await;
}

async fn write_line(pipe: &mut Option<DuplexStream>, line: Vec<u8>) {
    let Some(writer) = pipe.as_mut() else { return };
    // Two writes, not a push: the line's buffer is exactly its length, and growing it would
    // copy every line once more.
    let written = async {
        writer.write_all(&line).await?;
        writer.write_all(b"\n").await
    };
    if written.await.is_err() {
        // The actor stopped reading: keep the connection going, drop the lines.
        *pipe = None;
    }
}

impl Driver {
    /// Drives the connection until the relay's end; `stdout` and `stderr` are the actor's
    /// pipes, written by the frame reader.
    pub(super) async fn run(
        self,
        reader: OwnedReadHalf,
        stdout: DuplexStream,
        stderr: DuplexStream,
    ) {
        // A relay whose node vanished may keep its connection open (nothing tells it); Ray
        // notices, so the job's state is watched too. Frames are read by a task of their own:
        // a read cut short by the watch would lose the stream's place. That task writes the
        // output lines itself (they are most of the traffic) and passes the rest on.
        let (mut frames, reading) = read_frames(reader, Some(stdout), Some(stderr));
        let mut watch_job = tokio::time::interval(JOB_WATCH_INTERVAL);
        watch_job.tick().await;
        let ended = loop {
            let frame = tokio::select! {
                frame = frames.recv() => frame,
                _ = watch_job.tick() => {
                    if let Ok(job) = self.jobs.job(&self.job.job_id).await
                        && job.is_terminal()
                    {
                        break Err(format!("its Ray job ended ({}) while the relay still seemed connected", job.status));
                    }
                    continue;
                }
            };
            match frame {
                Some(Ok(RelayFrame::Hook { id, query })) => self.answer_hook(id, query),
                Some(Ok(RelayFrame::Exited(exit))) => break Ok(exit),
                Some(Ok(RelayFrame::Ping)) => {}
                Some(Ok(other)) => {
                    break Err(format!("the relay sent {other:?} out of turn"));
                }
                Some(Err(lost)) => break Err(lost),
                None => break Err("the relay closed its connection".to_owned()),
            }
        };
        // EOF for the actor's readers: the reader has written every line the relay sent before
        // its end (or, when the job's end came first, whatever it had).
        reading.abort();
        let outcome = match ended {
            Ok(exit) => {
                if let Some(reason) = &exit.reason
                    && !self.stopping.load(Ordering::Acquire)
                {
                    let why = self.explain(reason).await;
                    *self.reason.lock() = Some(why);
                }
                outcome_of(&exit)
            }
            Err(lost) => {
                if !self.stopping.load(Ordering::Acquire) {
                    let why = self
                        .explain(&format!(
                            "lost the connection to its relay on {}: {lost}",
                            self.job.node_ip
                        ))
                        .await;
                    *self.reason.lock() = Some(why);
                }
                // Whatever is left of it on the node ends with the job.
                if let Err(err) = self.jobs.stop(&self.job.job_id).await {
                    tracing::warn!(job = %self.job.job_id, error = %crate::error_chain(&err), "cannot stop the Ray job of a lost relay");
                }
                ExitOutcome {
                    code: None,
                    signal: None,
                }
            }
        };
        let _ = self.outcome.send(Some(outcome));
    }

    /// Why the agent ended without being asked, with what Ray says about its job and node
    /// (a node that died takes Ray a few seconds to notice).
    async fn explain(&self, what: &str) -> String {
        let deadline = tokio::time::Instant::now() + EXPLAIN_WAIT;
        loop {
            let job = self.jobs.job(&self.job.job_id).await.ok();
            let node_dead = match self.jobs.nodes().await {
                Ok(nodes) => nodes
                    .iter()
                    .any(|n| n.node_id == self.job.node_id && !n.is_alive()),
                Err(_) => false,
            };
            if node_dead {
                return format!(
                    "the Ray node {} ({}) running this session died; {what}",
                    self.job.node_ip, self.job.node_id
                );
            }
            if let Some(job) = job.filter(|j| j.is_terminal()) {
                return format!(
                    "{what}; Ray job {} is {}: {}",
                    self.job.job_id,
                    job.status,
                    job.message.unwrap_or_default().lines().next().unwrap_or("")
                );
            }
            if tokio::time::Instant::now() >= deadline {
                return what.to_owned();
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    fn answer_hook(&self, id: u64, query: HookQuery) {
        let core = self.core.clone();
        let session_id = self.session_id.clone();
        let frames = self.frames.clone();
        tokio::spawn(async move {
            let reply = match crate::enforcement::hooks::handle_hook(
                &core,
                &session_id,
                &query.event,
                &query.input_json,
            )
            .await
            {
                Ok(outcome) => HookReply::Output(outcome.output.to_string()),
                Err(err) => HookReply::Error(crate::error_chain(&err)),
            };
            let _ = frames.send(DaemonFrame::HookAnswer { id, reply }).await;
        });
    }
}

/// Reads the relay's frames until the connection ends: output lines go straight into the
/// actor's pipes, every other frame into the returned channel, whose last item says why the
/// connection ended (nothing: closed cleanly). The pipes close when the task ends.
fn read_frames(
    reader: OwnedReadHalf,
    mut stdout: Option<DuplexStream>,
    mut stderr: Option<DuplexStream>,
) -> (
    mpsc::Receiver<Result<RelayFrame, String>>,
    tokio::task::JoinHandle<()>,
) {
    let (sender, receiver) = mpsc::channel(256);
    // A frame is read in four parts: buffered, a burst of lines costs a few reads, not four
    // each.
    let mut reader = tokio::io::BufReader::with_capacity(64 * 1024, reader);
    let task = tokio::spawn(async move {
        loop {
            let read = tokio::time::timeout(
                wire::SILENCE_LIMIT,
                wire::read_frame::<_, RelayFrame>(&mut reader),
            )
            .await;
            let item = match read {
                Ok(Ok(Some(RelayFrame::Stdout(line)))) => {
                    write_line(&mut stdout, line).await;
                    continue;
                }
                Ok(Ok(Some(RelayFrame::Stderr(line)))) => {
                    write_line(&mut stderr, line).await;
                    continue;
                }
                Ok(Ok(Some(frame))) => Ok(frame),
                Ok(Ok(None)) => return,
                Ok(Err(err)) => Err(crate::error_chain(&err)),
                Err(_) => Err(format!(
                    "the relay was silent for {}s",
                    wire::SILENCE_LIMIT.as_secs()
                )),
            };
            let last = item.is_err();
            if sender.send(item).await.is_err() || last {
                return;
            }
        }
    });
    (receiver, task)
}

fn outcome_of(exit: &Exit) -> ExitOutcome {
    ExitOutcome {
        code: exit.code,
        signal: exit.signal,
    }
}
