//! Malformed WebSocket frames fail the connection the way RFC 6455 (§7.1.7) says: the client
//! gets a close frame — 1002 for a protocol error (reserved opcode, reserved bits, an unmasked
//! client frame), 1007 for a text frame that is not UTF-8 — before the TCP close. A raw TCP
//! client, since a WebSocket library will not send such frames.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::TestHome;
use crate::common::sessions::{agent_config, fixture_agent, start};

const WAIT: Duration = Duration::from_secs(20);

/// A client frame: `first` is FIN, RSV and opcode; masked with a fixed key unless `masked`
/// is false.
fn frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    assert!(payload.len() < 126);
    let key = [0x11, 0x22, 0x33, 0x44];
    let mut out = vec![first, payload.len() as u8 | if masked { 0x80 } else { 0 }];
    if masked {
        out.extend_from_slice(&key);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// One server frame: (opcode, payload).
async fn read_frame(stream: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut head = [0u8; 2];
    stream.read_exact(&mut head).await.ok()?;
    let len = match head[1] & 0x7f {
        126 => u64::from(stream.read_u16().await.ok()?),
        127 => stream.read_u64().await.ok()?,
        n => u64::from(n),
    };
    let mut payload = vec![0u8; usize::try_from(len).ok()?];
    stream.read_exact(&mut payload).await.ok()?;
    Some((head[0] & 0x0f, payload))
}

/// Upgrades a raw connection and reads the connect ack.
async fn upgraded(port: u16) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let request = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(stream.read_u8().await.unwrap());
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    let (opcode, ack) = read_frame(&mut stream).await.expect("the connect ack");
    assert_eq!(opcode, 1);
    assert!(String::from_utf8_lossy(&ack).contains("health_check_response"));
    stream
}

/// Sends `bad` and returns the close code the server sent before closing the connection.
async fn close_code_after(port: u16, bad: Vec<u8>) -> Option<u16> {
    let mut stream = upgraded(port).await;
    stream.write_all(&bad).await.unwrap();
    let read = async {
        loop {
            match read_frame(&mut stream).await {
                Some((8, payload)) if payload.len() >= 2 => {
                    return Some(u16::from_be_bytes([payload[0], payload[1]]));
                }
                Some((8, _)) => return Some(1005),
                Some(_) => continue,
                // EOF (or a reset) before any close frame.
                None => return None,
            }
        }
    };
    tokio::time::timeout(WAIT, read)
        .await
        .expect("the server answered in time")
}

#[tokio::test]
async fn malformed_frames_get_a_close_frame_before_the_tcp_close() {
    let home = TestHome::new();
    let daemon = start(&home, agent_config(fixture_agent())).await;
    let port = daemon.status().endpoints.expect("started").port;
    for (what, bad, code) in [
        ("reserved data opcode", frame(0x83, b"{}", true), 1002),
        ("reserved control opcode", frame(0x8b, b"", true), 1002),
        ("reserved bit set", frame(0xc1, b"{}", true), 1002),
        (
            "unmasked client frame",
            frame(0x81, br#"{"type":"ping"}"#, false),
            1002,
        ),
        (
            "text that is not UTF-8",
            frame(0x81, &[0xff, 0xfe, 0x7b], true),
            1007,
        ),
    ] {
        assert_eq!(close_code_after(port, bad).await, Some(code), "{what}");
    }
    daemon.stop().await;
}
