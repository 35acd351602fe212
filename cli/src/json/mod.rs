//! The one `--json` contract of every `wundr orchestrator` read command: output structs
//! derived with `Serialize` (camelCase keys, as the WebSocket API and proto3's JSON mapping
//! use), converted from the proto messages, one file per output family —
//! [`session::SessionJson`], [`approval::ApprovalJson`], [`status::StatusJson`],
//! [`memory::MemoryEntryJson`] / [`memory::MemoryStatsJson`], [`audit::AuditEntryJson`],
//! [`charter::CharterInfoJson`] / [`charter::CharterReportJson`], [`doctor::DoctorJson`],
//! [`config::ConfigCheckJson`], and the JSON Lines records [`logs::LogLineJson`] /
//! [`logs::SessionEventJson`].
//! Times are RFC 3339 UTC strings with milliseconds ([`time`]); durations and counters are
//! numbers; an absent value is `null`, never a missing key. The schemas are `docs/json/`.

pub mod approval;
pub mod audit;
pub mod charter;
pub mod config;
pub mod doctor;
pub mod logs;
pub mod memory;
pub mod session;
pub mod status;

use std::time::{Duration, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;

/// `2026-12-06T10:55:15.123Z`, or `None` for 0 (the proto's "not set") and negative values.
pub fn time(unix_ms: i64) -> Option<String> {
    let ms = u64::try_from(unix_ms).ok().filter(|ms| *ms > 0)?;
    let at = UNIX_EPOCH.checked_add(Duration::from_millis(ms))?;
    Some(humantime::format_rfc3339_millis(at).to_string())
}

/// An empty string as `None`: the proto has no "unset" for strings.
pub fn text(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

/// A `*_json` proto field parsed back into JSON: null when empty, the text itself when the
/// daemon sent something that is not JSON (nothing is lost).
pub fn parsed(text: &str) -> Value {
    if text.trim().is_empty() {
        return Value::Null;
    }
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// The document as printed: pretty, one trailing newline.
pub fn pretty<T: Serialize + ?Sized>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".to_owned());
    text.push('\n');
    text
}

/// One JSON Lines record: compact, one trailing newline.
pub fn line<T: Serialize + ?Sized>(value: &T) -> String {
    let mut text = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc_millis_or_none() {
        assert_eq!(
            time(1_796_554_515_123).as_deref(),
            Some("2026-12-06T10:55:15.123Z")
        );
        assert_eq!(time(0), None);
        assert_eq!(time(-5), None);
    }

    #[test]
    fn json_fields_parse_or_keep_their_text() {
        assert_eq!(parsed(""), Value::Null);
        assert_eq!(parsed("not json"), Value::String("not json".into()));
        assert_eq!(parsed(r#"{"a":1}"#)["a"], 1);
    }
}
