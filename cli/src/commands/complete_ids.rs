//! Shell completion of the ids the running daemon knows: [`session_ids`], [`approval_ids`],
//! [`question_ids`] and [`memory_ids`] are clap_complete [`ArgValueCompleter`]s added to the
//! `ID` arguments; [`register`] answers the shell's call-back (`WUNDR_COMPLETE=SHELL wundr --
//! WORDS...`, see [`REGISTRATION_VAR`]) before the command line is parsed, and
//! [`registration_script`] is what `wundr completions SHELL` and `packaging/completions/` hold.
//!
//! A completer asks the daemon once, within [`ASK_TIMEOUT`]; a daemon that is not running,
//! refuses, or is slow yields no candidates — never an error, a hang or a line on stderr, since
//! the shell calls this on every TAB. The socket is the `--socket` on the command line being
//! completed, else `WUNDR_ORCHESTRATOR_SOCKET`, else the default path.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::CommandFactory;
use clap_complete::CompleteEnv;
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::Shells;
use orchestrator_api::v1::charter_client::CharterClient;
use orchestrator_api::v1::memory_client::MemoryClient;
use orchestrator_api::v1::sessions_client::SessionsClient;
use orchestrator_api::v1::{ListApprovalsRequest, ListMemoryRequest, ListSessionsRequest};

use super::Cli;
use super::orchestrator::session::render::status_word;
use crate::paths::resolve_paths;

/// The variable the registration scripts set when they call `wundr` back. Not clap's default
/// `COMPLETE`: that generic name may be set for something else in an agent's environment, and
/// `wundr orchestrator hook` would then print a script instead of its decision.
pub const REGISTRATION_VAR: &str = "WUNDR_COMPLETE";

/// How long one completion may wait for the daemon: short enough that TAB never feels stuck.
pub const ASK_TIMEOUT: Duration = Duration::from_millis(300);

/// At most this many sessions (the newest) and memory entries are offered.
const SESSIONS_OFFERED: u32 = 500;
const MEMORY_OFFERED: u32 = 300;

/// A candidate's help text (shown by zsh and fish) is cut to this many characters.
const HELP_CHARS: usize = 60;

/// Answers the shell's completion call-back and exits, when this run is one.
pub fn register() {
    CompleteEnv::with_factory(Cli::command)
        .var(REGISTRATION_VAR)
        .complete();
}

/// The script that registers `wundr`'s completion in `shell` (`bash`, `zsh`, `fish`, `elvish`,
/// `powershell`), calling `wundr` on `PATH` back; `None` for a shell clap_complete cannot
/// register dynamically.
pub fn registration_script(shell: &str) -> Option<Vec<u8>> {
    let shells = Shells::builtins();
    let completer = shells.completer(shell)?;
    let mut script = Vec::new();
    completer
        .write_registration(REGISTRATION_VAR, "wundr", "wundr", "wundr", &mut script)
        .ok()?;
    if completer.name() == "zsh" {
        script.extend_from_slice(ZSH_FIRST_TAB.as_bytes());
    }
    Some(script)
}

/// zsh autoloads `_wundr` from `$fpath` (where the `.deb` puts it) as the completion function
/// and runs its body on the first TAB; clap_complete's body only registers its own function
/// for the next TAB, so that first TAB would complete nothing. Sourced, it is not in a
/// completion (`compstate` is unset) and only registers.
const ZSH_FIRST_TAB: &str = "\n# Autoloaded from $fpath as `_wundr`, this runs on the first TAB: complete it too.\n\
                             if (( $+compstate )); then _clap_dynamic_completer_wundr \"$@\"; fi\n";

/// Session ids, newest first, with their status and task as help.
pub fn session_ids() -> ArgValueCompleter {
    ArgValueCompleter::new(|typed: &OsStr| complete(typed, Source::Sessions))
}

/// Ids of pending approvals of tool calls (what `approve` and `deny` take).
pub fn approval_ids() -> ArgValueCompleter {
    ArgValueCompleter::new(|typed: &OsStr| complete(typed, Source::Approvals { questions: false }))
}

/// Ids of pending agent questions (what `approval answer` takes).
pub fn question_ids() -> ArgValueCompleter {
    ArgValueCompleter::new(|typed: &OsStr| complete(typed, Source::Approvals { questions: true }))
}

/// Memory entry ids, with their content as help.
pub fn memory_ids() -> ArgValueCompleter {
    ArgValueCompleter::new(|typed: &OsStr| complete(typed, Source::Memory))
}

/// What a completer asks the daemon for.
#[derive(Debug, Clone, Copy)]
enum Source {
    Sessions,
    Approvals { questions: bool },
    Memory,
}

impl Source {
    /// The part every id of this kind starts with, which the commands let one leave out.
    fn id_prefix(self) -> &'static str {
        match self {
            Source::Sessions => "session_",
            Source::Approvals { .. } => "approval_",
            Source::Memory => "mem_",
        }
    }
}

/// An id the daemon knows and what to show beside it.
struct Known {
    id: String,
    help: String,
}

/// The ids of `source` that `typed` could be the start of, in the daemon's order.
fn complete(typed: &OsStr, source: Source) -> Vec<CompletionCandidate> {
    let Some(typed) = typed.to_str() else {
        return Vec::new();
    };
    let Some(socket) = socket() else {
        return Vec::new();
    };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return Vec::new();
    };
    let known = runtime
        .block_on(async { tokio::time::timeout(ASK_TIMEOUT, ask(&socket, source)).await })
        .ok()
        .flatten()
        .unwrap_or_default();
    known
        .into_iter()
        .filter(|known| is_start_of(typed, &known.id, source.id_prefix()))
        .map(|known| CompletionCandidate::new(known.id).help(Some(known.help.into())))
        .collect()
}

