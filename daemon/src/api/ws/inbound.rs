//! Inbound frames: [`Envelope::parse`] reads the JSON and the `type` (upstream's
//! `Invalid message format` / `Unknown message type` rules), [`Envelope::request`] turns the
//! payload into a typed [`Request`] or a validation message naming the field (where upstream
//! leaked a JS `TypeError` text). Frames of only a `type` and a `requestId` (`ping`,
//! `daemon_status`, ...) are read through `Head`, without building a `Value` tree.

use orchestrator_config::RunnerKind;
use serde::Deserialize;
use serde_json::Value;

use super::memory::MemoryMessage;
use super::message_type::MessageType;
use crate::core::SessionQuery;
use crate::model::{SessionStatus, SessionType, TaskPriority};
use crate::supervisor::{SpawnRequest, TaskInput};

/// Upstream's text for unparsable frames and missing payloads.
pub const INVALID_FORMAT: &str = "Invalid message format";
/// Upstream's text for unknown or missing types.
pub const UNKNOWN_TYPE: &str = "Unknown message type";
/// Sessions in a `sessions_list` when the request names no `limit`.
pub const DEFAULT_LIST_LIMIT: usize = 500;
/// The most sessions one `sessions_list` holds.
pub const MAX_LIST_LIMIT: usize = 1000;

/// Why a frame was not understood.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    /// Not JSON (`Invalid message format`; `invalid_json` in auth mode).
    Json,
    /// Another refusal: upstream's text, its stable code, and the request id when one could
    /// be read.
    Message {
        text: &'static str,
        code: &'static str,
        request_id: Option<Value>,
    },
}

impl ParseError {
    /// `Unknown message type` (`MESSAGE_TYPE_UNKNOWN`).
    fn unknown_type(request_id: Option<Value>) -> Self {
        Self::Message {
            text: UNKNOWN_TYPE,
            code: super::errors::codes::MESSAGE_TYPE_UNKNOWN,
            request_id,
        }
    }
}

/// A parsed frame with a known type.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The `type`.
    pub kind: MessageType,
    /// The optional `requestId`, echoed on the reply.
    pub request_id: Option<Value>,
    /// Upstream's optional per-message `auth` object.
    pub auth: Option<Value>,
    payload: Option<Value>,
}

/// What a client asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `ping`
    Ping,
    /// `health_check`
    HealthCheck,
    /// `daemon_status`
    DaemonStatus,
    /// `list_sessions`, with its optional `payload: {limit, cursor, status}` (`true` when one
    /// was given)
    ListSessions(SessionQuery, bool),
    /// `session_status`
    SessionStatus(String),
    /// `spawn_session`
    Spawn(SpawnRequest),
    /// `execute_task`
    Execute {
        /// The session.
        session_id: String,
        /// The turn's text (echoed as `taskId`).
        task: String,
    },
    /// `stop_session`
    Stop(String),
    /// `subscribe_session`
    Subscribe(String),
    /// `unsubscribe_session`
    Unsubscribe(String),
    /// `pause_session` (`true`) / `unpause_session` (`false`)
    Pause(String, bool),
    /// `approval_response`: answers an `approval_required`.
    ApprovalResponse {
        /// `payload.approvalId`
        id: String,
        /// `payload.approved` (optional with an `answer`: answering approves)
        approve: bool,
        /// `payload.reason`, optional
        reason: Option<String>,
        /// `payload.answer`: the text answering a question
        answer: Option<String>,
    },
    /// `list_approvals`: the pending approvals and questions.
    ListApprovals,
    /// `memory_store`, `memory_query`, `memory_forget` (see `super::memory`)
    Memory(super::memory::MemoryRequest),
}

/// A frame of only `type` (a string without escapes) and an optional `requestId`, borrowed
/// from the frame's text. Anything else (a payload, `auth`, a repeated key, escapes) fails
/// to read this way and takes the general path, which alone decides the errors.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Head<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(rename = "requestId", default)]
    request_id: Option<Value>,
}

/// Why a frame's request was refused: its stable code (`super::errors`) and upstream's text.
#[derive(Debug, PartialEq)]
pub struct Refused {
    /// The stable reason.
    pub code: &'static str,
    /// The error frame's text.
    pub text: String,
}

/// A payload field the parser refuses: upstream's text, `REQUEST_INVALID`.
impl From<String> for Refused {
    fn from(text: String) -> Self {
        Self {
            code: super::errors::codes::REQUEST_INVALID,
            text,
        }
    }
}

