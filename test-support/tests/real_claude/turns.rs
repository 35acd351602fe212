//! Conversations: two turns on one open stdin, then a new process with `--resume <id>` whose
//! model call carries every earlier message.

use wundr_test_support::{Reply, Script, Usage};

use crate::lab::{Lab, PATIENCE, finish, result_usage};

#[test]
fn a_resumed_conversation_sends_the_earlier_turns_to_the_model() {
    let Some(lab) = Lab::new(Script::new([
        Reply::text("answer one"),
        Reply::text("answer two"),
        Reply::text("answer three"),
    ])) else {
        return;
    };
    let mut cli = lab.start(&[]);
    cli.send_user("question one");
    let first = cli.wait_for_type(PATIENCE, "result");
    cli.send_user("question two");
    let second = cli.wait_for_type(PATIENCE, "result");
    let session_id = second["session_id"].as_str().unwrap().to_owned();
    assert_eq!(first["session_id"], session_id.as_str());
    assert_eq!(
        result_usage(&second),
        Usage::DEFAULT,
        "each result counts the calls since the previous one"
    );
    finish(cli);

    let mut resumed = lab.start(&["--resume", &session_id]);
    resumed.send_user("question three");
    let third = resumed.wait_for_type(PATIENCE, "result");
    assert_eq!(third["result"], "answer three", "{third}");
    let requests = lab.server.requests();
    assert_eq!(requests.len(), 3);
    let seen = &requests[2];
    let users = seen.user_texts();
    let asked: Vec<&String> = users.iter().filter(|t| t.starts_with("question")).collect();
    assert_eq!(
        asked,
        ["question one", "question two", "question three"],
        "{users:#?}"
    );
    assert_eq!(seen.assistant_texts(), ["answer one", "answer two"]);
    assert_eq!(
        third["session_id"],
        session_id.as_str(),
        "the same session goes on"
    );
    assert_eq!(
        result_usage(&third),
        Usage::DEFAULT,
        "this process's one call"
    );
    assert_eq!(
        third["modelUsage"]["claude-opus-5-5"]["inputTokens"],
        3 * Usage::DEFAULT.input_tokens,
        "modelUsage counts the whole conversation, earlier processes too: {third}"
    );
    finish(resumed);
}
