//! Keeps README.md's `wundr` commands true to [`super::Cli`]: every command in a shell block
//! and every `wundr …` code span (the CLI table, the prose) must parse. Renaming a flag or a
//! subcommand without fixing the README fails here, not in a newcomer's terminal.
//!
//! Two shapes are read:
//! - shell lines (```` ```bash ```` blocks, and the `$ ` lines of ```` ```console ```` ones):
//!   real command lines, split like a shell would
//!   ([`shlex`]), `$VAR`s replaced by a sample value, then parsed whole;
//! - usage spans (`` `wundr orchestrator stop [-t SECS] [-f]` ``): parsed twice, without and
//!   with every `[optional]` part, each placeholder (`SECS`) replaced by a sample value and
//!   each `a|b` alternative tried; `session spawn/list/…` names subcommands that must exist.

use std::path::Path;

use clap::{CommandFactory, Parser};

use super::Cli;

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A sample value for a placeholder, by the flag before it or its own name.
fn sample(placeholder: &str, flag: Option<&str>) -> String {
    let value = match (flag, placeholder.trim_matches(['<', '>'])) {
        (Some("--tier"), _) => "semantic",
        (Some("--type"), _) => "knowledge",
        (Some("--status"), _) => "running",
        (_, "PORT" | "N" | "SECS") => "5",
        (_, "H") => "127.0.0.1",
        (_, "JSON") => "{}",
        (_, "ID") => "session_1",
        (_, "EVENT" | "event") => "SessionStart",
        (_, "FILE") => "charter.yaml",
        (_, other) => other,
    };
    value.to_owned()
}

fn is_placeholder(token: &str) -> bool {
    let bare = token.trim_matches(['<', '>']);
    (token.starts_with('<') && token.ends_with('>'))
        || (!bare.is_empty() && bare.chars().all(|c| c.is_ascii_uppercase()))
}

/// The argument vectors a usage span stands for (see the module doc).
fn usage_variants(span: &str) -> Vec<Vec<String>> {
    let span = span.replace("\\|", "|");
    let mut variants = Vec::new();
    for keep_optional in [false, true] {
        let mut argvs: Vec<Vec<String>> = vec![Vec::new()];
        let mut depth = 0usize;
        let mut previous: Option<String> = None;
        for raw in span.split_whitespace() {
            let opens = raw.matches('[').count();
            let closes = raw.matches(']').count();
            let inside = depth + opens > 0;
            depth = (depth + opens).saturating_sub(closes);
            let token = raw.trim_matches(['[', ']']);
            if inside && !keep_optional {
                continue;
            }
            let alternatives: Vec<String> = token
                .split('|')
                .map(|t| {
                    if is_placeholder(t) {
                        sample(t, previous.as_deref())
                    } else {
                        t.to_owned()
                    }
                })
                .collect();
            argvs = argvs
                .iter()
                .flat_map(|argv| {
                    alternatives.iter().map(move |alt| {
                        let mut next = argv.clone();
                        next.push(alt.clone());
                        next
                    })
                })
                .collect();
            previous = Some(token.to_owned());
        }
        variants.extend(argvs);
    }
    // The two passes give the same vectors for a span without `[optional]` parts.
    variants.sort();
    variants.dedup();
    variants
}

/// Checks that `a/b/c` in a subcommand position names subcommands of the command before it.
fn check_slash_alternatives(argv: &[String]) -> Option<Result<(), String>> {
    // Only among the leading subcommand words: a path argument may contain '/' too.
    let index = argv
        .iter()
        .position(|t| t.starts_with('-') || t.contains('/'))
        .filter(|&i| argv[i].chars().all(|c| c.is_ascii_lowercase() || c == '/'))?;
    let root = Cli::command();
    let mut command = &root;
    for name in &argv[1..index] {
        match command.find_subcommand(name) {
            Some(sub) => command = sub,
            None => return Some(Err(format!("no subcommand {name:?}"))),
        }
    }
    for name in argv[index].split('/') {
        if command.find_subcommand(name).is_none() {
            return Some(Err(format!(
                "`{}` has no subcommand {name:?}",
                command.get_name()
            )));
        }
    }
    Some(Ok(()))
}

