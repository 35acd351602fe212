//! [`ModelServer`]: a scripted Anthropic Messages API on 127.0.0.1 for the real Claude Code CLI.
//! Each `POST /v1/messages` (any query string) takes the [`Script`]'s next [`Reply`] and gets it
//! as `text/event-stream`; its body is recorded as a [`ModelRequest`]. Any other request (the
//! CLI's `HEAD /api/hello`) gets an empty 200 and is noted in [`ModelServer::other_requests`].
//!
//! The server runs on its own thread with its own runtime, so sync tests and tokio tests use it
//! alike; dropping it stops it and closes its connections.

use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::request::ModelRequest;
use crate::script::{Reply, Script, Usage};
use crate::sse::{Ids, event_stream};

/// A running scripted model server. See the module doc.
#[derive(Debug)]
pub struct ModelServer {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    script: Script,
    requests: Vec<ModelRequest>,
    served: Vec<Reply>,
    other: Vec<String>,
    next_tool_use: u64,
    log_calls: bool,
}

impl ModelServer {
    /// Serves `script` on 127.0.0.1 at a free port. Panics when no port can be had (tests).
    pub fn start(script: Script) -> Self {
        Self::bind(SocketAddr::from(([127, 0, 0, 1], 0)), script)
            .unwrap_or_else(|e| panic!("cannot start the scripted model server: {e}"))
    }

    /// Serves `script` on `addr`.
    pub fn bind(addr: SocketAddr, script: Script) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _inside = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let shared = Arc::new(Mutex::new(Shared {
            script,
            requests: Vec::new(),
            served: Vec::new(),
            other: Vec::new(),
            next_tool_use: 0,
            log_calls: false,
        }));
        let (stop, stopped) = oneshot::channel();
        let serving = shared.clone();
        let thread = std::thread::Builder::new()
            .name("scripted-model".into())
            .spawn(move || {
                // The runtime, and with it every connection task, ends with this thread.
                runtime.block_on(accept(listener, serving, stopped));
            })?;
        Ok(Self {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, the value of `ANTHROPIC_BASE_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The environment that points a Claude Code process at this server, offline: the base URL,
    /// a dummy API key, no nonessential traffic (no `HEAD /api/hello`, no DNS), and no retries
    /// (an error reply fails the turn at once instead of after minutes of backoff).
    pub fn agent_env(&self) -> Vec<(String, String)> {
        [
            ("ANTHROPIC_BASE_URL", self.url()),
            ("ANTHROPIC_API_KEY", "test".to_owned()),
            ("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1".to_owned()),
            ("CLAUDE_CODE_MAX_RETRIES", "0".to_owned()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }

    /// Every model call's body so far, in arrival order.
    pub fn requests(&self) -> Vec<ModelRequest> {
        self.lock().requests.clone()
    }

    /// Every reply sent so far, with the tool call ids it carried.
    pub fn served(&self) -> Vec<Reply> {
        self.lock().served.clone()
    }

    /// The sum of the usage sent so far (error replies carry none).
    pub fn usage_sent(&self) -> Usage {
        self.lock()
            .served
            .iter()
            .filter(|reply| reply.error.is_none())
            .map(|reply| reply.usage)
            .sum()
    }

    /// Requests other than model calls, as `METHOD /path?query`.
    pub fn other_requests(&self) -> Vec<String> {
        self.lock().other.clone()
    }

    /// Prints one line per call on stderr (for the `scripted-model` binary).
    pub fn log_calls(&self) {
        self.lock().log_calls = true;
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        lock(&self.shared)
    }
}

impl Drop for ModelServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A panicking test thread must not hide every later assertion behind a poisoned lock.
fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn accept(
    listener: tokio::net::TcpListener,
    shared: Arc<Mutex<Shared>>,
    mut stopped: oneshot::Receiver<()>,
) {
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of descriptors, most likely: let connections close rather than spin.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(shared.clone(), request));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    shared: Arc<Mutex<Shared>>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    if method != hyper::Method::POST || path != "/v1/messages" {
        let target = request
            .uri()
            .path_and_query()
            .map_or(path, |p| p.as_str().to_owned());
        lock(&shared).other.push(format!("{method} {target}"));
        return Ok(Response::new(Full::new(Bytes::new())));
    }
    let body = match request.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) => return Ok(api_error(400, "invalid_request_error", &e.to_string())),
    };
    let body: Value = match serde_json::from_slice(&body) {
        Ok(body) => body,
        Err(e) => {
            let message = format!("the request body is not JSON: {e}");
            return Ok(api_error(400, "invalid_request_error", &message));
        }
    };
    let model = body["model"]
        .as_str()
        .unwrap_or("claude-scripted")
        .to_owned();
    let (response, delay) = reply_to(&mut lock(&shared), body, &model);
    if let Some(delay) = delay {
        // The lock is released: other calls, and the test's reads, go on meanwhile.
        tokio::time::sleep(delay).await;
    }
    Ok(response)
}

/// The next reply of the script as a response to the request `body`, recorded as served, and
/// how long to hold it back.
fn reply_to(
    shared: &mut Shared,
    body: Value,
    model: &str,
) -> (Response<Full<Bytes>>, Option<std::time::Duration>) {
    let call = shared.requests.len() + 1;
    shared.requests.push(ModelRequest { body });
    let reply = shared.script.take();
    let delay = reply.delay_ms.map(std::time::Duration::from_millis);
    if let Some(error) = &reply.error {
        let response = api_error(error.status, &error.kind, &error.message);
        if shared.log_calls {
            eprintln!("call {call}: error {} {}", error.status, error.kind);
        }
        shared.served.push(reply);
        return (response, delay);
    }
    let mut ids = Ids {
        message: format!("msg_{call:024x}"),
        next_tool_use: shared.next_tool_use,
    };
    let (stream, sent) = event_stream(&reply, model, &mut ids);
    shared.next_tool_use = ids.next_tool_use;
    if shared.log_calls {
        eprintln!(
            "call {call}: {} block(s), stop_reason {}",
            sent.len(),
            reply.effective_stop_reason()
        );
    }
    shared.served.push(Reply {
        content: sent,
        ..reply
    });
    let response = Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .header("request-id", format!("req_{call:024x}"))
        .body(Full::new(Bytes::from(stream)))
        .expect("static headers are valid");
    (response, delay)
}

/// An error in the Messages API's shape, which the CLI reports as the turn's error.
fn api_error(status: u16, kind: &str, message: &str) -> Response<Full<Bytes>> {
    let body = json!({"type": "error", "error": {"type": kind, "message": message}});
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("static headers are valid")
}