impl Envelope {
    /// Parses one frame's text.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        if let Ok(head) = serde_json::from_str::<Head>(text)
            && let Some(kind) = MessageType::parse(head.kind)
        {
            return Ok(Self {
                kind,
                request_id: echoable(head.request_id),
                auth: None,
                payload: None,
            });
        }
        Self::parse_value(text)
    }

    /// Parses one frame's text as a `Value` tree: every frame [`Head`] does not cover.
    fn parse_value(text: &str) -> Result<Self, ParseError> {
        let value: Value = serde_json::from_str(text).map_err(|_| ParseError::Json)?;
        let Value::Object(mut map) = value else {
            // Upstream threw on `null` (format) and found no type on anything else.
            return Err(if value.is_null() {
                ParseError::Message {
                    text: INVALID_FORMAT,
                    code: super::errors::codes::REQUEST_INVALID,
                    request_id: None,
                }
            } else {
                ParseError::unknown_type(None)
            });
        };
        let request_id = echoable(map.remove("requestId"));
        let kind = map
            .get("type")
            .and_then(Value::as_str)
            .and_then(MessageType::parse);
        let Some(kind) = kind else {
            return Err(ParseError::unknown_type(request_id));
        };
        Ok(Self {
            kind,
            request_id,
            auth: map.remove("auth"),
            payload: map.remove("payload").filter(|p| !p.is_null()),
        })
    }

    /// The typed request, or the refusal to answer with.
    pub fn request(&self) -> Result<Request, Refused> {
        Ok(match self.kind {
            MessageType::Ping => Request::Ping,
            MessageType::HealthCheck => Request::HealthCheck,
            MessageType::DaemonStatus => Request::DaemonStatus,
            MessageType::ListApprovals => Request::ListApprovals,
            MessageType::ListSessions => {
                Request::ListSessions(self.list_query()?, self.payload.is_some())
            }
            MessageType::SessionStatus => Request::SessionStatus(self.session_id()?),
            MessageType::StopSession => Request::Stop(self.session_id()?),
            MessageType::SubscribeSession => Request::Subscribe(self.session_id()?),
            MessageType::UnsubscribeSession => Request::Unsubscribe(self.session_id()?),
            MessageType::PauseSession => Request::Pause(self.session_id()?, true),
            MessageType::UnpauseSession => Request::Pause(self.session_id()?, false),
            MessageType::ApprovalResponse => {
                let payload = self.payload()?;
                let id = payload
                    .get("approvalId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid("payload.approvalId", "must be a string"))?;
                let text = |field: &str| match payload.get(field) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(r)) => Ok(Some(r.clone())),
                    Some(_) => Err(invalid(&format!("payload.{field}"), "must be a string")),
                };
                let (reason, answer) = (text("reason")?, text("answer")?);
                let approve = match (payload.get("approved"), &answer) {
                    (Some(Value::Bool(approve)), _) => *approve,
                    (None | Some(Value::Null), Some(_)) => true,
                    _ => return Err(invalid("payload.approved", "must be true or false").into()),
                };
                Request::ApprovalResponse {
                    id: id.to_owned(),
                    approve,
                    reason,
                    answer,
                }
            }
            MessageType::MemoryStore => self.memory(MemoryMessage::Store)?,
            MessageType::MemoryQuery => self.memory(MemoryMessage::Query)?,
            MessageType::MemoryForget => self.memory(MemoryMessage::Forget)?,
            MessageType::ExecuteTask => {
                let session_id = self.session_id()?;
                let task = self
                    .payload()?
                    .get("task")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid("payload.task", "must be a string"))?;
                Request::Execute {
                    session_id,
                    task: task.to_owned(),
                }
            }
            MessageType::SpawnSession => Request::Spawn(self.spawn()?),
        })
    }

    /// A memory message's request, or its refusal.
    fn memory(&self, kind: MemoryMessage) -> Result<Request, Refused> {
        let request = super::memory::parse(kind, self.payload()?).map_err(|err| Refused {
            code: err.reason(),
            text: super::errors::memory_error_text(&err),
        })?;
        Ok(Request::Memory(request))
    }

    fn payload(&self) -> Result<&serde_json::Map<String, Value>, String> {
        match &self.payload {
            None => Err(INVALID_FORMAT.to_owned()),
            Some(Value::Object(map)) => Ok(map),
            Some(_) => Err(invalid("payload", "must be an object")),
        }
    }

    /// `list_sessions`' payload, all optional: `limit` (1–1000, default 500), `cursor` (a
    /// `nextCursor`), `status` (a status or a list of them).
    fn list_query(&self) -> Result<SessionQuery, String> {
        let mut query = SessionQuery {
            limit: DEFAULT_LIST_LIMIT,
            ..SessionQuery::default()
        };
        let Some(payload) = &self.payload else {
            return Ok(query);
        };
        let Value::Object(payload) = payload else {
            return Err(invalid("payload", "must be an object"));
        };
        match payload.get("limit") {
            None | Some(Value::Null) => {}
            Some(limit) => {
                query.limit = limit
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|n| (1..=MAX_LIST_LIMIT).contains(n))
                    .ok_or_else(|| {
                        invalid("payload.limit", &format!("must be 1–{MAX_LIST_LIMIT}"))
                    })?;
            }
        }
        match payload.get("cursor") {
            None | Some(Value::Null) => {}
            Some(Value::String(cursor)) => {
                query.before = Some(cursor.parse().map_err(|_| {
                    invalid(
                        "payload.cursor",
                        "must be a nextCursor from an earlier reply",
                    )
                })?);
            }
            Some(_) => return Err(invalid("payload.cursor", "must be a string")),
        }
        let statuses: Vec<&Value> = match payload.get("status") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one) => vec![one],
        };
        for status in statuses {
            let parsed = status
                .as_str()
                .and_then(SessionStatus::parse)
                .ok_or_else(|| {
                    invalid(
                        "payload.status",
                        "must be a status (queued, initializing, running, paused, completed, \
                     failed, terminated) or a list of them",
                    )
                })?;
            query.statuses.push(parsed);
        }
        Ok(query)
    }

    fn session_id(&self) -> Result<String, String> {
        self.payload()?
            .get("sessionId")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| invalid("payload.sessionId", "must be a string"))
    }

    fn spawn(&self) -> Result<SpawnRequest, String> {
        let payload = match &self.payload {
            Some(Value::Object(map)) => map,
            _ => {
                return Err(invalid(
                    "payload",
                    "must be an object with a task (an object or a string)",
                ));
            }
        };
        let task = match payload.get("task") {
            Some(Value::String(text)) => TaskInput::new(text.clone()),
            Some(Value::Object(task)) => task_input(task)?,
            _ => return Err(invalid("payload.task", "must be a task object or a string")),
        };
        let session_type = match payload.get("sessionType") {
            None | Some(Value::Null) => SessionType::ClaudeCode,
            Some(Value::String(name)) => SessionType::parse(name).ok_or_else(|| {
                invalid(
                    "payload.sessionType",
                    &format!("{name:?} is not one of claude-code, claude-flow, ruflo"),
                )
            })?,
            Some(_) => return Err(invalid("payload.sessionType", "must be a string")),
        };
        let orchestrator_id = match payload.get("orchestratorId") {
            None | Some(Value::Null) => None,
            Some(Value::String(id)) => Some(id.clone()),
            Some(_) => return Err(invalid("payload.orchestratorId", "must be a string")),
        };
        let runner = match payload.get("runner") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(RunnerKind::parse(name).ok_or_else(|| {
                invalid(
                    "payload.runner",
                    &format!("{name:?} is not one of local, ray"),
                )
            })?),
            Some(_) => return Err(invalid("payload.runner", "must be a string")),
        };
        Ok(SpawnRequest {
            orchestrator_id,
            task,
            session_type,
            // Remote clients do not choose directories on this machine.
            work_dir: None,
            worktree: false,
            runner,
        })
    }
}

