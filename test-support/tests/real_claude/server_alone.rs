//! The server over plain HTTP, no CLI needed (these run where npm is missing too): a used-up
//! script answers "done", other requests get an empty 200 and are noted, a body that is not
//! JSON gets a 400 that says so.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::json;
use wundr_test_support::{ModelServer, Reply, Script};

/// One HTTP/1.1 request; returns (status, body).
fn http(server: &ModelServer, method: &str, target: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.addr(),
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

/// The `data:` payloads of an event stream.
fn events(stream: &str) -> Vec<serde_json::Value> {
    stream
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect()
}

#[test]
fn a_used_up_script_answers_done_and_other_requests_are_noted() {
    let server = ModelServer::start(Script::new([Reply::text("first")]));
    let call =
        json!({"model": "m", "stream": true, "messages": [{"role": "user", "content": "hi"}]});
    let (status, first) = http(&server, "POST", "/v1/messages?beta=true", &call.to_string());
    assert_eq!(status, 200);
    assert_eq!(events(&first)[3]["delta"]["text"], "first", "{first}");
    let (_, second) = http(&server, "POST", "/v1/messages?beta=true", &call.to_string());
    assert_eq!(events(&second)[3]["delta"]["text"], "done", "{second}");
    assert_eq!(
        http(&server, "HEAD", "/api/hello", ""),
        (200, String::new())
    );

    assert_eq!(server.requests().len(), 2);
    assert_eq!(server.requests()[1].user_texts(), ["hi"]);
    assert_eq!(server.other_requests(), ["HEAD /api/hello"]);
    assert_eq!(server.served()[1], Reply::done());
}

#[test]
fn a_body_that_is_not_json_gets_a_400_naming_it() {
    let server = ModelServer::start(Script::new([Reply::text("kept")]));
    let (status, body) = http(&server, "POST", "/v1/messages", "{not json");
    assert_eq!(status, 400);
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"]["type"], "invalid_request_error");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("the request body is not JSON"),
        "{message}"
    );
    assert!(server.requests().is_empty(), "nothing recorded");
    assert!(
        server.served().is_empty(),
        "the script's reply is kept for a good call"
    );
}
