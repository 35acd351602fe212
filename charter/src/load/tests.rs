use std::path::PathBuf;

use super::*;
use crate::validate::Severity;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/charters")
        .join(name)
}
fn codes(ws: &[Finding]) -> Vec<&str> {
    ws.iter().map(|w| w.code).collect()
}

#[test]
fn computer_setup_charter_loads_with_trailing_document_and_env() {
    let env = |n: &str| (n == "ORCHESTRATOR_NAME").then(|| "Ada".to_string());
    let l = load_charter_with_env(
        &fixture("computer-setup-charter.yaml"),
        DEFAULT_MAX_CHARTER_BYTES,
        &env,
    )
    .expect("loads");
    assert_eq!(l.charter.identity.name, "Ada");
    assert_eq!(l.charter.identity.slack_handle.as_deref(), Some("@"));
    assert_eq!(l.charter.resource_limits.token_budget.subscription, "80%");
    assert_eq!(l.charter.safety_heuristics.always_reject.len(), 4);
    let unset: Vec<_> = l
        .warnings
        .iter()
        .filter(|w| w.code == "CHARTER_ENV_UNSET")
        .collect();
    assert_eq!(unset.len(), 3);
    assert!(unset[0].message.contains("ORCHESTRATOR_EMAIL"));
    assert_eq!(unset[0].line, Some(8));
}

#[test]
fn readme_example_loads_with_defaults() {
    let l = load_charter_with_env(
        &fixture("readme-example-charter.yaml"),
        DEFAULT_MAX_CHARTER_BYTES,
        &|_| None,
    )
    .expect("loads");
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    assert!(l.charter.hard_constraints.is_empty());
    assert_eq!(l.charter.approval_timeout_seconds, 300);
    assert!(l.validate().iter().all(|f| f.severity == Severity::Warning));
}

#[test]
fn template_charter_maps_schema_b() {
    let l = load_charter_with_env(
        &fixture("template-charter.yaml"),
        DEFAULT_MAX_CHARTER_BYTES,
        &|_| None,
    )
    .expect("loads");
    assert_eq!(
        codes(&l.warnings),
        [
            "CHARTER_REQUIRE_CONFIRMATION_MAPPED",
            "CHARTER_OPERATIONAL_SETTINGS_UNUSED"
        ]
    );
    assert_eq!(l.warnings[0].line, Some(40));
    assert_eq!(l.charter.safety_heuristics.escalate.len(), 4);
    assert_eq!(
        l.charter.resource_limits.token_budget.daily,
        Some(5_000_000)
    );
}

#[test]
fn missing_file_is_a_distinct_error() {
    let err = load_charter(&fixture("nope.yaml")).expect_err("missing");
    assert!(matches!(err, CharterError::NotFound { .. }));
}

#[test]
fn invalid_value_names_file_line_column_and_field() {
    let err = from_str(
        "name: x\nresourceLimits:\n  maxSessions: ten\n",
        "c.yaml",
        &|_| None,
    )
    .expect_err("bad");
    assert_eq!(
        err.to_string(),
        "c.yaml:3:16: invalid charter field `resourceLimits.maxSessions`: invalid type: string \"ten\", expected i64"
    );
    let err = from_str("name: [unclosed\n", "c.yaml", &|_| None).expect_err("bad yaml");
    assert!(
        matches!(err, CharterError::Invalid { line: 2, .. }),
        "{err}"
    );
}

#[test]
fn unknown_keys_warn_with_path_and_line_and_documents_are_counted() {
    let l = from_str(
        "name: x\nidentity:\n  nickname: y\nextra: 1\n",
        "c",
        &|_| None,
    )
    .expect("loads");
    assert_eq!(
        codes(&l.warnings),
        ["CHARTER_UNKNOWN_KEY", "CHARTER_UNKNOWN_KEY"]
    );
    assert_eq!(
        (l.warnings[0].field.as_deref(), l.warnings[0].line),
        (Some("identity.nickname"), Some(3))
    );
    let err = from_str("name: a\n---\nname: b\n", "c", &|_| None).expect_err("two docs");
    assert!(
        matches!(err, CharterError::MultipleDocuments { line: 2, .. }),
        "{err}"
    );
    assert!(matches!(
        from_str("---\n---\n", "c", &|_| None),
        Err(CharterError::Empty { .. })
    ));
}

