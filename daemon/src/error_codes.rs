//! A test helper for the stable error codes (the domain and the reason shape are
//! `orchestrator_api::error_codes`): each error type's tests check that its variants have
//! distinct, well-formed reasons.

/// Asserts that every code in `codes` is a well-formed reason and that no two are equal:
/// one variant, one reason.
pub fn assert_distinct_codes(codes: &[&str]) {
    let mut seen = std::collections::HashSet::new();
    for code in codes {
        assert!(
            orchestrator_api::error_codes::is_reason(code),
            "{code} is not UPPER_SNAKE_CASE"
        );
        assert!(seen.insert(*code), "{code} is given to two variants");
    }
}
