//! How memory entries are shown: [`entry_line`] (one line of text); the JSON
//! shape is [`crate::json::memory::MemoryEntryJson`].

use orchestrator_api::v1::MemoryEntry;

use crate::commands::orchestrator::session::render::iso_time;

/// Characters of content shown on one line.
const PREVIEW_CHARS: usize = 100;

/// `id  [score]  tier/type  time  content…` on one line.
pub fn entry_line(entry: &MemoryEntry, score: Option<f64>) -> String {
    let flat = entry
        .content
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut preview: String = flat.chars().take(PREVIEW_CHARS).collect();
    if flat.chars().count() > PREVIEW_CHARS {
        preview.push('…');
    }
    let score = score.map_or_else(String::new, |s| format!("{s:.3}  "));
    let time = iso_time(entry.timestamp_ms).unwrap_or_else(|| "-".to_owned());
    format!(
        "{}  {score}{}/{}  {time}  {preview}\n",
        entry.id, entry.tier, entry.r#type
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_one_line_and_json_keeps_everything() {
        let entry = MemoryEntry {
            id: "mem_1_a".into(),
            tier: "episodic".into(),
            content: format!("first\nsecond {}", "x".repeat(200)),
            r#type: "observation".into(),
            timestamp_ms: 1_793_491_200_000,
            metadata_json: r#"{"k":1}"#.into(),
            session_id: String::new(),
        };
        let line = entry_line(&entry, Some(0.5));
        assert!(line.starts_with(
            "mem_1_a  0.500  episodic/observation  2026-11-01T00:00:00.000Z  first second x"
        ));
        assert_eq!(line.matches('\n').count(), 1);
        assert!(line.ends_with("…\n"));
        let value =
            serde_json::to_value(crate::json::memory::MemoryEntryJson::new(&entry, None)).unwrap();
        assert_eq!(value["metadata"]["k"], 1);
        assert_eq!(value["sessionId"], serde_json::Value::Null);
        assert_eq!(value["score"], serde_json::Value::Null);
    }
}
