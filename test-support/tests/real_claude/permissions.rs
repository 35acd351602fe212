//! `--permission-prompt-tool stdio`: a tool Claude Code would ask about becomes a
//! `control_request` (`can_use_tool`) on stdout, and the CLI waits for the answer on stdin.
//! Allow runs the tool, deny gives the model an error `tool_result` with the message, and an
//! `AskUserQuestion` allowed with `answers` gives the model those answers.

use std::path::Path;

use serde_json::{Value, json};
use wundr_test_support::claude::ClaudeProcess;
use wundr_test_support::{Reply, Script};

use crate::lab::{Lab, PATIENCE, finish, read};

const PROMPT: [&str; 2] = ["--permission-prompt-tool", "stdio"];

fn write_new_file(work: &Path) -> Value {
    json!({"file_path": work.join("new.txt"), "content": "hi\n"})
}

/// A lab whose model writes `new.txt`, with the CLI asked to write it and its question out.
fn asked_to_write() -> Option<(Lab, ClaudeProcess, Value)> {
    let lab = Lab::scripted_for(|work| {
        Script::new([
            Reply::tool_use("Write", write_new_file(work)),
            Reply::text("done"),
        ])
    })?;
    let mut cli = lab.start(&PROMPT);
    cli.send_user("create new.txt");
    let request = can_use_tool(&mut cli);
    Some((lab, cli, request))
}

fn can_use_tool(cli: &mut ClaudeProcess) -> Value {
    cli.wait_for(PATIENCE, |e| {
        e["type"] == "control_request" && e["request"]["subtype"] == "can_use_tool"
    })
}

fn request_id(control_request: &Value) -> String {
    control_request["request_id"]
        .as_str()
        .expect("a control_request has a request_id")
        .to_owned()
}

#[test]
fn a_write_waits_for_permission_and_runs_when_allowed() {
    let Some((lab, mut cli, asked)) = asked_to_write() else {
        return;
    };
    let input = write_new_file(&lab.work());
    assert_eq!(asked["request"]["tool_name"], "Write", "{asked}");
    assert_eq!(asked["request"]["display_name"], "Write", "{asked}");
    assert_eq!(asked["request"]["description"], "new.txt", "{asked}");
    assert_eq!(asked["request"]["input"], input, "{asked}");
    assert_eq!(
        asked["request"]["permission_suggestions"],
        json!([{"type": "setMode", "mode": "acceptEdits", "destination": "session"}]),
        "{asked}"
    );
    let served = &lab.server.served()[0].content[0];
    let wundr_test_support::Block::ToolUse { id: Some(id), .. } = served else {
        panic!("a tool call was served: {served:?}")
    };
    assert_eq!(asked["request"]["tool_use_id"], id.as_str());
    assert_eq!(
        read(&lab.work().join("new.txt")),
        None,
        "nothing before the answer"
    );
    assert_eq!(
        lab.server.requests().len(),
        1,
        "the CLI waits for the answer"
    );

    cli.answer(
        &request_id(&asked),
        json!({"behavior": "allow", "updatedInput": input}),
    );
    let result = cli.wait_for_type(PATIENCE, "result");
    assert_eq!(result["is_error"], false, "{result}");
    assert_eq!(read(&lab.work().join("new.txt")).as_deref(), Some("hi\n"));
    let tool_result = lab.server.requests()[1].last_tool_result().unwrap();
    assert!(!tool_result.is_error, "{tool_result:?}");
    let created = format!(
        "File created successfully at: {}",
        input["file_path"].as_str().unwrap()
    );
    assert!(tool_result.content.starts_with(&created), "{tool_result:?}");
    lab.capture("permission-stdio-allow", &cli);
    finish(cli);
}

#[test]
fn a_denied_write_gives_the_model_the_message_as_an_error_result() {
    let Some((lab, mut cli, asked)) = asked_to_write() else {
        return;
    };
    let why = "the charter forbids new files here";
    cli.answer(
        &request_id(&asked),
        json!({"behavior": "deny", "message": why}),
    );
    let result = cli.wait_for_type(PATIENCE, "result");
    assert_eq!(read(&lab.work().join("new.txt")), None);
    let requests = lab.server.requests();
    assert_eq!(
        requests.len(),
        2,
        "the model was called again with the denial"
    );
    let tool_result = requests[1].last_tool_result().unwrap();
    assert!(tool_result.is_error, "{tool_result:?}");
    assert_eq!(
        tool_result.content, why,
        "the model gets the message as it was sent"
    );
    assert_eq!(
        result["is_error"], false,
        "a denial does not fail the turn: {result}"
    );
    assert_eq!(
        result["permission_denials"][0]["tool_name"], "Write",
        "{result}"
    );
    assert_eq!(
        result["permission_denials"][0]["tool_use_id"],
        asked["request"]["tool_use_id"]
    );
    lab.capture("permission-stdio-deny", &cli);
    finish(cli);
}

