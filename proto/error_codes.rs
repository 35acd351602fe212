//! The stable error codes' shared part: every error the daemon returns carries a reason, an
//! UPPER_SNAKE_CASE code (for example `SESSION_NOT_FOUND`) that clients key on instead of the
//! English text. gRPC carries it as `google.rpc.ErrorInfo.reason` in the [`ERROR_DOMAIN`];
//! WebSocket error frames carry it as `code`. README, "Error codes", lists them all.

/// `google.rpc.ErrorInfo.domain` of every error the daemon returns.
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

/// Asserts that every code in `codes` is a well-formed reason and that no two are equal: one
/// variant, one reason. For the tests of each error type.
pub fn assert_distinct_codes(codes: &[&str]) {
    let mut seen = std::collections::HashSet::new();
    for code in codes {
        assert!(is_reason(code), "{code} is not UPPER_SNAKE_CASE");
        assert!(seen.insert(*code), "{code} is given to two variants");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reasons_are_upper_snake_case() {
        assert!(super::is_reason("SESSION_NOT_FOUND"));
        assert!(!super::is_reason("session_not_found"));
        assert!(!super::is_reason("_X"));
        assert!(!super::is_reason(""));
        assert!(!super::is_reason(&"A".repeat(64)));
    }
}
