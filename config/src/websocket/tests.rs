//! Tests of [`super`]: the `DAEMON_AUTH_*` parser.

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

const SECRET: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn no_variables_means_no_auth() {
    assert_eq!(AuthSettings::from_env(env(&[])), Ok(None));
}

#[test]
fn valid_settings_parse_with_upstream_defaults() {
    let keys = format!(r#"[{{"key":"{SECRET}","clientId":"ci","role":"readonly"}}]"#);
    let settings = AuthSettings::from_env(env(&[
        ("DAEMON_AUTH_JWT_SECRET", SECRET),
        ("DAEMON_AUTH_API_KEYS", &keys),
        ("DAEMON_AUTH_MODE", "api-key"),
    ]))
    .unwrap()
    .unwrap();
    assert_eq!(settings.mode, AuthMode::ApiKey);
    assert_eq!(settings.issuer, "wundr-orchestrator");
    assert_eq!(settings.api_keys[0].role, Role::Readonly);
    assert!(!format!("{settings:?}").contains(SECRET), "Debug leaks");
}

#[test]
fn every_invalid_value_fails_closed() {
    for (pairs, variable) in [
        (
            vec![("DAEMON_AUTH_JWT_SECRET", "short")],
            "DAEMON_AUTH_JWT_SECRET",
        ),
        (vec![("DAEMON_AUTH_API_KEYS", "[]")], "DAEMON_AUTH_API_KEYS"),
        (
            vec![
                ("DAEMON_AUTH_JWT_SECRET", SECRET),
                ("DAEMON_AUTH_MODE", "x"),
            ],
            "DAEMON_AUTH_MODE",
        ),
        (
            vec![
                ("DAEMON_AUTH_JWT_SECRET", SECRET),
                ("DAEMON_AUTH_API_KEYS", "{"),
            ],
            "DAEMON_AUTH_API_KEYS",
        ),
        (
            vec![
                ("DAEMON_AUTH_JWT_SECRET", SECRET),
                (
                    "DAEMON_AUTH_API_KEYS",
                    r#"[{"key":"short","clientId":"c"}]"#,
                ),
            ],
            "DAEMON_AUTH_API_KEYS",
        ),
        (
            vec![
                ("DAEMON_AUTH_JWT_SECRET", SECRET),
                ("DAEMON_AUTH_RATE_LIMIT_MAX", "NaN"),
            ],
            "DAEMON_AUTH_RATE_LIMIT_MAX",
        ),
        (
            vec![
                ("DAEMON_AUTH_JWT_SECRET", SECRET),
                ("DAEMON_AUTH_ALLOW_LOOPBACK", "yes"),
            ],
            "DAEMON_AUTH_ALLOW_LOOPBACK",
        ),
    ] {
        let err = AuthSettings::from_env(env(&pairs)).unwrap_err();
        assert_eq!(err.variable, variable, "{pairs:?}");
    }
}
