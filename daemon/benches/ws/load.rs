//! The bench's WebSocket load generator: [`load`] drives `conns` connections, each keeping
//! `window` requests in flight, for a fixed time and reports replies/s and per-request latency
//! ([`Run`]); [`connects`] opens connections one after another (the door's per-connection
//! cost); [`fan_out`] measures one stream reaching many subscribers ([`Fan`]). Replies on
//! one connection come back in request order on every server measured, so a FIFO of send
//! times pairs each reply with its request.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::SplitStream;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The outcome of one [`load`] run.
#[derive(Debug, Default)]
pub struct Run {
    pub replies: u64,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl Run {
    pub fn rate(&self) -> f64 {
        self.replies as f64 / self.elapsed.as_secs_f64()
    }

    /// The `p`-quantile latency in microseconds.
    pub fn quantile_us(&mut self, p: f64) -> f64 {
        self.latencies.sort_unstable();
        let i = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[i].as_secs_f64() * 1e6
    }
}

/// Connects to `ws://127.0.0.1:<port>/` and reads the connect frame every server sends.
pub async fn connect(port: u16) -> Socket {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/"))
        .await
        .unwrap_or_else(|e| panic!("connect to port {port}: {e}"));
    next_text(&mut ws).await;
    ws
}

/// Connects, upgrades and reads the connect frame, then drops the connection, one at a time
/// for `duration`: each connection counts as one reply, its latency from connect to frame.
pub async fn connects(port: u16, duration: Duration) -> Run {
    let mut run = Run::default();
    let start = Instant::now();
    while start.elapsed() < duration {
        let began = Instant::now();
        drop(connect(port).await);
        run.latencies.push(began.elapsed());
        run.replies += 1;
    }
    run.elapsed = start.elapsed();
    run
}

/// The next text frame (control frames are skipped; the client library answers pings).
pub async fn next_text(ws: &mut Socket) -> String {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => return text.as_str().to_owned(),
            Some(Ok(Message::Close(frame))) => panic!("the server closed: {frame:?}"),
            Some(Ok(_)) => continue,
            other => panic!("the connection ended: {other:?}"),
        }
    }
}

/// Waits for the next text frame without keeping it (the load loop only counts replies).
async fn next_reply(stream: &mut SplitStream<Socket>) {
    loop {
        match stream.next().await {
            Some(Ok(Message::Text(_))) => return,
            Some(Ok(Message::Close(frame))) => panic!("the server closed: {frame:?}"),
            Some(Ok(_)) => continue,
            other => panic!("the connection ended: {other:?}"),
        }
    }
}

/// One connection's load: a sender keeps `window` requests in flight, writing every request
/// it may send before one flush (as any pipelining client does), while a receiver pairs each
/// reply with its send time.
async fn drive(ws: Socket, window: usize, frame: &'static str, deadline: Instant) -> Vec<Duration> {
    let (mut sink, mut stream) = ws.split();
    let sent = Arc::new(std::sync::Mutex::new(VecDeque::with_capacity(window)));
    let credits = Arc::new(tokio::sync::Semaphore::new(window));
    let sender = {
        let (sent, credits) = (sent.clone(), credits.clone());
        async move {
            let mut total = 0u64;
            while Instant::now() < deadline {
                let permit = credits.acquire().await.expect("open");
                permit.forget();
                let mut n = 1 + credits.available_permits();
                if let Ok(more) = credits.try_acquire_many(n as u32 - 1) {
                    more.forget();
                } else {
                    n = 1;
                }
                for _ in 0..n {
                    sent.lock().unwrap().push_back(Instant::now());
                    sink.feed(Message::text(frame)).await.expect("send");
                }
                sink.flush().await.expect("flush");
                total += n as u64;
            }
            (sink, total)
        }
    };
    let receiver = async {
        let mut latencies = Vec::new();
        loop {
            next_reply(&mut stream).await;
            let at = sent
                .lock()
                .unwrap()
                .pop_front()
                .expect("a reply to a request");
            latencies.push(at.elapsed());
            credits.add_permits(1);
            if Instant::now() >= deadline && sent.lock().unwrap().is_empty() {
                return latencies;
            }
        }
    };
    let ((mut sink, _), latencies) = tokio::join!(sender, receiver);
    let _ = sink.close().await;
    latencies
}

/// `conns` connections × `window` requests of `frame` in flight, for `duration`.
pub async fn load(
    port: u16,
    conns: usize,
    window: usize,
    frame: &'static str,
    duration: Duration,
) -> Run {
    let mut sockets = Vec::with_capacity(conns);
    for _ in 0..conns {
        sockets.push(connect(port).await);
    }
    let start = Arc::new(tokio::sync::Barrier::new(conns + 1));
    let mut tasks = Vec::with_capacity(conns);
    for ws in sockets {
        let start = start.clone();
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            drive(ws, window, frame, Instant::now() + duration).await
        }));
    }
    start.wait().await;
    let began = Instant::now();
    let mut run = Run::default();
    for task in tasks {
        run.latencies.extend(task.await.expect("a load task"));
    }
    run.elapsed = began.elapsed();
    run.replies = run.latencies.len() as u64;
    run
}

/// The outcome of one [`fan_out`] run.
#[derive(Debug)]
pub struct Fan {
    /// Stream frames received, summed over subscribers.
    pub frames: u64,
    /// From the trigger until the last subscriber saw the end.
    pub elapsed: Duration,
    /// Subscribers that saw the end.
    pub finished: usize,
}

/// Sends `trigger` on `control` and waits until every subscriber has read frames up to one
/// for which `is_end` holds, counting those for which `is_chunk` holds.
pub async fn fan_out(
    mut control: Socket,
    trigger: String,
    subscribers: Vec<Socket>,
    is_chunk: fn(&Value) -> bool,
    is_end: fn(&Value) -> bool,
) -> Fan {
    let mut tasks = Vec::new();
    for mut ws in subscribers {
        tasks.push(tokio::spawn(async move {
            let mut frames = 0u64;
            let read = async {
                loop {
                    let text = next_text(&mut ws).await;
                    let frame: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    if is_chunk(&frame) {
                        frames += 1;
                    }
                    if is_end(&frame) {
                        return true;
                    }
                }
            };
            let done = tokio::time::timeout(Duration::from_secs(60), read)
                .await
                .unwrap_or(false);
            (frames, done)
        }));
    }
    let began = Instant::now();
    control.send(Message::text(trigger)).await.expect("send");
    // The controller may hear the stream too: keep reading so it is never a slow consumer.
    tokio::spawn(async move { while let Some(Ok(_)) = control.next().await {} });
    let mut fan = Fan {
        frames: 0,
        elapsed: Duration::ZERO,
        finished: 0,
    };
    for task in tasks {
        let (frames, done) = task.await.expect("a subscriber");
        fan.frames += frames;
        fan.finished += usize::from(done);
    }
    fan.elapsed = began.elapsed();
    fan
}
