//! `fixture-agent`: a stand-in for `claude -p --input-format stream-json --output-format
//! stream-json --verbose`, for the daemon's tests (no network, no login, deterministic).
//!
//! Reads user turns from stdin as `{"type":"user","message":{"role":"user","content":"..."}}`
//! lines (or takes one prompt as a positional argument, like `claude -p "prompt"`), and answers
//! each with a `system/init` event plus the output of a script. The script is
//! `$FIXTURE_AGENT_SCRIPT` when set, otherwise the prompt; the first matching word picks it:
//!
//! | word            | output                                                                |
//! |-----------------|-----------------------------------------------------------------------|
//! | `replay:<path>` | the lines of a jsonl file (relative to the cwd), verbatim, no own init |
//! | `descendants`   | first starts two `sleep`s (see below), then goes on with the other words |
//! | `flood:<n>`     | n assistant text chunks, then a success result                        |
//! | `ignore-term`   | ignores SIGTERM, then hangs                                           |
//! | `hang`          | hangs after init (stops reading stdin)                                |
//! | `alloc:<n>`     | allocates and touches n MiB after init, then hangs                    |
//! | `crash`         | a text chunk, then exit code 1 before any result                      |
//! | `tool`          | assistant `tool_use` (Bash), user `tool_result`, text, success result |
//! | `fail`          | a result with `is_error: true` ("fixture failure")                    |
//! | `block`         | a prompt blocked by a `UserPromptSubmit` hook, as Claude Code reports |
//! | `until:<path>`  | after init, waits until the file exists, then goes on with the other words |
//! | `ask:<Tool> …`  | asks permission for a tool call on stdout, as `--permission-prompt-tool stdio` does (see `ask`) |
//! | anything else   | a text chunk and a success result `echo: <prompt>`                    |
//!
//! `descendants` is what a Bash tool leaves running: one `sleep 1000` stays in the agent's
//! process group, the other is double-forked into a session of its own (`setsid`, then its
//! parent exits), as a daemonising tool does. Their pids come as the text chunk
//! `descendants <in-group pid> <setsid pid>`.
//!
//! Success results carry usage input 10, output 5, cache creation 2, cache read 100 (the
//! `tool` script: 20/8/0/50) and `duration_ms: 42`. Every turn also writes one line to stderr. The session id is
//! the `--session-id`/`--resume` argument when given. `apiKeySource` is
//! `$FIXTURE_AGENT_API_KEY_SOURCE` or `"none"`. Exits when stdin closes: 1 if a turn failed
//! (as Claude Code does), else 0.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

mod ask;

const MODEL: &str = "fixture-model";
/// Fixed, so the daemon's tests can assert exact results.
const DURATION_MS: u64 = 42;

struct Agent {
    session_id: String,
    cwd: String,
    api_key_source: String,
    any_failed: bool,
    turn: u64,
    /// Stdin's lines: user turns, and the answers to permission prompts.
    input: io::Lines<io::StdinLock<'static>>,
}

fn main() -> ExitCode {
    // As `claude --version` answers, for `wundr orchestrator doctor`.
    if std::env::args().nth(1).as_deref() == Some("--version") {
        println!("0.0.0 (fixture-agent, a Claude Code stand-in)");
        return ExitCode::SUCCESS;
    }
    let (session, prompt) = parse_args(std::env::args().skip(1));
    let mut agent = Agent {
        session_id: session.unwrap_or_else(new_id),
        cwd: std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default(),
        api_key_source: std::env::var("FIXTURE_AGENT_API_KEY_SOURCE")
            .unwrap_or_else(|_| "none".into()),
        any_failed: false,
        turn: 0,
        input: io::stdin().lock().lines(),
    };
    let result = match prompt {
        Some(prompt) => agent.turn(&prompt),
        None => agent.serve_stdin(),
    };
    match result {
        // A closed stdout means nobody listens any more: just leave.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(1),
        Err(err) => {
            eprintln!("fixture-agent: {err}");
            ExitCode::from(2)
        }
        Ok(()) if agent.any_failed => ExitCode::from(1),
        Ok(()) => ExitCode::SUCCESS,
    }
}

