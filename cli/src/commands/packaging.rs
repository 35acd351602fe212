//! The generated files under `packaging/` — man pages (`packaging/man/*.1`, clap_mangen) and
//! shell completions (`packaging/completions/`: clap_complete's registration scripts, which
//! call `wundr` back on every TAB, see [`super::complete_ids`]) — are checked in so that the
//! `.deb` and users without a Rust toolchain get them; these tests fail when they fall behind
//! [`super::Cli`] or clap_complete. Regenerate with:
//!
//! ```sh
//! WUNDR_REGENERATE=1 cargo test -p wundr packaging
//! ```
//!
//! (`orchestrator-daemon.1` is generated the same way by the daemon's own test.)

use std::path::{Path, PathBuf};

use clap::{Command, CommandFactory};
use clap_complete::Shell;

use super::Cli;

fn packaging_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging")
}

/// Every man page: `wundr.1` and one per subcommand (`wundr-orchestrator-start.1`, ...).
fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut command = Cli::command();
    command.build();
    let mut pages = Vec::new();
    collect_pages(&command, "wundr", &mut pages);
    pages
}

fn collect_pages(command: &Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    // clap wants a 'static name (its `string` feature is off); a test can afford the leak.
    let static_name: &'static str = Box::leak(name.to_owned().into_boxed_str());
    let page = command
        .clone()
        .name(static_name)
        .bin_name(name.replace('-', " "));
    let mut text = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut text)
        .expect("render into memory");
    pages.push((format!("{name}.1"), text));
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        collect_pages(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}

/// The completion script for `shell`, as `wundr completions SHELL` prints it.
fn completion(shell: Shell) -> Vec<u8> {
    super::completions::script(shell)
}

/// The completion files the `.deb` installs, by shell.
const COMPLETION_FILES: [(Shell, &str); 3] = [
    (Shell::Bash, "wundr.bash"),
    (Shell::Zsh, "_wundr"),
    (Shell::Fish, "wundr.fish"),
];

/// Compares `expected` with the file at `path`, or writes it when regenerating.
fn check(path: &Path, expected: &[u8], stale: &mut Vec<String>) {
    if std::env::var_os("WUNDR_REGENERATE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, expected).unwrap();
    } else if std::fs::read(path).ok().as_deref() != Some(expected) {
        stale.push(path.display().to_string());
    }
}

#[test]
fn completions_generate_for_every_shell() {
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        let script = String::from_utf8(completion(shell)).unwrap();
        // A registration: the shell calls `wundr` back with the variable set.
        for word in ["wundr", super::complete_ids::REGISTRATION_VAR] {
            assert!(script.contains(word), "{shell}: `{word}` missing");
        }
    }
}

#[test]
fn checked_in_man_pages_and_completions_are_current() {
    let dir = packaging_dir();
    let mut stale = Vec::new();
    let pages = man_pages();
    for (name, text) in &pages {
        let page = String::from_utf8_lossy(text);
        assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{name} is roff");
        assert!(page.contains(".SH NAME"), "{name}");
        check(&dir.join("man").join(name), text, &mut stale);
    }
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    for needed in [
        "wundr.1",
        "wundr-orchestrator-start.1",
        "wundr-orchestrator-service-install.1",
        "wundr-completions.1",
    ] {
        assert!(names.contains(&needed), "{needed} not among {names:?}");
    }
    // A page for a command that no longer exists is stale too.
    for entry in std::fs::read_dir(dir.join("man")).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        if file.starts_with("wundr") && !names.contains(&file.as_str()) {
            stale.push(format!("{file} (no such command)"));
        }
    }
    for (shell, file) in COMPLETION_FILES {
        check(
            &dir.join("completions").join(file),
            &completion(shell),
            &mut stale,
        );
    }
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}\nregenerate: WUNDR_REGENERATE=1 cargo test -p wundr packaging"
    );
}
