//! One-process tool loops: the CLI runs the tool the script asks for, sends its result back,
//! and reports exactly the usage the server sent; an API error ends the turn at once.

use serde_json::json;
use wundr_test_support::{Block, Reply, Script, Usage};

use crate::lab::{Lab, PATIENCE, finish, read, result_usage};

#[test]
fn a_bash_call_runs_and_its_result_goes_back_to_the_model() {
    let first = Usage {
        input_tokens: 1_000,
        output_tokens: 40,
        cache_creation_input_tokens: 2_000,
        cache_read_input_tokens: 3_000,
    };
    let second = Usage {
        input_tokens: 1_100,
        output_tokens: 7,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 5_000,
    };
    let Some(lab) = Lab::new(Script::new([
        Reply::tool_use("Bash", json!({"command": "echo hi > out.txt"})).with_usage(first),
        Reply::text("Wrote out.txt.").with_usage(second),
    ])) else {
        return;
    };
    let mut cli = lab.start(&["--allowedTools", "Bash"]);
    cli.send_user("write hi into out.txt");
    let result = cli.wait_for_type(PATIENCE, "result");

    assert_eq!(read(&lab.work().join("out.txt")).as_deref(), Some("hi\n"));
    assert_eq!(result["is_error"], false, "{result}");
    assert_eq!(result["result"], "Wrote out.txt.");
    let requests = lab.server.requests();
    assert_eq!(requests.len(), 2, "one call per reply");
    let prompt = requests[0].user_texts().pop();
    assert_eq!(
        prompt.as_deref(),
        Some("write hi into out.txt"),
        "the prompt comes last"
    );
    let Block::ToolUse { id: Some(id), .. } = &lab.server.served()[0].content[0] else {
        panic!("the first reply was a tool call with an id")
    };
    let tool_result = requests[1]
        .last_tool_result()
        .expect("a tool_result came back");
    assert_eq!(&tool_result.tool_use_id, id);
    assert!(!tool_result.is_error, "{tool_result:?}");
    assert_eq!(tool_result.content, "(Bash completed with no output)");
    assert_eq!(result_usage(&result), first + second);
    assert_eq!(lab.server.usage_sent(), first + second);
    assert_eq!(
        lab.server.other_requests(),
        Vec::<String>::new(),
        "with nonessential traffic off, only model calls reach the server"
    );
    finish(cli);
}

#[test]
fn an_api_error_fails_the_turn_at_once_without_retries() {
    let Some(lab) = Lab::new(Script::new([Reply::http_error(
        529,
        "overloaded_error",
        "Overloaded",
    )])) else {
        return;
    };
    let mut cli = lab.start(&[]);
    cli.send_user("hello");
    let result = cli.wait_for_type(PATIENCE, "result");
    assert_eq!(result["is_error"], true, "{result}");
    assert_eq!(result["terminal_reason"], "api_error", "{result}");
    assert_eq!(lab.server.requests().len(), 1, "no retry: {result}");
    assert_eq!(result_usage(&result), Usage::default());
    cli.close_stdin();
    assert!(cli.wait_exit(PATIENCE).is_some());
}
