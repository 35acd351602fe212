//! [`Rewriter`] on client byte streams built with a real HPACK encoder, fed in every split.

use loona_hpack::{Decoder, Encoder};

use super::*;

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// What grpc C-core 1.85 sends for `unix:/tmp/wundr/orchestrator.sock`.
const C_CORE_AUTHORITY: &[u8] = b"tmp%2Fwundr%2Forchestrator.sock";

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(&[kind, flags]);
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn request(authority: &[u8], path: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    [
        (&b":method"[..], &b"POST"[..]),
        (b":scheme", b"http"),
        (b":path", path.as_bytes()),
        (b":authority", authority),
        (b"content-type", b"application/grpc"),
        (b"te", b"trailers"),
    ]
    .iter()
    .map(|(n, v)| (n.to_vec(), v.to_vec()))
    .collect()
}

/// A client connection: preface, SETTINGS, then per request a HEADERS frame (the second one
/// leaning on the encoder's dynamic table) and a DATA frame.
fn connection(authority: &[u8]) -> Vec<u8> {
    let mut encoder = Encoder::new();
    let mut bytes = PREFACE.to_vec();
    bytes.extend(frame(0x4, 0, 0, &[]));
    for (stream, path) in [
        (1, "/orchestrator.v1.Daemon/GetStatus"),
        (3, "/orchestrator.v1.Sessions/List"),
    ] {
        let fields = request(authority, path);
        let block = encoder.encode(fields.iter().map(|(n, v)| (&n[..], &v[..])));
        bytes.extend(frame(HEADERS, END_HEADERS, stream, &block));
        bytes.extend(frame(0x0, END_STREAM, stream, &[0, 0, 0, 0, 0]));
    }
    bytes
}

/// Splits `bytes` into frames after the preface: (kind, flags, stream, payload).
fn frames(bytes: &[u8]) -> Vec<(u8, u8, u32, Vec<u8>)> {
    assert_eq!(&bytes[..PREFACE_LEN], PREFACE);
    let mut rest = &bytes[PREFACE_LEN..];
    let mut found = Vec::new();
    while !rest.is_empty() {
        let len = usize::from(rest[0]) << 16 | usize::from(rest[1]) << 8 | usize::from(rest[2]);
        let stream = u32::from_be_bytes([rest[5], rest[6], rest[7], rest[8]]);
        found.push((rest[3], rest[4], stream, rest[9..9 + len].to_vec()));
        rest = &rest[9 + len..];
    }
    found
}

/// The header lists h2 would decode from `bytes`.
fn decoded(bytes: &[u8]) -> Vec<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut decoder = Decoder::new();
    let mut lists = Vec::new();
    let mut block = Vec::new();
    for (kind, flags, _, payload) in frames(bytes) {
        if kind == HEADERS || kind == CONTINUATION {
            block.extend(payload);
            if flags & END_HEADERS != 0 {
                lists.push(decoder.decode(&block).unwrap());
                block.clear();
            }
        }
    }
    lists
}

fn rewrite_in_pieces(input: &[u8], piece: usize) -> Vec<u8> {
    let mut rewriter = Rewriter::default();
    let mut out = Vec::new();
    for chunk in input.chunks(piece) {
        rewriter.feed(chunk, &mut out).unwrap();
    }
    out
}

#[test]
fn a_socket_path_authority_becomes_localhost_and_nothing_else_changes() {
    let input = connection(C_CORE_AUTHORITY);
    for piece in [1, 7, 9, 100, input.len()] {
        let out = rewrite_in_pieces(&input, piece);
        let lists = decoded(&out);
        assert_eq!(lists.len(), 2, "piece {piece}");
        for (list, path) in lists.iter().zip([
            "/orchestrator.v1.Daemon/GetStatus",
            "/orchestrator.v1.Sessions/List",
        ]) {
            assert_eq!(list, &request(REPLACEMENT, path), "piece {piece}");
        }
        let kinds: Vec<_> = frames(&out).iter().map(|f| (f.0, f.1, f.2)).collect();
        assert_eq!(
            kinds,
            [
                (0x4, 0, 0),
                (HEADERS, END_HEADERS, 1),
                (0x0, END_STREAM, 1),
                (HEADERS, END_HEADERS, 3),
                (0x0, END_STREAM, 3)
            ]
        );
        assert_eq!(frames(&out)[2].3, [0, 0, 0, 0, 0], "DATA passes as it was");
    }
}

#[test]
fn a_valid_authority_passes_byte_for_byte() {
    let input = connection(b"localhost");
    assert_eq!(rewrite_in_pieces(&input, 5), input);
}

#[test]
fn a_bare_path_authority_is_rewritten_too() {
    let out = rewrite_in_pieces(&connection(b"/run/user/0/wundr/orchestrator.sock"), 64);
    assert!(decoded(&out).iter().all(|list| list[3].1 == REPLACEMENT));
}

#[test]
fn padding_priority_and_continuation_are_understood_and_large_blocks_split() {
    let mut fields = request(C_CORE_AUTHORITY, "/orchestrator.v1.Memory/Import");
    fields.push((b"x-big".to_vec(), vec![b'a'; 40_000]));
    let block = Encoder::new().encode(fields.iter().map(|(n, v)| (&n[..], &v[..])));
    let (head, tail) = block.split_at(10);
    let mut payload = vec![3]; // pad length
    payload.extend_from_slice(&[0, 0, 0, 0, 16]); // priority
    payload.extend_from_slice(head);
    payload.extend_from_slice(&[0, 0, 0]);
    let mut input = PREFACE.to_vec();
    input.extend(frame(HEADERS, PADDED | PRIORITY | END_STREAM, 5, &payload));
    input.extend(frame(CONTINUATION, END_HEADERS, 5, tail));
    let out = rewrite_in_pieces(&input, 1000);
    assert_eq!(
        decoded(&out),
        [fields
            .iter()
            .cloned()
            .map(|(n, v)| if n == b":authority" {
                (n, REPLACEMENT.to_vec())
            } else {
                (n, v)
            })
            .collect::<Vec<_>>()]
    );
    let sent = frames(&out);
    assert!(sent.iter().all(|f| f.3.len() <= MAX_FRAME));
    assert_eq!((sent[0].0, sent[0].1), (HEADERS, END_STREAM));
    assert_eq!(sent.last().unwrap().1, END_HEADERS);
    assert!(sent[1..].iter().all(|f| f.0 == CONTINUATION && f.2 == 5));
}

#[test]
fn broken_framing_is_refused_with_the_reason() {
    let mut input = PREFACE.to_vec();
    input.extend(frame(CONTINUATION, END_HEADERS, 1, &[0x82]));
    let err = Rewriter::default()
        .feed(&input, &mut Vec::new())
        .unwrap_err();
    assert!(
        err.to_string().contains("CONTINUATION without its HEADERS"),
        "{err}"
    );
}

#[test]
fn undecodable_hpack_before_any_rewrite_is_left_to_h2() {
    let mut input = PREFACE.to_vec();
    // Indexed field 0 does not exist.
    input.extend(frame(HEADERS, END_HEADERS, 1, &[0x80]));
    input.extend(frame(0x0, 0, 1, b"after"));
    assert_eq!(rewrite_in_pieces(&input, 3), input);
}

#[test]
fn string_lengths_use_the_prefix_integer_encoding() {
    for (value, expected) in [
        (10, vec![10]),
        (126, vec![126]),
        (127, vec![127, 0]),
        (1337, vec![127, 0xba, 0x09]),
    ] {
        let mut out = Vec::new();
        put_integer(&mut out, value);
        assert_eq!(out, expected, "{value}");
    }
}