/// Returns (session id, positional prompt). Unknown `--flags` are assumed to take a value,
/// like most of Claude Code's.
fn parse_args(args: impl Iterator<Item = String>) -> (Option<String>, Option<String>) {
    const SWITCHES: &[&str] = &[
        "-p",
        "--print",
        "--verbose",
        "--include-hook-events",
        "--include-partial-messages",
        "--replay-user-messages",
        "--dangerously-skip-permissions",
        "-c",
        "--continue",
    ];
    let (mut session, mut prompt) = (None, None);
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "--session-id" || arg == "--resume" || arg == "-r" {
            session = args.next();
        } else if SWITCHES.contains(&arg.as_str()) || arg.contains('=') && arg.starts_with("--") {
        } else if arg.starts_with('-') {
            args.next();
        } else {
            prompt = Some(arg);
        }
    }
    (session, prompt)
}

impl Agent {
    fn serve_stdin(&mut self) -> io::Result<()> {
        // Not a `for` loop: a turn reads stdin too (the answers to permission prompts).
        #[allow(clippy::while_let_on_iterator)] // reason: the loop body borrows `self` again
        while let Some(line) = self.input.next() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let message: Value = serde_json::from_str(&line).map_err(io::Error::other)?;
            self.turn(&prompt_of(&message))?;
        }
        Ok(())
    }

    fn turn(&mut self, prompt: &str) -> io::Result<()> {
        self.turn += 1;
        let script = std::env::var("FIXTURE_AGENT_SCRIPT").unwrap_or_else(|_| prompt.to_owned());
        eprintln!(
            "fixture-agent: turn {} ({} bytes of prompt)",
            self.turn,
            prompt.len()
        );
        let words: Vec<&str> = script.split_whitespace().collect();
        if let Some(path) = words.iter().find_map(|w| w.strip_prefix("replay:")) {
            let text = std::fs::read_to_string(path)?;
            return emit_lines(text.lines());
        }
        if words.contains(&"ignore-term") {
            // Before init, so a supervisor that saw init knows SIGTERM is already ignored.
            ignore_sigterm();
            self.init()?;
            hang();
        }
        self.init()?;
        if words.contains(&"descendants") {
            let (in_group, escaped) = (sleeper_in_group()?, sleeper_in_own_session()?);
            let text = format!("descendants {in_group} {escaped}");
            emit(&self.assistant(json!([{"type":"text","text":text}])))?;
        }
        if let Some(n) = words.iter().find_map(|w| w.strip_prefix("flood:")) {
            let n: u64 = n.parse().map_err(io::Error::other)?;
            let mut out = io::stdout().lock();
            for i in 0..n {
                writeln!(
                    out,
                    "{}",
                    self.assistant(json!([{"type":"text","text":format!("chunk {i}")}]))
                )?;
            }
            drop(out);
            return self.success(&format!("flooded {n}"), usage(10, 5, 2, 100));
        }
        if let Some(n) = words.iter().find_map(|w| w.strip_prefix("alloc:")) {
            let mib: usize = n.parse().map_err(io::Error::other)?;
            // Non-zero bytes, so every page is written and counts in the resident set.
            let held = vec![0x5a_u8; mib << 20];
            std::hint::black_box(&held);
            hang();
        }
        if let Some(path) = words.iter().find_map(|w| w.strip_prefix("until:")) {
            // A test's cue: the session is running (init is out) and acts only once told to.
            while !std::path::Path::new(path).exists() {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        if let Some(at) = words.iter().position(|w| w.starts_with("ask:")) {
            return self.ask(&words[at..]);
        }
        if words.contains(&"hang") {
            hang();
        }
        if words.contains(&"crash") {
            emit(&self.assistant(json!([{"type":"text","text":"about to crash"}])))?;
            std::process::exit(1);
        }
        if words.contains(&"tool") {
            let input = json!({"command":"echo hi","description":"Say hi"});
            emit(&self.assistant(
                json!([{"type":"tool_use","id":"toolu_fixture_1","name":"Bash","input":input}]),
            ))?;
            emit(
                &json!({"type":"user","message":{"role":"user","content":[{"type":"tool_result",
                "tool_use_id":"toolu_fixture_1","content":"hi","is_error":false}]},
                "parent_tool_use_id":null,"session_id":self.session_id,"uuid":new_id()}),
            )?;
            emit(&self.assistant(json!([{"type":"text","text":"The command printed hi."}])))?;
            return self.success("The command printed hi.", usage(20, 8, 0, 50));
        }
        if words.contains(&"fail") {
            self.any_failed = true;
            let result = self.result(true, "fixture failure", 1, usage(0, 0, 0, 0));
            return emit(&result);
        }
        if words.contains(&"block") {
            let reason = "fixture: blocked by hook";
            emit(
                &json!({"type":"system","subtype":"informational","level":"warning",
                "content":format!("UserPromptSubmit operation blocked by hook:\n{reason}\n\nOriginal prompt: {prompt}"),
                "prevent_continuation":true,
                "prompt_submit_outcome":{"kind":"blocked_by_hook","prompt_kept":false,"reason":reason},
                "uuid":new_id(),"session_id":self.session_id}),
            )?;
            let text = format!("UserPromptSubmit operation blocked by hook:\n{reason}");
            let mut result = self.result(false, &text, 0, usage(0, 0, 0, 0));
            // Claude Code reports no stop reason for a turn that never reached the model.
            result["stop_reason"] = Value::Null;
            return emit(&result);
        }
        let text = format!("echo: {prompt}");
        emit(&self.assistant(json!([{"type":"text","text":text}])))?;
        self.success(&text, usage(10, 5, 2, 100))
    }

    fn init(&self) -> io::Result<()> {
        emit(
            &json!({"type":"system","subtype":"init","cwd":self.cwd,"session_id":self.session_id,
            "tools":["Bash","Edit","Read","Write"],"mcp_servers":[],"model":MODEL,
            "permissionMode":"default","apiKeySource":self.api_key_source,
            "claude_code_version":"fixture","output_style":"default","uuid":new_id()}),
        )
    }

    fn assistant(&self, content: Value) -> Value {
        json!({"type":"assistant","message":{"id":new_id(),"type":"message","role":"assistant",
            "model":MODEL,"content":content,"stop_reason":null,"usage":usage(10, 5, 2, 100)},
            "parent_tool_use_id":null,"session_id":self.session_id,"uuid":new_id()})
    }

    fn result(&self, is_error: bool, text: &str, turns: u64, usage: Value) -> Value {
        json!({"type":"result","subtype":"success","is_error":is_error,"duration_ms":DURATION_MS,
            "duration_api_ms":0,"num_turns":turns,"result":text,"stop_reason":"end_turn",
            "session_id":self.session_id,"total_cost_usd":0,"usage":usage,"uuid":new_id()})
    }

    fn success(&self, text: &str, usage: Value) -> io::Result<()> {
        emit(&self.result(false, text, 1, usage))
    }
}

fn prompt_of(message: &Value) -> String {
    match message.pointer("/message/content") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(blocks)) => blocks
            .iter()
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

fn usage(input: u64, output: u64, cache_creation: u64, cache_read: u64) -> Value {
    json!({"input_tokens":input,"output_tokens":output,
        "cache_creation_input_tokens":cache_creation,"cache_read_input_tokens":cache_read})
}

fn emit(event: &Value) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{event}")?;
    out.flush()
}

