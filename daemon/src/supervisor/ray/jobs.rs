//! The Ray Jobs REST API, as the daemon uses it: [`JobsClient`] submits a session's job,
//! reads its state ([`JobInfo`]), stops it, and lists the cluster's nodes ([`NodeInfo`]).
//! [`RayError`] says what failed in words that name the address.
//!
//! Plain HTTP/1.1 through hyper's client connection, one connection per call: calls are rare
//! (a submit, a poll a second while a job starts, a stop), and the dashboard closes idle
//! connections anyway. Every call has a deadline.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{CONTENT_TYPE, HOST, USER_AGENT};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tokio::net::TcpStream;

/// The most of a response the daemon reads (a job's whole log is returned by `logs`).
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// How long one call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a call to the cluster failed.
#[derive(Debug, thiserror::Error)]
pub enum RayError {
    #[error("cannot connect to the Ray Jobs API at {address}")]
    Connect {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the Ray Jobs API at {address} did not answer {what} within {timeout:?}")]
    Timeout {
        address: String,
        what: String,
        timeout: Duration,
    },
    #[error("the HTTP exchange with the Ray Jobs API at {address} failed")]
    Http {
        address: String,
        #[source]
        source: hyper::Error,
    },
    #[error("the Ray Jobs API at {address} answered {what} with HTTP {status}: {body}")]
    Status {
        address: String,
        what: String,
        status: u16,
        body: String,
    },
    #[error("the Ray Jobs API at {address} answered {what} with something unexpected")]
    Decode {
        address: String,
        what: String,
        #[source]
        source: serde_json::Error,
    },
}

/// A job as `GET /api/jobs/<id>` shows it.
#[derive(Debug, Clone, Deserialize)]
pub struct JobInfo {
    /// PENDING, RUNNING, STOPPED, SUCCEEDED or FAILED.
    pub status: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub driver_node_id: Option<String>,
}

impl JobInfo {
    /// Whether the job has ended for good.
    pub fn is_terminal(&self) -> bool {
        matches!(self.status.as_str(), "STOPPED" | "SUCCEEDED" | "FAILED")
    }
}

/// A node as `GET /api/v0/nodes` lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct NodeInfo {
    pub node_id: String,
    pub node_ip: String,
    /// ALIVE or DEAD.
    pub state: String,
}

impl NodeInfo {
    pub fn is_alive(&self) -> bool {
        self.state == "ALIVE"
    }
}

/// A client of one cluster's Jobs API.
#[derive(Debug, Clone)]
pub struct JobsClient {
    /// `http://host:port`, as configured.
    address: String,
    /// `host:port`.
    authority: String,
}

impl JobsClient {
    /// A client of the API at `address` (`http://host:port`, checked by the config).
    pub fn new(address: &str) -> Self {
        let authority = address
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        JobsClient {
            address: address.to_owned(),
            authority,
        }
    }

    /// `GET /api/version`: whether the cluster answers at all.
    pub async fn version(&self) -> Result<String, RayError> {
        #[derive(Deserialize)]
        struct Version {
            ray_version: String,
        }
        let body = self
            .call("GET", "/api/version", None, "the version")
            .await?;
        Ok(self.decode::<Version>(&body, "the version")?.ray_version)
    }

    /// `POST /api/jobs/`; returns the job id.
    pub async fn submit(&self, job: &serde_json::Value) -> Result<String, RayError> {
        #[derive(Deserialize)]
        struct Submitted {
            job_id: String,
        }
        let body = self
            .call(
                "POST",
                "/api/jobs/",
                Some(job.to_string()),
                "the job submission",
            )
            .await?;
        Ok(self
            .decode::<Submitted>(&body, "the job submission")?
            .job_id)
    }

    /// `GET /api/jobs/<id>`.
    pub async fn job(&self, id: &str) -> Result<JobInfo, RayError> {
        let what = format!("the state of job {id}");
        let body = self
            .call("GET", &format!("/api/jobs/{id}"), None, &what)
            .await?;
        self.decode(&body, &what)
    }

