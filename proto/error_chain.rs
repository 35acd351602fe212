//! [`error_chain`]: an error and its causes on one line, `message: cause: cause…` — how the
//! daemon words a failure for a launcher, a gRPC status or a WebSocket frame, and how the CLI
//! words a failure it answers for itself.

/// `err` followed by each of its `source()` causes, joined by `": "`.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn joins_every_cause() {
        let outer = Wrapped(std::io::Error::other("disk full"));
        assert_eq!(super::error_chain(&outer), "wrapped: disk full");
    }

    #[derive(Debug)]
    struct Wrapped(std::io::Error);

    impl std::fmt::Display for Wrapped {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("wrapped")
        }
    }

    impl std::error::Error for Wrapped {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }
}
