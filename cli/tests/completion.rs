//! Shell completion of ids, the way the shell runs it: bash sources `wundr completions bash`
//! and calls its completion function, which runs `wundr` back (`WUNDR_COMPLETE=bash wundr --
//! WORDS...`); zsh and fish use the same call-back with other variables. The ids come from a
//! real daemon (sessions of the fixture agent, an approval the real hook waits on, a memory
//! entry); without a daemon, or with one that never answers, there are no candidates and no
//! error.

use crate::common;

use std::process::{Command, Output, Stdio};

use common::{Daemon, Sandbox, bin_dir, stdout, text, wait_for};
use serde_json::Value;

/// The candidates `wundr` offers for the last of `words` (the word being completed), asked
/// with `shell`'s call-back protocol; `extra_env` on top of the sandbox's.
fn candidates(
    sandbox: &Sandbox,
    shell: &str,
    words: &[&str],
    extra_env: &[(&str, &str)],
) -> Vec<String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wundr"));
    sandbox.configure_env(&mut cmd);
    let index = (words.len() - 1).to_string();
    cmd.env("WUNDR_COMPLETE", shell)
        .env("_CLAP_IFS", "\n")
        .env("_CLAP_COMPLETE_INDEX", &index)
        .envs(extra_env.iter().copied())
        .arg("--")
        .args(words)
        .stdin(Stdio::null());
    let output = cmd.output().expect("run wundr");
    assert_silent_success(&output);
    values(&stdout(&output))
}

/// The completion succeeded and said nothing on stderr.
fn assert_silent_success(output: &Output) {
    assert_eq!(output.status.code(), Some(0), "{}", text(output));
    assert_eq!(common::stderr(output), "", "{}", text(output));
}

