//! How memory entries are shown: [`entry_line`] (one line of text) and [`entry_json`].

use orchestrator_api::v1::MemoryEntry;
use serde_json::{Value, json};

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

/// The entry as JSON (camelCase like the WebSocket API), with `score` for search hits.
pub fn entry_json(entry: &MemoryEntry, score: Option<f64>) -> Value {
    let metadata: Value = serde_json::from_str(&entry.metadata_json).unwrap_or(Value::Null);
    let mut value = json!({
        "id": entry.id,
        "tier": entry.tier,
        "type": entry.r#type,
        "content": entry.content,
        "timestamp": iso_time(entry.timestamp_ms),
        "metadata": metadata,
        "sessionId": (!entry.session_id.is_empty()).then_some(&entry.session_id),
    });
    if let (Some(score), Value::Object(map)) = (score, &mut value) {
        map.insert("score".to_owned(), json!(score));
    }
    value
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
        let value = entry_json(&entry, None);
        assert_eq!(value["metadata"]["k"], 1);
        assert_eq!(value["sessionId"], Value::Null);
        assert!(value.get("score").is_none());
    }
}
