//! The baseline without a daemon: [`direct_session`] runs the same CLI on the same script,
//! driven straight from this process (`ClaudeProcess`), no hooks, no charter, no audit, every
//! `control_request` allowed the moment it is read. Its answer-to-result time is the CLI's
//! own share of the daemon's figure.

use std::time::{Duration, Instant};

use serde_json::json;
use wundr_test_support::claude::{ClaudeProcess, claude_command};

use crate::common::TestHome;
use crate::common::scripted::{PATIENCE, ScriptedAgents};
use crate::relay::monotonic_ns;
use crate::{CALLS, writes};

/// The CLI's stream-json session with the stdio permission prompt, answered here: the wall
/// time from start to exit and each answer-to-result time (ns).
pub fn direct_session() -> (Duration, Vec<u64>) {
    let home = TestHome::new();
    let agents = ScriptedAgents::new(&home, writes).expect("the real CLI (checked before)");
    let mut command = claude_command(&agents.claude, home.path(), &agents.work, &agents.server);
    command.args(["--permission-prompt-tool", "stdio"]);
    let began = Instant::now();
    let mut cli = ClaudeProcess::spawn(command, &home.path().join("claude.stderr")).unwrap();
    cli.send_user("write the files");
    let mut answered_to_ran = Vec::new();
    for _ in 0..CALLS {
        let asked = cli.wait_for(PATIENCE, |e| e["type"] == "control_request");
        let answered = monotonic_ns();
        cli.answer(
            asked["request_id"].as_str().unwrap(),
            json!({"behavior": "allow", "updatedInput": asked["request"]["input"]}),
        );
        cli.wait_for(PATIENCE, |e| {
            e["type"] == "user" && e["message"]["content"][0]["type"] == "tool_result"
        });
        answered_to_ran.push(monotonic_ns() - answered);
    }
    cli.wait_for_type(PATIENCE, "result");
    cli.close_stdin();
    let exit = cli
        .wait_exit(PATIENCE)
        .expect("the CLI exits once stdin closes");
    assert!(exit.success(), "{exit}");
    let wall = began.elapsed();
    for i in 0..CALLS {
        assert!(agents.work.join(format!("f{i}.txt")).is_file());
    }
    (wall, answered_to_ran)
}
