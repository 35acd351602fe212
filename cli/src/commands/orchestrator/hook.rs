//! `wundr orchestrator hook <EVENT>`: the command Claude Code runs for the charter's hooks
//! (`PreToolUse`, `UserPromptSubmit`, `SessionStart`; see the daemon's `--settings`). It reads
//! the hook input from stdin, asks the daemon on the socket (session from `WUNDR_SESSION_ID`)
//! and prints the daemon's answer in Claude Code's hook protocol, exit 0.
//!
//! When the daemon cannot be reached it fails closed for what the charter forbids: it decides
//! with the charter file itself (`WUNDR_CHARTER_FILE`, set by the daemon for its agents, else
//! the default path) and denies `alwaysReject`/`hardConstraints` hits and escalations (nobody
//! could approve them); anything else gets no opinion, leaving it to Claude Code's own
//! permission rules. Why is always said on stderr, which Claude Code shows in its transcript.
//!
//! On a remote node (the agent runs under `wundr orchestrator relay`), `WUNDR_RELAY_SOCKET`
//! names the relay's Unix socket: the hook asks the relay instead (one [`HookQuery`] line, one
//! [`HookReply`] line), which carries the question to the daemon. A reply that is an error,
//! or a relay that cannot be asked, fails closed the same way.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use orchestrator_api::v1::HookRequest;
use orchestrator_charter::hook::{HookEvent, hook_response};
use orchestrator_charter::policy::{Action, Decision, Verdict};
use orchestrator_charter::{Policy, load_charter};
use orchestrator_relay::hook_socket::{HookQuery, HookReply, RELAY_SOCKET_ENV, line_of};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

use super::charter::{charter_call, charter_client};
use crate::error::{CliError, Outcome};
use crate::output;

/// The daemon's answer may wait for a person (up to the charter's approval timeout); Claude
/// Code's own hook timeout (set by the daemon above the approval timeout) bounds the rest.
const HOOK_CALL_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// Arguments of `wundr orchestrator hook`.
#[derive(Debug, Args)]
pub struct HookArgs {
    /// The hook event: PreToolUse, UserPromptSubmit or SessionStart
    #[arg(value_name = "EVENT")]
    pub event: String,
}

/// How long connecting to the relay's socket may take (it listens on this node).
const RELAY_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The relay's hook socket, when the agent runs under a relay (`WUNDR_RELAY_SOCKET`).
pub fn relay_socket() -> Option<PathBuf> {
    std::env::var_os(RELAY_SOCKET_ENV)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

/// Answers one hook call: through the relay when [`relay_socket`] names one, else through
/// the daemon on `socket` (`None` only with a relay).
pub async fn run(args: &HookArgs, socket: Option<&Path>) -> Result<Outcome, CliError> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(CliError::Stdin)?;
    let asked = match (relay_socket(), socket) {
        (Some(relay), _) => ask_relay(&relay, &args.event, &input).await,
        (None, Some(socket)) => ask_daemon(socket, &args.event, &input).await,
        (None, None) => Err("no daemon socket and no relay socket to ask".to_owned()),
    };
    let answer = match asked {
        Ok(output_json) => output_json,
        Err(why) => fail_closed(&args.event, &input, &why).to_string(),
    };
    output::stdout(&format!("{answer}\n"))?;
    Ok(Outcome::Success)
}

/// The daemon's answer over gRPC, or why there is none.
async fn ask_daemon(socket: &Path, event: &str, input: &str) -> Result<String, String> {
    let session_id = std::env::var("WUNDR_SESSION_ID").unwrap_or_default();
    let asked = async {
        let mut client = charter_client(socket).await?;
        let request = HookRequest {
            session_id,
            event: event.to_owned(),
            input_json: input.to_owned(),
        };
        charter_call(
            socket,
            "Hook",
            HOOK_CALL_TIMEOUT,
            None,
            client.hook(request),
        )
        .await
    }
    .await;
    asked
        .map(|reply| reply.output_json)
        .map_err(|err| orchestrator_api::error_chain(&err))
}

