//! [`RpcFailure`]: a gRPC status worded for people, with the daemon's stable reason and remedy
//! read off its details.

use std::fmt;

/// A gRPC status, displayed as what it means for the user rather than as tonic's debug-like
/// `status: ..., message: ..., details: ...` text. Its source is the transport error, if any.
#[derive(Debug)]
pub struct RpcFailure(pub tonic::Status);

/// The metadata key under which the daemon sends its remedy with an error status.
const DAEMON_REMEDY_KEY: &str = "wundr-remedy-bin";

impl RpcFailure {
    /// The reason of the daemon's `google.rpc.ErrorInfo`, when the status carries one from
    /// the orchestrator's domain: what hints key on, never the message's words.
    pub fn daemon_reason(&self) -> Option<String> {
        use tonic_types::StatusExt;
        let info = self.0.get_details_error_info()?;
        (info.domain == orchestrator_api::error_codes::ERROR_DOMAIN).then_some(info.reason)
    }

    /// The daemon's reason, or for a failure of the call itself (no ErrorInfo) one that says
    /// what the gRPC code means.
    pub fn reason(&self) -> String {
        if let Some(reason) = self.daemon_reason() {
            return reason;
        }
        match self.0.code() {
            tonic::Code::Unavailable | tonic::Code::Cancelled | tonic::Code::Unknown => {
                "DAEMON_UNAVAILABLE"
            }
            tonic::Code::Unimplemented => "DAEMON_VERSION_MISMATCH",
            tonic::Code::DeadlineExceeded => "DAEMON_TIMEOUT",
            _ => "RPC_FAILED",
        }
        .to_owned()
    }

    /// The remedy the daemon sent with the status, when it sent one: it knows the cause best
    /// (a full disk, a read-only database, …).
    pub fn daemon_remedy(&self) -> Option<String> {
        let value = self.0.metadata().get_bin(DAEMON_REMEDY_KEY)?;
        let bytes = value.to_bytes().ok()?;
        let text = String::from_utf8_lossy(&bytes).trim().to_owned();
        (!text.is_empty()).then_some(text)
    }

    pub(super) fn remedy(&self) -> String {
        if let Some(remedy) = self.daemon_remedy() {
            return remedy;
        }
        self.transport_remedy().to_owned()
    }

    fn transport_remedy(&self) -> &'static str {
        match self.0.code() {
            tonic::Code::Unavailable | tonic::Code::Cancelled | tonic::Code::Unknown => {
                "the daemon may have stopped: check wundr orchestrator status"
            }
            tonic::Code::Unimplemented => {
                "the daemon is another version than this wundr: wundr orchestrator restart"
            }
            tonic::Code::DeadlineExceeded => "the daemon is busy or stuck: retry in a moment",
            _ => "see the daemon log: wundr orchestrator logs",
        }
    }
}

impl fmt::Display for RpcFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let meaning = match self.0.code() {
            tonic::Code::Unavailable => "the daemon went away or is not accepting calls",
            tonic::Code::Cancelled => "the call was cancelled",
            tonic::Code::Unimplemented => "the daemon does not know this call",
            tonic::Code::DeadlineExceeded => "the daemon did not answer in time",
            tonic::Code::PermissionDenied | tonic::Code::Unauthenticated => {
                "the daemon refused the call"
            }
            tonic::Code::InvalidArgument | tonic::Code::FailedPrecondition => {
                "the daemon rejected the request"
            }
            _ => "the daemon reported an error",
        };
        match self.0.message() {
            "" => f.write_str(meaning),
            message => write!(f, "{meaning}: {message}"),
        }
    }
}

impl std::error::Error for RpcFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpc_failures_read_as_sentences() {
        let failure = RpcFailure(tonic::Status::unavailable("connection reset"));
        assert_eq!(
            failure.to_string(),
            "the daemon went away or is not accepting calls: connection reset"
        );
        let failure = RpcFailure(tonic::Status::unimplemented(""));
        assert_eq!(failure.to_string(), "the daemon does not know this call");
        assert!(failure.remedy().contains("restart"));
        // The daemon's own remedy wins over the code's.
        let mut status = tonic::Status::resource_exhausted("cannot save: the disk is full");
        status.metadata_mut().insert_bin(
            DAEMON_REMEDY_KEY,
            tonic::metadata::MetadataValue::from_bytes("free space on /data".as_bytes()),
        );
        assert_eq!(RpcFailure(status).remedy(), "free space on /data");
    }
}