fn emit_lines<'a>(lines: impl Iterator<Item = &'a str>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.flush()
}

/// A `sleep 1000` child left in this process's group. Never waited for: it is meant to
/// outlive the agent, as a tool's background job does.
fn sleeper_in_group() -> io::Result<u32> {
    let child = std::process::Command::new("sleep")
        .arg("1000")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    Ok(child.id())
}

/// A `sleep 1000` double-forked into its own session: a `sh` that called `setsid` starts it
/// in the background, prints its pid and exits, so it is nobody's child here and in no
/// group of ours.
fn sleeper_in_own_session() -> io::Result<u32> {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new("/bin/sh");
    command
        .args(["-c", "sleep 1000 </dev/null >/dev/null 2>&1 & echo $!"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // SAFETY: runs in the forked child before exec; `setsid` is a single async-signal-safe
    // syscall, and the closure touches no shared state.
    unsafe {
        command.pre_exec(|| nix::unistd::setsid().map(drop).map_err(io::Error::from));
    }
    let output = command.output()?;
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .map_err(io::Error::other)
}

fn ignore_sigterm() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: installing SIG_IGN runs no handler code, so nothing can be async-signal-unsafe;
    // the process is single-threaded here.
    if let Err(err) = unsafe { signal(Signal::SIGTERM, SigHandler::SigIgn) } {
        eprintln!("fixture-agent: cannot ignore SIGTERM: {err}");
    }
}

fn hang() -> ! {
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// A UUID-shaped id, unique enough for a test run; no RNG dependency.
fn new_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        std::process::id(),
        n & 0xffff,
        (nanos >> 12) & 0xfff,
        nanos & 0xfff,
        (nanos >> 24) & 0xffff_ffff_ffff
    )
}
