//! `wundr orchestrator session wait ID [--timeout S]`: [`WaitArgs`]; [`run`] waits, without
//! polling, until the session ends or needs a person, and says which with its exit code
//! ([`EXIT_CODES`]): 0 completed, 1 failed or terminated, 4 waiting for a person, 124 timed
//! out, 3 the daemon is not running (or stopped while waiting).
//!
//! It watches the daemon's events (`WatchEvents`) first, then reads the session and the
//! pending approvals, so nothing that happens after the start is missed. "Needs a person" is
//! decided in one place, [`needs_person`]: the session's `waitingFor`, or a pending approval
//! request or question of it.

use std::path::Path;
use std::time::Duration;

use clap::Args;
use orchestrator_api::v1::charter_client::CharterClient;
use orchestrator_api::v1::daemon_client::DaemonClient;
use orchestrator_api::v1::event::Kind;
use orchestrator_api::v1::sessions_client::SessionsClient;
use orchestrator_api::v1::{Approval, ListApprovalsRequest, Session, WatchEventsRequest};

use super::{call, render, session_ref};
use crate::commands::orchestrator::charter::charter_call;
use crate::daemon_client::{self, CALL_TIMEOUT};
use crate::error::SessionCommandError;
use crate::error::{CliError, Outcome, RpcFailure};
use crate::output;

/// The exit codes, as `session wait --help` shows them.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    the session completed
  1    it failed or was terminated (or the command itself failed)
  3    the orchestrator daemon is not running, or stopped while waiting
  4    it waits for a person: an approval request or a question is pending
  124  --timeout passed first";

/// Arguments of `session wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The session id (see: wundr orchestrator session list)
    #[arg(value_name = "ID", add = crate::commands::complete_ids::session_ids())]
    pub id: String,
    /// Give up after this many seconds (exit 124); default: wait as long as it takes
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
}

/// How the wait ended.
#[derive(Debug)]
enum Verdict {
    /// The session ended.
    Ended(Session),
    /// The session waits for a person: these approval requests are pending.
    NeedsPerson(Session, Vec<Approval>),
}

/// Whether `session` waits for a person: it says so (`waitingFor`), or an approval request of
/// it is pending (announced before the session's own update reaches this client).
fn needs_person(session: &Session, pending: &[Approval]) -> bool {
    session.waiting_for.is_some() || pending.iter().any(|a| a.session_id == session.id)
}

/// Waits (see the module doc) and prints what it found.
pub async fn run(args: &WaitArgs, socket: &Path) -> Result<Outcome, CliError> {
    let channel = daemon_client::require_channel(socket).await?;
    let waiting = wait(channel.clone(), &args.id, socket);
    let verdict = match args.timeout.map(Duration::from_secs) {
        None => waiting.await?,
        Some(limit) => match tokio::time::timeout(limit, waiting).await {
            Ok(verdict) => verdict?,
            Err(_elapsed) => return timed_out(channel, &args.id, limit, socket).await,
        },
    };
    match verdict {
        Verdict::Ended(session) => {
            output::stdout(&format!("{}\n", render::status_line(&session)))?;
            Ok(
                if session.status == orchestrator_api::v1::SessionStatus::Completed as i32 {
                    Outcome::Success
                } else {
                    Outcome::SessionFailed
                },
            )
        }
        Verdict::NeedsPerson(session, pending) => {
            output::stdout(&needs_person_text(&session, &pending))?;
            Ok(Outcome::NeedsPerson)
        }
    }
}

/// One line per open question of `session`: what it asks and how to answer it.
fn needs_person_text(session: &Session, pending: &[Approval]) -> String {
    let mut text = String::new();
    for approval in pending.iter().filter(|a| a.session_id == session.id) {
        text.push_str(&if approval.kind == "question" {
            format!(
                "session {} waits for answer {}: {}; answer with: wundr orchestrator approval \
                 answer {} \"TEXT\"\n",
                session.id,
                approval.id,
                super::list::one_line(&approval.summary, 120),
                approval.id
            )
        } else {
            format!(
                "session {} waits for approval {}: {}{} (rule {}); answer with: wundr \
                 orchestrator approval approve|deny {}\n",
                session.id,
                approval.id,
                approval.tool,
                input_summary(&approval.input_json),
                approval.rule,
                approval.id
            )
        });
    }
    if text.is_empty()
        && let Some(w) = &session.waiting_for
    {
        text = format!(
            "session {} waits for {} {}: {}; see: wundr orchestrator approval list\n",
            session.id, w.kind, w.approval_id, w.summary
        );
    }
    text
}

