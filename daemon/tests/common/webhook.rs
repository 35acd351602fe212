//! A webhook receiver for notification tests: [`Receiver`], a tiny HTTP server on a loopback
//! port that keeps the JSON bodies it was posted (after answering 500 to the first few, or
//! never answering at all, as a test asks).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::wait_until_async;

/// How long [`Receiver::body_of`] waits.
const WAIT: Duration = Duration::from_secs(60);

/// A webhook receiver: answers 500 to the first `failures` requests, then 200 and keeps the
/// JSON body; with `hang`, accepts every connection and never answers.
pub struct Receiver {
    pub port: u16,
    pub requests: Arc<AtomicUsize>,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    pub async fn start(failures: usize, hang: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let (count, kept) = (Arc::clone(&requests), Arc::clone(&bodies));
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((mut stream, _)) = listener.accept().await {
                let Some(body) = read_request(&mut stream).await else {
                    continue;
                };
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                if hang {
                    held.push(stream);
                    continue;
                }
                let status = if n <= failures {
                    "500 Internal Server Error"
                } else {
                    kept.lock()
                        .unwrap()
                        .push(serde_json::from_str(&body).unwrap());
                    "200 OK"
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            }
        });
        Self {
            port,
            requests,
            bodies,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks/wundr", self.port)
    }

    /// Waits for a kept body whose `event` is `event`, about session `session_id`.
    pub async fn body_of(&self, event: &str, session_id: &str) -> Value {
        let found = wait_until_async(WAIT, || async {
            let bodies = self.bodies.lock().unwrap();
            bodies
                .iter()
                .find(|b| b["event"] == event && b["sessionId"] == session_id)
                .cloned()
        })
        .await;
        found.unwrap_or_else(|| panic!("no {event} notification arrived"))
    }
}

/// Reads one request's head and its Content-Length body; checks it is a JSON POST.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_lowercase();
    assert!(head.starts_with("post /hooks/wundr http/1.1"), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap();
    while data.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
    }
    Some(String::from_utf8_lossy(&data[head_end..head_end + length]).into_owned())
}
