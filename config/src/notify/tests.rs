use super::*;

#[test]
fn webhook_urls_are_checked() {
    let target = WebhookTarget::parse("http://127.0.0.1:9000/hooks/wundr?x=1").unwrap();
    assert_eq!(
        (target.host.as_str(), target.port, target.path.as_str()),
        ("127.0.0.1", 9000, "/hooks/wundr?x=1")
    );
    let target = WebhookTarget::parse("http://[::1]/").unwrap();
    assert_eq!((target.host.as_str(), target.port), ("::1", 80));
    assert_eq!(
        WebhookTarget::parse("http://hooks.example.com")
            .unwrap()
            .path,
        "/"
    );
    for (url, needle) in [
        (
            "https://hooks.slack.com/services/x",
            "https is not supported",
        ),
        ("ftp://example.com/x", "ftp: is not supported"),
        ("example.com/x", "write it as http://host:port/path"),
        ("//example.com/x", "no scheme"),
        ("http://user:pw@example.com/", "user name or password"),
        ("not a url", "is not a URL"),
    ] {
        let err = WebhookTarget::parse(url).unwrap_err();
        assert!(err.contains(needle), "{url}: {err}");
    }
}

#[test]
fn layers_apply_and_bad_values_change_nothing() {
    let mut settings = NotifySettings::default();
    let layer = NotifyLayer {
        webhook: Some("http://127.0.0.1:9/x".into()),
        command: Some(CommandLine::Line("notify-send  wundr".into())),
        events: Some(vec!["session_failed".into(), "approval_required".into()]),
        timeout: Some(2000),
        attempts: Some(3),
    };
    layer.apply_to(&mut settings).unwrap();
    assert_eq!(
        settings.command.as_deref(),
        Some(&["notify-send".to_owned(), "wundr".to_owned()][..])
    );
    assert_eq!(
        settings.events,
        [NotifyEvent::SessionFailed, NotifyEvent::ApprovalRequired]
    );
    assert_eq!(
        (settings.timeout, settings.attempts),
        (Duration::from_secs(2), 3)
    );
    let mut again = NotifySettings::default();
    NotifyLayer::from_settings(&settings)
        .apply_to(&mut again)
        .unwrap();
    assert_eq!(again, settings);

    let before = settings.clone();
    for (bad, field) in [
        (
            NotifyLayer {
                command: Some(CommandLine::Line("curl -d \"$X\" http://h".into())),
                ..NotifyLayer::default()
            },
            "notify.command",
        ),
        (
            NotifyLayer {
                command: Some(CommandLine::List(vec![])),
                ..NotifyLayer::default()
            },
            "notify.command",
        ),
        (
            NotifyLayer {
                command: Some(CommandLine::Line("   ".into())),
                ..NotifyLayer::default()
            },
            "notify.command",
        ),
        (
            NotifyLayer {
                events: Some(vec!["session_exploded".into()]),
                ..NotifyLayer::default()
            },
            "notify.events",
        ),
        (
            NotifyLayer {
                events: Some(vec![]),
                ..NotifyLayer::default()
            },
            "notify.events",
        ),
        (
            NotifyLayer {
                webhook: Some("https://x".into()),
                timeout: Some(5),
                ..NotifyLayer::default()
            },
            "notify.webhook",
        ),
        (
            NotifyLayer {
                attempts: Some(0),
                ..NotifyLayer::default()
            },
            "notify.attempts",
        ),
    ] {
        assert_eq!(bad.apply_to(&mut settings).unwrap_err().0, field);
        assert_eq!(settings, before, "a refused layer changes nothing");
    }
}
