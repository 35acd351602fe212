//! The webhook channel: [`post`] sends one notification as a JSON POST over plain HTTP/1.1
//! (hyper's client connection, one connection per notification: they are rare, and a fresh
//! connection never trips over one the server closed).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{CONTENT_TYPE, HOST, USER_AGENT};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::DeliveryError;
use orchestrator_config::notify::WebhookTarget;

/// How much of an error response's body is kept for the log (Slack explains itself there).
const ERROR_BODY_BYTES: usize = 512;

/// POSTs `body` (JSON) to `target`; succeeds on any 2xx answer within `timeout`.
pub async fn post(
    target: &WebhookTarget,
    body: &str,
    timeout: Duration,
) -> Result<(), DeliveryError> {
    tokio::time::timeout(timeout, exchange(target, body))
        .await
        .map_err(|_| DeliveryError::Timeout { timeout })?
}

async fn exchange(target: &WebhookTarget, body: &str) -> Result<(), DeliveryError> {
    let address = format!("{}:{}", target.host, target.port);
    let stream = TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|source| DeliveryError::Connect {
            address: address.clone(),
            source,
        })?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(DeliveryError::Http)?;
    let request = hyper::Request::post(target.path.as_str())
        .header(HOST, target.authority.as_str())
        .header(CONTENT_TYPE, "application/json")
        .header(
            USER_AGENT,
            concat!("wundr-orchestrator/", env!("CARGO_PKG_VERSION")),
        )
        .body(Full::new(Bytes::from(body.to_owned())))
        .map_err(|err| DeliveryError::Request(err.to_string()))?;
    let answer = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(DeliveryError::Http)?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = match Limited::new(response.into_body(), ERROR_BODY_BYTES)
            .collect()
            .await
        {
            Ok(collected) => String::from_utf8_lossy(&collected.to_bytes())
                .trim()
                .to_owned(),
            Err(_) => String::new(),
        };
        Err(DeliveryError::Status {
            status: status.as_u16(),
            body: text,
        })
    };
    // The connection must be driven while the request is in flight. It may end (a server
    // that closes after answering) before the answer is read: the answer was handed over
    // by then, or the request fails for want of a connection.
    tokio::pin!(answer);
    tokio::select! {
        result = &mut answer => result,
        ended = connection => match (answer.await, ended) {
            (Err(_), Err(err)) => Err(DeliveryError::Http(err)),
            (result, _) => result,
        },
    }
}
