//! The `run_tests` category ("Run test suites"): [`run_tests`] matches a test runner
//! ([`is_test_run`]) and, in a command line that runs one, the harmless parts people chain
//! around it ([`harmless_beside_tests`]): `cd x && pytest`, `python3 -m pytest -q || true`,
//! `cargo test 2>&1 | tail -n 30`.
//!
//! "Harmless" means: it changes nothing outside the shell running the line and reads no file,
//! so approving it with the tests approves nothing a test run would not already do. Concretely:
//! `cd`/`pushd`/`popd`/`pwd`, `true`/`false`/`:`/`exit`/`sleep`, `echo`/`printf` of text with
//! no `$` (a variable could be a secret), `set` and `export` with arguments (alone they print
//! every variable), and filters of the test output that read no file: `head`, `tail`, `sort`,
//! `uniq`, `wc`, `cat` with no file argument (numbers only, as in `tail -n 30`), `tr`, and
//! `grep`/`egrep`/`fgrep` with one pattern and no `-f`/`-r` (not `rg`, which searches the
//! directory when given no file). Never one that writes a file
//! (`> out.txt`) or runs under `sudo`/`doas`. A companion counts only beside a real test run,
//! so on the deny side ("any command matches") it changes nothing: a line with a test run
//! already matched through the runner, and a line without one gains no match.

use super::m::positionals;
use crate::pattern::{Arg, canonical_args};
use crate::shell::SimpleCommand;

/// One normalised command of a line that runs tests, or is harmless beside one.
pub fn run_tests(c: &SimpleCommand) -> bool {
    is_test_run(c) || (harmless_beside_tests(c) && c.line.iter().any(is_test_run))
}

/// Programs that are test runners whatever their arguments.
fn is_runner_program(program: &str) -> bool {
    matches!(
        program,
        "pytest"
            | "py.test"
            | "jest"
            | "vitest"
            | "mocha"
            | "ava"
            | "tox"
            | "nox"
            | "ctest"
            | "rspec"
            | "phpunit"
            | "nosetests"
            | "nose2"
            | "karma"
            | "cucumber"
            | "cucumber-js"
            | "behave"
    )
}

/// `python`, `python3`, `python3.12`.
fn is_python(program: &str) -> bool {
    program
        .strip_prefix("python")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The command that `bundle exec X …` / `poetry run X …` runs, as its own command.
fn inner_command(c: &SimpleCommand, verb: &str) -> Option<SimpleCommand> {
    let at = c.args.iter().position(|a| a == verb)?;
    let rest = &c.args[at + 1..];
    let program_at = rest.iter().position(|a| !a.starts_with('-'))?;
    let program = &rest[program_at];
    Some(SimpleCommand {
        program: program.rsplit('/').next().unwrap_or(program).to_owned(),
        args: rest[program_at + 1..].to_vec(),
        ..SimpleCommand::default()
    })
}

/// A test runner: `cargo test`, `npm test`, `pytest`, `python -m pytest`, `go test ./...`,
/// `make test`, `bundle exec rspec`, `poetry run pytest`, …
pub fn is_test_run(c: &SimpleCommand) -> bool {
    let pos = positionals(c);
    let first = pos.first().map(String::as_str).unwrap_or_default();
    let second = pos.get(1).map(String::as_str).unwrap_or_default();
    match c.program.as_str() {
        "cargo" => matches!(first, "test" | "nextest"),
        "npm" | "yarn" | "pnpm" | "bun" => {
            matches!(first, "test" | "t")
                || (first == "run" && second.starts_with("test"))
                || (matches!(first, "exec" | "dlx" | "x") && is_runner_program(second))
                // `yarn jest`, `pnpm vitest`: a package binary run directly (npm has no such form).
                || (c.program != "npm" && is_runner_program(first))
        }
        "npx" | "pnpx" | "bunx" => {
            is_runner_program(first) || (first == "playwright" && second == "test")
        }
        "go" | "make" | "mvn" | "gradle" | "gradlew" | "deno" | "dotnet" | "mix" | "swift"
        | "sbt" | "lein" | "stack" | "cabal" | "bazel" | "bazelisk" | "meson" | "rails"
        | "playwright" => first == "test",
        "rake" => matches!(first, "test" | "spec"),
        "zig" => first == "build" && second == "test",
        "php" => first == "artisan" && second == "test",
        "bundle" => inner_command(c, "exec").is_some_and(|inner| is_test_run(&inner)),
        "poetry" | "uv" | "pipenv" | "pdm" | "rye" | "hatch" => {
            inner_command(c, "run").is_some_and(|inner| is_test_run(&inner))
        }
        p if is_python(p) => c
            .args
            .windows(2)
            .any(|w| w[0] == "-m" && matches!(w[1].as_str(), "pytest" | "unittest" | "nose2")),
        p => is_runner_program(p),
    }
}

/// A command that may stand beside a test run (see the module doc for what and why).
pub fn harmless_beside_tests(c: &SimpleCommand) -> bool {
    if c.writes_file || !c.wrappers.is_empty() {
        return false;
    }
    let pos = positionals(c);
    let has_flag = |names: &[&str]| {
        canonical_args(&c.program, &c.args)
            .iter()
            .any(|a| matches!(a, Arg::Flag(f) if names.contains(&f.as_str())))
    };
    match c.program.as_str() {
        "cd" | "pushd" | "popd" | "pwd" | "true" | "false" | ":" | "exit" | "sleep" => true,
        "echo" | "printf" => !c.args.iter().any(|a| a.contains('$')),
        "set" => {
            !c.args.is_empty()
                && c.args
                    .iter()
                    .all(|a| a.starts_with(['-', '+']) || a == "pipefail")
        }
        "export" => !c.args.is_empty() && c.args.iter().all(|a| is_assignment(a)),
        "head" | "tail" | "sort" | "uniq" | "wc" | "cat" => pos
            .iter()
            .all(|p| p.trim_start_matches('+').parse::<u64>().is_ok()),
        "tr" => true,
        "grep" | "egrep" | "fgrep" => {
            pos.len() <= 1
                && !has_flag(&[
                    "-f",
                    "-r",
                    "-R",
                    "-d",
                    "--file",
                    "--recursive",
                    "--dereference-recursive",
                    "--directories",
                ])
        }
        _ => false,
    }
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, value)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !value.contains('$')
    })
}

#[cfg(test)]
mod tests;