#[test]
fn an_answered_question_reaches_the_model() {
    let question = "Which color should the button be?";
    let input = json!({"questions": [{
        "question": question,
        "header": "Color",
        "options": [
            {"label": "Red", "description": "warm"},
            {"label": "Blue", "description": "cool"}
        ],
        "multiSelect": false
    }]});
    let Some(lab) = Lab::new(Script::new([
        Reply::tool_use("AskUserQuestion", input.clone()),
        Reply::text("Blue it is."),
    ])) else {
        return;
    };
    let mut cli = lab.start(&PROMPT);
    cli.send_user("make a button");
    let asked = can_use_tool(&mut cli);
    assert_eq!(asked["request"]["tool_name"], "AskUserQuestion", "{asked}");
    assert_eq!(asked["request"]["input"], input, "{asked}");
    assert_eq!(
        asked["request"]["requires_user_interaction"], true,
        "{asked}"
    );
    assert!(
        lab.server.requests()[0]
            .tool_names()
            .contains(&"AskUserQuestion".to_owned()),
        "the stdio prompt offers AskUserQuestion"
    );

    let mut answered = input.clone();
    answered["answers"] = json!({question: "Blue"});
    cli.answer(
        &request_id(&asked),
        json!({"behavior": "allow", "updatedInput": answered}),
    );
    let result = cli.wait_for_type(PATIENCE, "result");
    assert_eq!(result["is_error"], false, "{result}");
    let tool_result = lab.server.requests()[1].last_tool_result().unwrap();
    assert!(!tool_result.is_error, "{tool_result:?}");
    assert_eq!(
        tool_result.content,
        format!(
            "Your questions have been answered: \"{question}\"=\"Blue\". \
             You can now continue with these answers in mind."
        )
    );
    lab.capture("ask-user-question-answered", &cli);
    finish(cli);
}

/// Closing stdin is no way to say no: a pending question is cancelled and fails the turn.
#[test]
fn a_question_pending_when_stdin_closes_is_cancelled_and_fails_the_turn() {
    let input = json!({"questions": [{
        "question": "Go on?", "header": "Go",
        "options": [{"label": "Yes", "description": "go"}, {"label": "No", "description": "stop"}],
        "multiSelect": false
    }]});
    let Some(lab) = Lab::new(Script::new([Reply::tool_use("AskUserQuestion", input)])) else {
        return;
    };
    let mut cli = lab.start(&PROMPT);
    cli.send_user("ask me");
    let asked = can_use_tool(&mut cli);
    cli.close_stdin();
    let cancel = cli.wait_for_type(PATIENCE, "control_cancel_request");
    assert_eq!(cancel["request_id"], asked["request_id"], "{cancel}");
    let result = cli.wait_for_type(PATIENCE, "result");
    assert_eq!(result["is_error"], true, "{result}");
    assert_eq!(result["subtype"], "error_during_execution", "{result}");
    assert_eq!(result["terminal_reason"], "aborted_tools", "{result}");
    let status = cli.wait_exit(PATIENCE).expect("claude exits");
    assert_eq!(status.code(), Some(1));
    assert_eq!(
        lab.server.requests().len(),
        1,
        "the model is not called again"
    );
    lab.capture("ask-user-question-stdin-closed", &cli);
}

/// A tool waiting for permission when stdin closes fails with an error result, and the turn
/// goes on: the model is called again.
#[test]
fn a_write_pending_when_stdin_closes_fails_and_the_turn_goes_on() {
    let Some((lab, mut cli, _asked)) = asked_to_write() else {
        return;
    };
    cli.close_stdin();
    let result = cli.wait_for_type(PATIENCE, "result");
    assert_eq!(result["is_error"], false, "{result}");
    let status = cli.wait_exit(PATIENCE).expect("claude exits");
    assert!(status.success(), "{status}");
    assert_eq!(read(&lab.work().join("new.txt")), None);
    let requests = lab.server.requests();
    assert_eq!(requests.len(), 2, "the model hears of the failure");
    let tool_result = requests[1].last_tool_result().unwrap();
    assert!(tool_result.is_error);
    assert_eq!(
        tool_result.content,
        "Tool permission request failed: AbortError: Tool permission stream closed before response received"
    );
}
