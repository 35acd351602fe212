//! The wire's frames, written and read back, and what a bad peer sends.
use super::*;

async fn round_trip<F: Frame + PartialEq + fmt::Debug>(frame: F) {
    let mut buffer = Vec::new();
    write_frame(&mut buffer, &frame).await.unwrap();
    let mut reader = buffer.as_slice();
    let back: F = read_frame(&mut reader).await.unwrap().unwrap();
    assert_eq!(back, frame);
    assert!(read_frame::<_, F>(&mut reader).await.unwrap().is_none());
}

#[tokio::test]
async fn every_frame_survives_the_wire() {
    round_trip(RelayFrame::Hello(Hello {
        version: PROTOCOL_VERSION,
        session_id: "session_1".into(),
        secret: "s".into(),
        host: "w1".into(),
        relay_pid: 7,
    }))
    .await;
    round_trip(RelayFrame::Started { pid: 42 }).await;
    round_trip(RelayFrame::StartFailed(StartFailure {
        kind: StartFailureKind::CwdNotFound,
        message: "no /x on w1".into(),
    }))
    .await;
    round_trip(RelayFrame::Stdout(b"{\"type\":\"x\"}".to_vec())).await;
    round_trip(RelayFrame::Stderr(vec![0xff, 0])).await;
    round_trip(RelayFrame::Hook {
        id: 3,
        query: HookQuery {
            event: "PreToolUse".into(),
            input_json: "{}".into(),
        },
    })
    .await;
    round_trip(RelayFrame::Exited(Exit {
        code: None,
        signal: Some(9),
        reason: Some("stopped".into()),
    }))
    .await;
    round_trip(RelayFrame::Ping).await;
    let mut env = BTreeMap::new();
    env.insert("A".to_owned(), "1".to_owned());
    round_trip(DaemonFrame::Welcome(Box::new(AgentSpec {
        program: "claude".into(),
        args: vec!["-p".into()],
        env,
        cwd: "/w".into(),
        stdin: true,
        max_line_bytes: 1024,
    })))
    .await;
    round_trip(DaemonFrame::Refused {
        message: "no".into(),
    })
    .await;
    round_trip(DaemonFrame::Stdin(b"line\n".to_vec())).await;
    round_trip(DaemonFrame::CloseStdin).await;
    round_trip(DaemonFrame::Signal(WireSignal::Pause)).await;
    round_trip(DaemonFrame::HookAnswer {
        id: 3,
        reply: HookReply::Error("down".into()),
    })
    .await;
    round_trip(DaemonFrame::Stop { grace_ms: 500 }).await;
    round_trip(DaemonFrame::Ping).await;
}

#[tokio::test]
async fn output_lines_append_as_their_frames_write() {
    for stderr in [false, true] {
        let line = b"{\"type\":\"assistant\"}".to_vec();
        let frame = if stderr {
            RelayFrame::Stderr(line.clone())
        } else {
            RelayFrame::Stdout(line.clone())
        };
        let mut written = Vec::new();
        write_frame(&mut written, &frame).await.unwrap();
        let mut appended = b"x".to_vec();
        append_output_line(stderr, &line, &mut appended).unwrap();
        assert_eq!(&appended[1..], written.as_slice());
    }
    let mut out = Vec::new();
    let huge = vec![0u8; MAX_FRAME_BYTES];
    assert!(matches!(
        append_output_line(false, &huge, &mut out),
        Err(WireError::TooLarge(_))
    ));
    assert!(out.is_empty());
}

#[tokio::test]
async fn bad_frames_are_refused_not_trusted() {
    let mut huge = Vec::new();
    huge.extend_from_slice(&(u32::MAX).to_be_bytes());
    let err = read_frame::<_, RelayFrame>(&mut huge.as_slice())
        .await
        .unwrap_err();
    assert!(matches!(err, WireError::TooLarge(_)), "{err}");
    let unknown = [0, 0, 0, 1, 200];
    let err = read_frame::<_, RelayFrame>(&mut unknown.as_slice())
        .await
        .unwrap_err();
    assert!(matches!(err, WireError::UnknownTag(200)), "{err}");
    let cut = [0, 0, 0, 9, 4, b'a'];
    let err = read_frame::<_, RelayFrame>(&mut cut.as_slice())
        .await
        .unwrap_err();
    assert!(matches!(err, WireError::Truncated), "{err}");
    let bad_json = [0, 0, 0, 3, 1, b'{', b'x'];
    let err = read_frame::<_, RelayFrame>(&mut bad_json.as_slice())
        .await
        .unwrap_err();
    assert!(matches!(err, WireError::Malformed { tag: 1, .. }), "{err}");
}