    /// `POST /api/jobs/<id>/stop`: Ray ends the entrypoint and its descendants (SIGTERM,
    /// then SIGKILL after the job's `RAY_JOB_STOP_WAIT_TIME_S`).
    pub async fn stop(&self, id: &str) -> Result<(), RayError> {
        let what = format!("the stop of job {id}");
        self.call(
            "POST",
            &format!("/api/jobs/{id}/stop"),
            Some("{}".into()),
            &what,
        )
        .await
        .map(drop)
    }

    /// `GET /api/jobs/<id>/logs`: the job's whole log.
    pub async fn logs(&self, id: &str) -> Result<String, RayError> {
        #[derive(Deserialize)]
        struct Logs {
            logs: String,
        }
        let what = format!("the log of job {id}");
        let body = self
            .call("GET", &format!("/api/jobs/{id}/logs"), None, &what)
            .await?;
        Ok(self.decode::<Logs>(&body, &what)?.logs)
    }

    /// `GET /api/v0/nodes`: every node the cluster knows, dead ones included.
    pub async fn nodes(&self) -> Result<Vec<NodeInfo>, RayError> {
        // The state API wraps its list: {"result":…,"data":{"result":{"result":[…]}}}.
        #[derive(Deserialize)]
        struct Listed {
            data: Data,
        }
        #[derive(Deserialize)]
        struct Data {
            result: Page,
        }
        #[derive(Deserialize)]
        struct Page {
            result: Vec<NodeInfo>,
        }
        let body = self
            .call("GET", "/api/v0/nodes?limit=10000", None, "the node list")
            .await?;
        Ok(self
            .decode::<Listed>(&body, "the node list")?
            .data
            .result
            .result)
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        body: &Bytes,
        what: &str,
    ) -> Result<T, RayError> {
        serde_json::from_slice(body).map_err(|source| RayError::Decode {
            address: self.address.clone(),
            what: what.to_owned(),
            source,
        })
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        what: &str,
    ) -> Result<Bytes, RayError> {
        tokio::time::timeout(CALL_TIMEOUT, self.exchange(method, path, body, what))
            .await
            .map_err(|_| RayError::Timeout {
                address: self.address.clone(),
                what: what.to_owned(),
                timeout: CALL_TIMEOUT,
            })?
    }

    async fn exchange(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        what: &str,
    ) -> Result<Bytes, RayError> {
        let http = |source| RayError::Http {
            address: self.address.clone(),
            source,
        };
        let stream = TcpStream::connect(self.authority.as_str())
            .await
            .map_err(|source| RayError::Connect {
                address: self.address.clone(),
                source,
            })?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(http)?;
        let request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.authority.as_str())
            .header(CONTENT_TYPE, "application/json")
            .header(
                USER_AGENT,
                concat!("wundr-orchestrator/", env!("CARGO_PKG_VERSION")),
            )
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .expect("a request of a method, a path and headers that are all valid");
        let answer = async {
            let response = sender.send_request(request).await.map_err(http)?;
            let status = response.status();
            let bytes = Limited::new(response.into_body(), MAX_BODY_BYTES)
                .collect()
                .await
                .map(|c| c.to_bytes())
                .unwrap_or_default();
            if status.is_success() {
                return Ok(bytes);
            }
            // Ray answers errors with a Python traceback; its last line says what happened.
            let text = String::from_utf8_lossy(&bytes);
            let last = text.trim().lines().last().unwrap_or("").trim().to_owned();
            Err(RayError::Status {
                address: self.address.clone(),
                what: what.to_owned(),
                status: status.as_u16(),
                body: last,
            })
        };
        tokio::pin!(answer);
        tokio::select! {
            result = &mut answer => result,
            ended = connection => match (answer.await, ended) {
                (Err(_), Err(err)) => Err(http(err)),
                (result, _) => result,
            },
        }
    }
}
