//! The stable error codes: every error type the doors return has a `reason()` (for example
//! [`crate::supervisor::SessionError::reason`]) giving an UPPER_SNAKE_CASE code that clients
//! key on instead of the English text. gRPC carries it as `google.rpc.ErrorInfo.reason` in
//! the [`ERROR_DOMAIN`]; WebSocket error frames carry it as `code`. README, "Error codes",
//! lists them all.

/// `google.rpc.ErrorInfo.domain` of every error this daemon returns.
pub const ERROR_DOMAIN: &str = "wundr.orchestrator";

/// Whether `code` has the shape of a reason: `[A-Z][A-Z0-9_]*`, at most 63 bytes (the
/// limit `google.rpc.ErrorInfo` sets).
pub fn is_reason(code: &str) -> bool {
    code.len() <= 63
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Asserts that every code in `codes` is a well-formed reason and that no two are equal:
/// one variant, one reason.
#[cfg(test)]
pub fn assert_distinct_codes(codes: &[&str]) {
    let mut seen = std::collections::HashSet::new();
    for code in codes {
        assert!(is_reason(code), "{code} is not UPPER_SNAKE_CASE");
        assert!(seen.insert(*code), "{code} is given to two variants");
    }
}

#[cfg(test)]
mod tests {
    use crate::charter::approvals::ApprovalError;
    use crate::charter::enforce::HookError;

    #[test]
    fn reasons_are_upper_snake_case() {
        assert!(super::is_reason("SESSION_NOT_FOUND"));
        assert!(!super::is_reason("session_not_found"));
        assert!(!super::is_reason("_X"));
        assert!(!super::is_reason(""));
    }

    #[test]
    fn approval_and_hook_errors_have_distinct_stable_reasons() {
        let id = || "approval_x".to_owned();
        let errors = [
            ApprovalError::NotFound { id: id() },
            ApprovalError::Unrecorded {
                id: id(),
                source: crate::store::StoreError::Closed { path: "/d".into() },
            },
            ApprovalError::Ambiguous {
                given: id(),
                candidates: vec![],
            },
            ApprovalError::AnswerMissing { id: id() },
            ApprovalError::Abandoned { id: id() },
        ];
        let mut reasons: Vec<_> = errors.iter().map(|e| e.reason()).collect();
        assert_eq!(
            reasons,
            [
                "APPROVAL_NOT_FOUND",
                "APPROVAL_UNRECORDED",
                "APPROVAL_AMBIGUOUS",
                "APPROVAL_ANSWER_MISSING",
                "APPROVAL_ABANDONED"
            ]
        );
        // Hook errors are refused on the same door (Charter.Hook): one code space.
        let bad_json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let hooks = [
            HookError::UnknownEvent("Stop".into()),
            HookError::BadInput {
                event: "PreToolUse".into(),
                source: bad_json,
            },
            HookError::MissingField {
                event: "PreToolUse".into(),
                missing: "tool_name",
            },
        ];
        let hook_reasons: Vec<_> = hooks.iter().map(|h| h.reason()).collect();
        assert_eq!(
            hook_reasons,
            [
                "HOOK_EVENT_UNKNOWN",
                "HOOK_INPUT_INVALID",
                "HOOK_INPUT_INCOMPLETE"
            ]
        );
        reasons.extend(hook_reasons);
        super::assert_distinct_codes(&reasons);
    }
}
