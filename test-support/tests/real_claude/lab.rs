//! [`Lab`]: a temp HOME and work dir, a [`ModelServer`] with a script, and the real CLI
//! started in it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use wundr_test_support::claude::{ClaudeProcess, claude_command, real_claude};
use wundr_test_support::{ModelServer, Script, Usage};

/// How long any one awaited event may take; generous for a busy 2-core machine.
pub const PATIENCE: Duration = Duration::from_secs(90);

pub struct Lab {
    pub claude: PathBuf,
    pub server: ModelServer,
    dir: tempfile::TempDir,
}

impl Lab {
    /// `None` (after a loud SKIPPED line) when the real CLI cannot be had here.
    pub fn new(script: Script) -> Option<Self> {
        Self::scripted_for(|_| script)
    }

    /// A lab whose script names paths in its work dir (Write wants absolute paths).
    pub fn scripted_for(script: impl FnOnce(&Path) -> Script) -> Option<Self> {
        let claude = real_claude()?;
        let dir = tempfile::Builder::new()
            .prefix("wundr-model")
            .tempdir()
            .unwrap();
        std::fs::create_dir(dir.path().join("home")).unwrap();
        std::fs::create_dir(dir.path().join("work")).unwrap();
        let script = script(&dir.path().join("work"));
        Some(Self {
            claude,
            server: ModelServer::start(script),
            dir,
        })
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The CLI's working directory, where its tools write.
    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// `claude -p` in stream-json mode with `args` added.
    pub fn start(&self, args: &[&str]) -> ClaudeProcess {
        let mut command = claude_command(&self.claude, &self.home(), &self.work(), &self.server);
        command.args(args);
        ClaudeProcess::spawn(command, &self.dir.path().join("claude.stderr")).unwrap()
    }

    /// With `WUNDR_CAPTURE_DIR` set, writes what `cli` printed to `<name>.stream.jsonl` and
    /// what the test wrote to its stdin to `<name>.stdin.jsonl` there, the lab's paths
    /// rewritten to `/home/dev/...` (how the fixtures in `daemon/tests/fixtures/claude/` were
    /// made).
    pub fn capture(&self, name: &str, cli: &ClaudeProcess) {
        let Some(dir) = std::env::var_os("WUNDR_CAPTURE_DIR") else {
            return;
        };
        let lab = self.dir.path().display().to_string();
        let work = self.work().display().to_string();
        let rewrite = |lines: &[String]| {
            let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
            text.replace(&work, "/home/dev/project")
                .replace(&work.replace('/', "-"), "-home-dev-project")
                .replace(&lab, "/home/dev/lab")
        };
        let dir = PathBuf::from(dir);
        std::fs::write(
            dir.join(format!("{name}.stream.jsonl")),
            rewrite(&cli.output),
        )
        .unwrap();
        std::fs::write(dir.join(format!("{name}.stdin.jsonl")), rewrite(&cli.input)).unwrap();
    }
}

/// The usage of a `result` event, in the server's terms.
pub fn result_usage(result: &Value) -> Usage {
    let usage = &result["usage"];
    let field = |name: &str| {
        usage[name]
            .as_u64()
            .unwrap_or_else(|| panic!("result.usage.{name} is missing: {result}"))
    };
    Usage {
        input_tokens: field("input_tokens"),
        output_tokens: field("output_tokens"),
        cache_creation_input_tokens: field("cache_creation_input_tokens"),
        cache_read_input_tokens: field("cache_read_input_tokens"),
    }
}

/// Closes stdin and waits for a clean exit.
pub fn finish(mut cli: ClaudeProcess) {
    cli.close_stdin();
    let status = cli
        .wait_exit(PATIENCE)
        .expect("claude exits once stdin closes");
    assert!(status.success(), "claude exited with {status}");
}

pub fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}