fn parse(argv: &[String]) -> Result<(), String> {
    if let Some(result) = check_slash_alternatives(argv) {
        return result;
    }
    Cli::try_parse_from(argv)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// The `wundr` command lines in the README's shell blocks, as argument vectors.
fn shell_commands(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut commands = Vec::new();
    let mut in_fence = false;
    // Inside a shell block's fence: only those hold command lines (`wundrCommand: wundr` in a
    // YAML block is configuration).
    let mut fenced = false;
    // In a ```console block only `$ ` lines are commands; the rest is their output.
    let mut console = false;
    for (number, line) in text.lines().enumerate() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            in_fence = !in_fence;
            let info = info.trim();
            fenced = in_fence && ["bash", "sh", "shell", "console", ""].contains(&info);
            console = fenced && info == "console";
            continue;
        }
        if console && !line.starts_with("$ ") {
            continue;
        }
        let Some(start) = line.find("wundr ").filter(|_| fenced) else {
            continue;
        };
        let Some(words) = shlex::split(&line[start..]) else {
            panic!("README.md:{}: unbalanced quotes", number + 1);
        };
        let argv: Vec<String> = words
            .into_iter()
            .take_while(|w| !w.starts_with('#') && !["&&", "|", ";"].contains(&w.as_str()))
            .map(|w| {
                let w = w.trim_end_matches(')').to_owned();
                if w.starts_with('$') {
                    sample("ID", None)
                } else {
                    w
                }
            })
            .collect();
        commands.push((number + 1, argv));
    }
    commands
}

/// The code spans outside shell blocks, with the line each starts on.
fn code_spans(text: &str) -> Vec<(usize, String)> {
    let mut spans = Vec::new();
    let mut fenced = false;
    let mut open: Option<(usize, String)> = None;
    for (number, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        for (index, piece) in line.split('`').enumerate() {
            if index > 0 {
                // A backtick: a span opens or closes here.
                open = match open.take() {
                    Some(span) => {
                        spans.push(span);
                        None
                    }
                    None => Some((number + 1, String::new())),
                };
            }
            if let Some((_, span)) = open.as_mut() {
                span.push_str(piece);
            }
        }
        if let Some((_, span)) = open.as_mut() {
            span.push(' ');
        }
    }
    spans
}

#[test]
fn every_shell_command_in_the_readme_parses() {
    let commands = shell_commands(&readme());
    assert!(commands.len() >= 10, "found only {commands:?}");
    let failures: Vec<String> = commands
        .iter()
        .filter_map(|(line, argv)| {
            parse(argv)
                .err()
                .map(|e| format!("README.md:{line}: {argv:?}\n{e}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_wundr_code_span_in_the_readme_parses() {
    let spans: Vec<(usize, String)> = code_spans(&readme())
        .into_iter()
        .filter(|(_, span)| span.trim_start().starts_with("wundr "))
        .collect();
    assert!(spans.len() >= 20, "found only {spans:?}");
    let mut failures = Vec::new();
    for (line, span) in &spans {
        for argv in usage_variants(span) {
            if let Err(e) = parse(&argv) {
                failures.push(format!("README.md:{line}: `{span}` as {argv:?}\n{e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_checks_catch_a_flag_the_cli_does_not_have() {
    let spans = code_spans("a `wundr orchestrator stop [--grace SECS]` b");
    let argvs = usage_variants(&spans[0].1);
    assert_eq!(argvs.len(), 2, "{argvs:?}");
    assert!(parse(&argvs[0]).is_ok());
    assert!(parse(&argvs[1]).is_err());
    let commands = shell_commands("```bash\nwundr orchestrator session spwan \"$ID\"\n```\n");
    assert!(parse(&commands[0].1).is_err());
    let commands = shell_commands(
        "```console\n$ wundr orchestrator session wat s1\nanswer with: wundr orchestrator x\n```\n",
    );
    assert_eq!(commands.len(), 1, "only the $ line: {commands:?}");
    assert!(parse(&commands[0].1).is_err());
    assert!(
        parse(&[
            "wundr".into(),
            "orchestrator".into(),
            "session".into(),
            "spawn/lst".into()
        ])
        .is_err()
    );
}
