//! A small WebSocket test client (tokio-tungstenite) for the daemon's public port: connect
//! with optional headers, send JSON, wait (bounded) for frames by type or request id.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct Client {
    pub ws: Socket,
}

/// The upgrade request for `ws://127.0.0.1:<port><path>` with extra headers.
pub fn request(port: u16, path: &str, headers: &[(&str, &str)]) -> Request {
    let mut request = format!("ws://127.0.0.1:{port}{path}")
        .into_client_request()
        .unwrap();
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(http_name(name), value.parse().unwrap());
    }
    request
}

fn http_name(name: &str) -> tokio_tungstenite::tungstenite::http::HeaderName {
    tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes()).unwrap()
}

/// Connects; `Err` carries the refusal (e.g. `Error::Http(response)`).
pub async fn try_connect(request: Request) -> Result<Client, Error> {
    let (ws, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(Client { ws })
}

/// Connects to `/` with no extra headers and consumes the connect ack.
pub async fn connect(port: u16) -> Client {
    connect_with(request(port, "/", &[])).await
}

/// Connects with `request` and consumes the connect ack.
pub async fn connect_with(request: Request) -> Client {
    let mut client = try_connect(request).await.unwrap();
    let ack = client.next().await;
    assert_eq!(ack["type"], "health_check_response", "{ack}");
    client
}

/// The HTTP status and body of a refused upgrade.
pub async fn refusal(request: Request) -> (u16, String) {
    match try_connect(request).await {
        Err(Error::Http(response)) => {
            let body = response
                .body()
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            (response.status().as_u16(), body)
        }
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("expected a refusal, the upgrade was accepted"),
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Client {
    pub async fn send(&mut self, frame: Value) {
        self.send_text(frame.to_string()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.ws.send(Message::text(text)).await.unwrap();
    }

    /// The next text frame, as raw text.
    pub async fn next_text(&mut self) -> String {
        let read = async {
            loop {
                match self.ws.next().await {
                    Some(Ok(Message::Text(text))) => return text.as_str().to_owned(),
                    Some(Ok(Message::Close(frame))) => panic!("closed: {frame:?}"),
                    Some(Ok(_)) => continue,
                    other => panic!("connection ended: {other:?}"),
                }
            }
        };
        tokio::time::timeout(WAIT, read)
            .await
            .expect("a frame in time")
    }

    /// The next text frame.
    pub async fn next(&mut self) -> Value {
        serde_json::from_str(&self.next_text().await).unwrap()
    }

    /// The next frame satisfying `matches`; frames skipped on the way are returned too.
    pub async fn until(&mut self, matches: impl Fn(&Value) -> bool) -> (Value, Vec<Value>) {
        let mut skipped = Vec::new();
        loop {
            let frame = self.next().await;
            if matches(&frame) {
                return (frame, skipped);
            }
            skipped.push(frame);
        }
    }

    /// The next frame of `kind`.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        self.until(|f| f["type"] == kind).await.0
    }

    /// Sends `frame` with a fresh `requestId` and returns the reply carrying it.
    pub async fn ask(&mut self, mut frame: Value) -> Value {
        let id = format!("r{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
        frame["requestId"] = json!(id);
        self.send(frame).await;
        self.until(|f| f["requestId"] == id.as_str()).await.0
    }

    /// The close frame the server sends next (skipping other frames).
    pub async fn close_frame(&mut self) -> Option<(u16, String)> {
        let read = async {
            loop {
                match self.ws.next().await {
                    Some(Ok(Message::Close(frame))) => {
                        return frame.map(|f| (u16::from(f.code), f.reason.as_str().to_owned()));
                    }
                    Some(Ok(_)) => continue,
                    _ => return None,
                }
            }
        };
        tokio::time::timeout(WAIT, read)
            .await
            .expect("a close in time")
    }
}

/// The daemon's public port.
pub fn port_of(daemon: &orchestrator_daemon::OrchestratorDaemon) -> u16 {
    daemon.status().endpoints.expect("started").port
}
