//! The `scripted-model` binary with the example script a new user starts from: the real CLI
//! runs the script's tool call against it; a broken script is refused with its reason.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// The example in the crate's README walkthrough.
fn example_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/write-a-file.json")
}

/// A child killed and reaped even when an assertion fails first.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_serves_the_example_script_to_the_real_cli() {
    let Some(claude) = wundr_test_support::claude::real_claude() else {
        return;
    };
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_scripted-model"))
            .arg(example_script())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut first_line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let url = first_line
        .trim()
        .strip_prefix("ANTHROPIC_BASE_URL=")
        .unwrap_or_else(|| panic!("the first line names the URL: {first_line:?}"))
        .to_owned();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(&claude)
        .args(["-p", "write the file", "--allowedTools", "Bash"])
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env("TMPDIR", dir.path())
        .env_remove("CLAUDECODE")
        .env("ANTHROPIC_BASE_URL", &url)
        .env("ANTHROPIC_API_KEY", "test")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("CLAUDE_CODE_MAX_RETRIES", "0")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("hello.txt")).unwrap(),
        "hello from the scripted model\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Wrote hello.txt."
    );

    kill(Pid::from_raw(server.0.id() as i32), Signal::SIGTERM).unwrap();
    let status = server.0.wait().unwrap();
    assert!(status.success(), "SIGTERM stops it cleanly: {status}");
    let mut log = String::new();
    std::io::Read::read_to_string(&mut server.0.stderr.take().unwrap(), &mut log).unwrap();
    assert!(
        log.contains("call 1: 2 block(s), stop_reason tool_use"),
        "{log}"
    );
    assert!(log.contains("stopping after 2 call(s)"), "{log}");
}

#[test]
fn a_broken_script_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("bad.json");
    std::fs::write(&script, r#"{"replies": [{"text": "hi"}]}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scripted-model"))
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.json is not a valid script")
            && stderr.contains("unknown field `text`"),
        "{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "no URL for a script that cannot be served"
    );
}