/// "Billion laughs": `levels` lists of `width` aliases to the list before, over `leaves`.
fn billion_laughs(leaves: &[&str], width: usize, levels: usize) -> String {
    let mut text = format!("name: x\nl0: &l0 [{}]\n", leaves.join(", "));
    for level in 1..=levels {
        let aliases = vec![format!("*l{}", level - 1); width].join(", ");
        text.push_str(&format!("l{level}: &l{level} [{aliases}]\n"));
    }
    text
}

#[test]
fn yaml_bombs_are_refused_at_a_real_line_and_column() {
    // Null leaves: serde_yaml's repetition limit trips first and gives no location; the
    // error points at the first alias instead of 0:0.
    let err = from_str(&billion_laughs(&["~"], 10, 4), "bomb.yaml", &|_| None).expect_err("bomb");
    assert!(
        err.to_string()
            .starts_with("bomb.yaml:3:10: invalid charter: aliases are followed too many times"),
        "{err}"
    );
    // String leaves: our expansion budget trips first, inside the aliased anchor.
    let laughs = billion_laughs(&["\"lol\""; 9], 9, 8);
    let err = from_str(&laughs, "bomb.yaml", &|_| None).expect_err("bomb");
    let CharterError::Invalid { line, column, .. } = &err else {
        panic!("{err:?}")
    };
    // Somewhere in the anchored list at the bottom of the expansion.
    assert!(*line == 2 && *column > 1, "{err}");
    assert!(err.to_string().contains("YAML alias bomb"), "{err}");
    // Nesting past serde_yaml's depth limit names the depth.
    let deep = format!(
        "name: x\nresponsibilities: {}{}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    let err = from_str(&deep, "deep.yaml", &|_| None).expect_err("deep");
    assert!(
        err.to_string()
            .starts_with("deep.yaml:2:146: invalid charter: values nest more than 128"),
        "{err}"
    );
}

#[test]
fn a_file_over_the_limit_is_refused_with_its_size_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.yaml");
    std::fs::write(&path, format!("name: x\n{}", "# padding\n".repeat(300))).unwrap();
    let err = load_charter_limited(&path, 2048).expect_err("too large");
    assert!(
        matches!(
            err,
            CharterError::TooLarge {
                size: Some(3008),
                limit: 2048,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("is 3008 bytes, over the 2048-byte limit"),
        "{err}"
    );
    assert!(err.to_string().contains("charterMaxBytes"), "{err}");
    assert!(load_charter_limited(&path, 3008).is_ok());
    // A file with no size of its own is read only up to the limit.
    let err = load_charter_limited(Path::new("/dev/zero"), 4096).expect_err("endless");
    assert!(
        matches!(err, CharterError::TooLarge { size: None, .. }),
        "{err:?}"
    );
}

#[test]
fn each_unset_variable_is_reported_once_at_its_first_line() {
    let mut text = "name: x\nresponsibilities:\n".to_owned();
    for i in 0..300 {
        text.push_str(&format!("  - \"${{V{}}} and ${{W{i}}}\"\n", i % 100));
    }
    let l = from_str(&text, "c", &|_| None).expect("loads");
    assert_eq!(l.warnings.len(), 400);
    let v7 = l
        .warnings
        .iter()
        .find(|w| w.message.contains("V7 "))
        .unwrap();
    assert_eq!(v7.line, Some(10));
    let w250 = l
        .warnings
        .iter()
        .find(|w| w.message.contains("W250 "))
        .unwrap();
    assert_eq!(w250.line, Some(253));
}