async fn wait(
    channel: tonic::transport::Channel,
    id: &str,
    socket: &Path,
) -> Result<Verdict, CliError> {
    let mut events = daemon_client::unary(
        socket,
        "WatchEvents",
        DaemonClient::new(channel.clone()).watch_events(WatchEventsRequest {}),
    )
    .await?;
    let mut sessions = SessionsClient::new(channel.clone());
    let mut session = call(
        socket,
        "Get",
        id,
        CALL_TIMEOUT,
        sessions.get(session_ref(id)),
    )
    .await?;
    let mut charter = CharterClient::new(channel);
    let mut pending: Vec<Approval> = charter_call(
        socket,
        "ListApprovals",
        CALL_TIMEOUT,
        None,
        charter.list_approvals(ListApprovalsRequest {}),
    )
    .await?
    .approvals
    .into_iter()
    .filter(|a| a.session_id == id)
    .collect();
    loop {
        if render::is_ended(session.status) {
            return Ok(Verdict::Ended(session));
        }
        if needs_person(&session, &pending) {
            return Ok(Verdict::NeedsPerson(session, pending));
        }
        let event = match events.message().await {
            Ok(Some(event)) => event,
            Ok(None) => return Err(SessionCommandError::DaemonStopped { id: id.into() }.into()),
            Err(status) => return Err(stream_error(status, id, socket).await),
        };
        match event.kind {
            Some(Kind::SessionSpawned(s) | Kind::SessionUpdated(s) | Kind::SessionCompleted(s))
                if s.id == id =>
            {
                session = s;
            }
            Some(Kind::ApprovalRequired(a)) if a.session_id == id => pending.push(a),
            Some(Kind::ApprovalResolved(a)) => pending.retain(|p| p.id != a.id),
            Some(Kind::Stopped(_)) => {
                return Err(SessionCommandError::DaemonStopped { id: id.into() }.into());
            }
            _ => {}
        }
    }
}

/// ` `command`` (or a file path, or a prompt) from an approval's input, when it has one.
fn input_summary(input_json: &str) -> String {
    let input: serde_json::Value = serde_json::from_str(input_json).unwrap_or_default();
    ["command", "file_path", "prompt"]
        .iter()
        .find_map(|key| input.get(*key)?.as_str())
        .map(|text| format!(" `{}`", super::list::one_line(text, 120)))
        .unwrap_or_default()
}

/// `--timeout` passed: say where the session stands, exit 124.
async fn timed_out(
    channel: tonic::transport::Channel,
    id: &str,
    limit: Duration,
    socket: &Path,
) -> Result<Outcome, CliError> {
    let mut sessions = SessionsClient::new(channel);
    let now = match call(
        socket,
        "Get",
        id,
        CALL_TIMEOUT,
        sessions.get(session_ref(id)),
    )
    .await
    {
        Ok(session) => render::status_word(session.status),
        Err(_) => "unknown".to_owned(),
    };
    output::stderr(&format!(
        "session {id} is still {now} after {}s\n",
        limit.as_secs()
    ));
    Ok(Outcome::TimedOut)
}

/// A broken event stream: "the daemon stopped" when nothing listens any more, else the
/// transport's error.
async fn stream_error(status: tonic::Status, id: &str, socket: &Path) -> CliError {
    if matches!(daemon_client::connect(socket).await, Ok(None)) {
        return SessionCommandError::DaemonStopped { id: id.into() }.into();
    }
    CliError::Rpc {
        call: "WatchEvents",
        source: RpcFailure(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_approval_of_the_session_needs_a_person() {
        let session = Session {
            id: "s1".into(),
            ..Session::default()
        };
        let approval = |session_id: &str| Approval {
            id: "approval_1".into(),
            session_id: session_id.into(),
            ..Approval::default()
        };
        assert!(!needs_person(&session, &[]));
        assert!(!needs_person(&session, &[approval("s2")]));
        assert!(needs_person(&session, &[approval("s2"), approval("s1")]));
        let waiting = Session {
            waiting_for: Some(orchestrator_api::v1::WaitingFor::default()),
            ..session
        };
        assert!(needs_person(&waiting, &[]));
    }
}