/// The `requestId` a reply echoes: only a string or a number is one.
fn echoable(request_id: Option<Value>) -> Option<Value> {
    request_id.filter(|id| id.is_string() || id.is_number())
}

/// The door's own name for a known message type.
fn task_input(task: &serde_json::Map<String, Value>) -> Result<TaskInput, String> {
    let description = match task.get("description") {
        Some(Value::String(text)) => text.clone(),
        _ => return Err(invalid("payload.task.description", "must be a string")),
    };
    let task_type = match task.get("type") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) => Some(t.clone()),
        Some(_) => return Err(invalid("payload.task.type", "must be a string")),
    };
    let priority = match task.get("priority") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => Some(TaskPriority::parse(p).ok_or_else(|| {
            invalid(
                "payload.task.priority",
                &format!("{p:?} is not one of low, medium, high, critical"),
            )
        })?),
        Some(_) => return Err(invalid("payload.task.priority", "must be a string")),
    };
    let metadata = match task.get("metadata") {
        None => None,
        Some(Value::Object(map)) => Some(map.clone()),
        Some(_) => return Err(invalid("payload.task.metadata", "must be an object")),
    };
    Ok(TaskInput {
        description,
        task_type,
        priority,
        metadata,
    })
}

fn invalid(field: &str, reason: &str) -> String {
    format!("invalid {field}: {reason}")
}

#[cfg(test)]
mod tests;
