//! [`LineMap`]: field path → 1-based line, recovered by scanning the YAML text.
//!
//! serde_yaml reports locations only for errors, so for warnings and validation findings we
//! scan the text ourselves. The scanner understands block style only (what charters use):
//! `key: value` lines build a path from their indentation (`resourceLimits.tokenBudget.api`),
//! `- item` lines are numbered under the nearest enclosing key (`safetyHeuristics.escalate[2]`).
//! Flow style (`[a, b]`, `{a: 1}`) is not descended into: its entries get the line of their key,
//! found by [`LineMap::line_of`] falling back to the nearest recorded ancestor.

use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct LineMap {
    lines: HashMap<String, usize>,
}

impl LineMap {
    pub fn scan(text: &str) -> Self {
        let mut lines = HashMap::new();
        // (indent, path) of the keys enclosing the current line.
        let mut stack: Vec<(usize, String)> = Vec::new();
        let mut seq_counts: HashMap<String, usize> = HashMap::new();
        for (idx, raw) in text.lines().enumerate() {
            let line_no = idx + 1;
            let trimmed = raw.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if trimmed.starts_with("---") || trimmed.starts_with("...") {
                // A new document starts over; charters have only one non-empty document.
                stack.clear();
                continue;
            }
            let indent = raw.len() - trimmed.len();
            if trimmed == "-" || trimmed.starts_with("- ") {
                // YAML allows a sequence at the same indent as its key, so pop strictly deeper.
                while stack.last().is_some_and(|(i, _)| *i > indent) {
                    stack.pop();
                }
                if let Some((_, parent)) = stack.last() {
                    let n = seq_counts.entry(parent.clone()).or_insert(0);
                    lines.entry(format!("{parent}[{n}]")).or_insert(line_no);
                    *n += 1;
                }
                continue;
            }
            let Some(key) = key_of(trimmed) else { continue };
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            let path = match stack.last() {
                Some((_, parent)) => format!("{parent}.{key}"),
                None => key.to_string(),
            };
            lines.entry(path.clone()).or_insert(line_no);
            stack.push((indent, path));
        }
        Self { lines }
    }

    /// The line of `path`, or of its nearest ancestor that has one.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let mut p = path;
        loop {
            if let Some(l) = self.lines.get(p) {
                return Some(*l);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }
}

/// The key of a `key: value` / `key:` line, unquoted.
fn key_of(line: &str) -> Option<&str> {
    let (key, rest) = if let Some(q) = line.strip_prefix('"') {
        let end = q.find('"')?;
        (&q[..end], &q[end + 1..])
    } else if let Some(q) = line.strip_prefix('\'') {
        let end = q.find('\'')?;
        (&q[..end], &q[end + 1..])
    } else {
        let colon = line
            .find(": ")
            .or_else(|| line.strip_suffix(':').map(str::len))?;
        (&line[..colon], &line[colon..])
    };
    (rest.starts_with(": ") || rest == ":").then_some(key.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_nested_keys_and_sequence_items() {
        let text = "name: x\nresourceLimits:\n  tokenBudget:\n    api: 20% # c\nsafetyHeuristics:\n  escalate:\n    - \"a\"\n    - b\nlist:\n- one\n";
        let m = LineMap::scan(text);
        assert_eq!(m.line_of("name"), Some(1));
        assert_eq!(m.line_of("resourceLimits.tokenBudget.api"), Some(4));
        assert_eq!(m.line_of("safetyHeuristics.escalate[1]"), Some(8));
        assert_eq!(m.line_of("list[0]"), Some(10));
        assert_eq!(m.line_of("resourceLimits.tokenBudget.daily"), Some(3));
        assert_eq!(m.line_of("nothing"), None);
    }
}