/// The values among completion lines (fish and zsh add `\thelp` / `:help`), without the
/// flags clap offers beside them.
fn values(lines: &str) -> Vec<String> {
    lines
        .lines()
        .map(|line| {
            line.split(['\t', ':'])
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .filter(|value| !value.is_empty() && !value.starts_with('-'))
        .collect()
}

/// What bash completes for `line` (the last word being typed) with the script of
/// `wundr completions bash` loaded; `wundr` is found on PATH, as in a user's shell.
fn bash_completes(sandbox: &Sandbox, line: &[&str]) -> Vec<String> {
    let words: Vec<String> = line
        .iter()
        .map(|w| shlex::try_quote(w).unwrap().into_owned())
        .collect();
    let current = shlex::try_quote(line[line.len() - 1]).unwrap().into_owned();
    let previous = shlex::try_quote(line[line.len() - 2]).unwrap().into_owned();
    let script = format!(
        "source <(wundr completions bash) || exit 9\n\
         COMP_WORDS=({words})\nCOMP_CWORD={index}\nCOMP_TYPE=9\n\
         _clap_complete_wundr wundr {current} {previous}\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        words = words.join(" "),
        index = line.len() - 1,
    );
    let mut cmd = Command::new("bash");
    sandbox.configure_env(&mut cmd);
    let path = std::env::var("PATH").unwrap_or_default();
    cmd.env("PATH", format!("{}:{path}", bin_dir().display()))
        .args(["--norc", "--noprofile", "-c", &script])
        .stdin(Stdio::null());
    let output = cmd.output().expect("run bash");
    assert_silent_success(&output);
    values(&stdout(&output))
}

/// `session spawn <prompt>`; its id.
fn spawn(daemon: &Daemon, prompt: &str) -> String {
    let output = daemon.run(&["orchestrator", "session", "spawn", prompt]);
    assert_eq!(output.status.code(), Some(0), "spawn: {}", text(&output));
    stdout(&output).trim().to_owned()
}

#[test]
fn session_ids_complete_from_the_running_daemon() {
    let daemon = Sandbox::new(&[]).start_daemon();
    let older = spawn(&daemon, "hello");
    let newer = spawn(&daemon, "hang");
    let socket = daemon.socket();
    let socket = socket.to_str().expect("utf-8");

    // In bash, with the socket given on the command line: newest first.
    let offered = bash_completes(
        &daemon,
        &[
            "wundr",
            "--socket",
            socket,
            "orchestrator",
            "session",
            "show",
            "",
        ],
    );
    assert_eq!(offered, [newer.clone(), older.clone()]);

    // With WUNDR_ORCHESTRATOR_SOCKET (the default path leads nowhere), a typed start of the
    // id without its `session_` part completes to the id.
    // (Both ids start with the same milliseconds: all but the last character.)
    let short = &newer["session_".len()..newer.len() - 1];
    let elsewhere = daemon.path("elsewhere");
    let env = [
        ("WUNDR_ORCHESTRATOR_SOCKET", socket),
        ("XDG_RUNTIME_DIR", elsewhere.to_str().expect("utf-8")),
    ];
    let line = ["wundr", "orchestrator", "session", "stop", short];
    assert_eq!(candidates(&daemon, "bash", &line, &env), [newer.as_str()]);

    // zsh and fish get each id with its status and task as help.
    let line = ["wundr", "orchestrator", "logs", "--session", "session_"];
    let fish = candidates(&daemon, "fish", &line, &[]);
    assert_eq!(fish, [newer.clone(), older.clone()]);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wundr"));
    daemon.configure_env(&mut cmd);
    let output = cmd
        .env("WUNDR_COMPLETE", "zsh")
        .env("_CLAP_IFS", "\n")
        .env("_CLAP_COMPLETE_INDEX", "4")
        .args(["--", "wundr", "orchestrator", "session", "wait", &newer])
        .output()
        .expect("run wundr");
    assert_silent_success(&output);
    let line = stdout(&output);
    assert!(line.contains(":") && line.contains("hang"), "{line}");
}

const CHARTER: &str = "name: completion\nsafetyHeuristics:\n  escalate:\n    - \"terraform apply*\"\napprovalTimeoutSeconds: 60\n";

#[test]
fn pending_approval_and_memory_ids_complete() {
    let dir = tempfile::tempdir().expect("temp dir");
    let charter = dir.path().join("charter.yaml");
    std::fs::write(&charter, CHARTER).expect("charter");
    let daemon =
        Sandbox::new(&[("ORCHESTRATOR_CHARTER", charter.to_str().expect("utf-8"))]).start_daemon();
    let hook = daemon.start_hook("session_completion", "terraform apply");
    let id = wait_for("an approval request", || {
        let output = daemon.run(&["orchestrator", "approval", "list", "--json"]);
        let list: Value = serde_json::from_slice(&output.stdout).ok()?;
        list[0]["id"].as_str().map(str::to_owned)
    });

    let line = ["wundr", "orchestrator", "approval", "approve", ""];
    assert_eq!(bash_completes(&daemon, &line), [id.as_str()]);
    let line = ["wundr", "orchestrator", "approval", "deny", "approval_"];
    assert_eq!(candidates(&daemon, "bash", &line, &[]), [id.as_str()]);
    // It is a tool call, not a question: `answer` does not offer it.
    let line = ["wundr", "orchestrator", "approval", "answer", ""];
    assert_eq!(
        candidates(&daemon, "bash", &line, &[]),
        Vec::<String>::new()
    );

    let output = daemon.run(&["orchestrator", "approval", "deny", &id]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    hook.wait_with_output().expect("the hook ends");

    let output = daemon.run(&[
        "orchestrator",
        "memory",
        "add",
        "--tier",
        "semantic",
        "the build uses nextest",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let added = stdout(&output);
    let memory = added.split(' ').next().expect("`<id> <tier>/<type>`");
    let line = ["wundr", "orchestrator", "memory", "forget", "mem_"];
    assert_eq!(bash_completes(&daemon, &line), [memory.to_owned()]);
}

#[test]
fn without_an_answering_daemon_nothing_is_offered_and_nothing_fails() {
    let sandbox = Sandbox::new(&[]);
    let line = ["wundr", "orchestrator", "session", "show", ""];
    // No daemon: the default socket does not exist.
    assert_eq!(bash_completes(&sandbox, &line), Vec::<String>::new());
    assert_eq!(
        candidates(&sandbox, "fish", &line, &[]),
        Vec::<String>::new()
    );

    // A socket that is listened on but never answered: the completer gives up on its own.
    let socket = sandbox.path("silent.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    let env = [("WUNDR_ORCHESTRATOR_SOCKET", socket.to_str().expect("utf-8"))];
    let line = ["wundr", "orchestrator", "approval", "approve", ""];
    assert_eq!(
        candidates(&sandbox, "zsh", &line, &env),
        Vec::<String>::new()
    );

    // Subcommands still complete without a daemon.
    let line = ["wundr", "orchestrator", "sess"];
    assert_eq!(candidates(&sandbox, "bash", &line, &[]), ["session"]);
}