/// The daemon's answer through the relay on this node, or why there is none. The session
/// is the relay's own (the hook cannot name another).
async fn ask_relay(relay: &Path, event: &str, input: &str) -> Result<String, String> {
    let failed = |what: &str, err: &dyn std::fmt::Display| {
        format!("{what} the relay at {}: {err}", relay.display())
    };
    let stream = tokio::time::timeout(RELAY_CONNECT_TIMEOUT, UnixStream::connect(relay))
        .await
        .map_err(|_| {
            failed(
                "cannot reach",
                &format!("no answer within {}s", RELAY_CONNECT_TIMEOUT.as_secs()),
            )
        })?
        .map_err(|err| failed("cannot reach", &err))?;
    let (read, mut write) = stream.into_split();
    let query = HookQuery {
        event: event.to_owned(),
        input_json: input.to_owned(),
    };
    write
        .write_all(&line_of(&query))
        .await
        .map_err(|err| failed("cannot ask", &err))?;
    let mut reply = String::new();
    let mut reader = BufReader::new(read);
    match tokio::time::timeout(HOOK_CALL_TIMEOUT, reader.read_line(&mut reply)).await {
        Err(_) => return Err(failed("no answer from", &"the hook timed out")),
        Ok(Err(err)) => return Err(failed("no answer from", &err)),
        Ok(Ok(0)) => return Err(failed("no answer from", &"it closed the connection")),
        Ok(Ok(_)) => {}
    }
    match serde_json::from_str::<HookReply>(&reply) {
        Ok(HookReply::Output(output_json)) => Ok(output_json),
        Ok(HookReply::Error(why)) => Err(why),
        Err(err) => Err(failed("an unreadable answer from", &err)),
    }
}

/// The answer when the daemon could not decide (`why`): the charter file's own verdict for
/// forbidden actions, else no opinion.
fn fail_closed(event: &str, input: &str, why: &str) -> serde_json::Value {
    let empty = serde_json::json!({});
    let Some(hook_event) = HookEvent::parse(event) else {
        output::warn(&format!(
            "wundr hook: unknown event {event:?}; no opinion given"
        ));
        return empty;
    };
    let action = serde_json::from_str(input)
        .ok()
        .and_then(|v| Action::from_hook_input(&v));
    let Some(action) = action else {
        output::warn(&format!(
            "wundr hook: the orchestrator daemon could not decide ({why}); nothing to check \
             locally for {event}"
        ));
        return empty;
    };
    let path = charter_file();
    let policy = match load_charter(&path) {
        Ok(loaded) => Policy::compile(&loaded.charter),
        Err(err) => {
            output::warn(&format!(
                "wundr hook: the orchestrator daemon could not decide ({why}) and the charter \
                 {} cannot be read ({err}); no opinion given",
                path.display()
            ));
            return empty;
        }
    };
    let decision = policy.decide(&action);
    match decision.verdict {
        Verdict::Deny | Verdict::Escalate => {
            let reason = format!(
                "{} (decided from {} because the orchestrator daemon is unreachable: {why})",
                decision.reason,
                path.display()
            );
            output::warn(&format!("wundr hook: {reason}"));
            hook_response(
                hook_event,
                &Decision {
                    verdict: Verdict::Deny,
                    rule: decision.rule,
                    reason,
                },
            )
        }
        Verdict::Allow | Verdict::Ask => {
            output::warn(&format!(
                "wundr hook: the orchestrator daemon is unreachable ({why}); the charter file \
                 does not forbid this, so Claude Code's own permission rules decide"
            ));
            empty
        }
    }
}

/// `WUNDR_CHARTER_FILE`, else `ORCHESTRATOR_CHARTER`, else the default path.
fn charter_file() -> PathBuf {
    ["WUNDR_CHARTER_FILE", "ORCHESTRATOR_CHARTER"]
        .iter()
        .find_map(|name| std::env::var_os(name).filter(|v| !v.is_empty()))
        .map_or_else(
            || {
                orchestrator_config::default_charter_path(
                    &std::env::var_os("HOME").map_or_else(PathBuf::new, PathBuf::from),
                )
            },
            PathBuf::from,
        )
}