/// Whether `typed` begins `id`, with or without the id's `prefix` (`1796` begins
/// `session_1796…`): the commands take a unique prefix either way.
fn is_start_of(typed: &str, id: &str, prefix: &str) -> bool {
    id.starts_with(typed)
        || id
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(typed))
}

/// One call to the daemon on `socket`; `None` when it cannot be asked or refuses.
async fn ask(socket: &Path, source: Source) -> Option<Vec<Known>> {
    let channel = orchestrator_api::connect(socket).await.ok()?;
    let known = match source {
        Source::Sessions => {
            let request = ListSessionsRequest {
                limit: SESSIONS_OFFERED,
                ..Default::default()
            };
            let reply = SessionsClient::new(channel).list(request).await.ok()?;
            // The daemon lists oldest first; the session one means is most often a new one.
            let sessions = reply.into_inner().sessions.into_iter().rev();
            sessions
                .map(|session| {
                    let task = session.task.map(|t| t.description).unwrap_or_default();
                    Known {
                        help: help_text(&format!("{}: {task}", status_word(session.status))),
                        id: session.id,
                    }
                })
                .collect()
        }
        Source::Approvals { questions } => {
            let reply = CharterClient::new(channel)
                .list_approvals(ListApprovalsRequest {})
                .await
                .ok()?;
            reply
                .into_inner()
                .approvals
                .into_iter()
                .filter(|approval| (approval.kind == "question") == questions)
                .map(|approval| Known {
                    help: help_text(&format!("{}: {}", approval.tool, approval.summary)),
                    id: approval.id,
                })
                .collect()
        }
        Source::Memory => {
            let request = ListMemoryRequest {
                tier: String::new(),
                limit: MEMORY_OFFERED,
            };
            let reply = MemoryClient::new(channel).list(request).await.ok()?;
            reply
                .into_inner()
                .entries
                .into_iter()
                .map(|entry| Known {
                    help: help_text(&entry.content),
                    id: entry.id,
                })
                .collect()
        }
    };
    Some(known)
}

/// The first line of `text`, cut to [`HELP_CHARS`].
fn help_text(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    if line.chars().count() <= HELP_CHARS {
        return line.to_owned();
    }
    let mut cut: String = line.chars().take(HELP_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The daemon socket for the command line being completed (the words after the first `--`).
fn socket() -> Option<PathBuf> {
    let words: Vec<OsString> = std::env::args_os()
        .skip_while(|arg| arg != "--")
        .skip(1)
        .collect();
    let given = socket_given(&words);
    resolve_paths(given.as_deref())
        .ok()
        .map(|paths| paths.socket)
}

/// The last `--socket PATH` or `--socket=PATH` among `words` (a leading `~/` is the home
/// directory: the shell passes the word as typed).
fn socket_given(words: &[OsString]) -> Option<PathBuf> {
    let mut given = None;
    let mut words = words.iter().map(|word| word.to_str());
    while let Some(word) = words.next() {
        match word {
            Some("--") => break,
            Some("--socket") => given = words.next().flatten(),
            Some(word) => {
                if let Some(path) = word.strip_prefix("--socket=") {
                    given = Some(path);
                }
            }
            None => {}
        }
    }
    let given = given.filter(|path| !path.is_empty())?;
    match (given.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Some(PathBuf::from(home).join(rest)),
        _ => Some(PathBuf::from(given)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<OsString> {
        line.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn a_typed_start_matches_with_or_without_the_kind_prefix() {
        let id = "session_1796_abc";
        for typed in ["", "session_", "session_17", "1796", "1796_a"] {
            assert!(is_start_of(typed, id, "session_"), "{typed}");
        }
        for typed in ["1797", "mem_", "abc", "session_1796_abcd"] {
            assert!(!is_start_of(typed, id, "session_"), "{typed}");
        }
    }

    #[test]
    fn the_socket_is_the_last_given_on_the_command_line() {
        assert_eq!(
            socket_given(&words("wundr orchestrator session show ")),
            None
        );
        assert_eq!(
            socket_given(&words(
                "wundr --socket /a orchestrator --socket=/b session show x"
            )),
            Some(PathBuf::from("/b"))
        );
        assert_eq!(
            socket_given(&words("wundr --socket /a session send x -- --socket /c")),
            Some(PathBuf::from("/a"))
        );
        // Still being typed: no value yet.
        assert_eq!(socket_given(&words("wundr --socket")), None);
    }

    #[test]
    fn help_is_one_short_line() {
        assert_eq!(help_text("running: fix it\nand more"), "running: fix it");
        let long = "x".repeat(100);
        assert_eq!(help_text(&long).chars().count(), HELP_CHARS);
        assert!(help_text(&long).ends_with('…'));
    }

    #[test]
    fn every_shell_of_wundr_completions_registers() {
        for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
            let script = String::from_utf8(registration_script(shell).unwrap()).unwrap();
            assert!(script.contains(REGISTRATION_VAR), "{shell}: {script}");
        }
        assert!(registration_script("tcsh").is_none());
        let zsh = String::from_utf8(registration_script("zsh").unwrap()).unwrap();
        assert!(zsh.ends_with(ZSH_FIRST_TAB), "{zsh}");
    }
}
