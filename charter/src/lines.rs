//! [`LineMap`]: field path → 1-based line, recovered by scanning the YAML text.
//!
//! serde_yaml reports locations only for errors, so for warnings and validation findings we
//! scan the text ourselves. The scanner understands block style only (what charters use):
//! `key: value` lines nest by indentation (`resourceLimits.tokenBudget.api`), `- item` lines
//! are numbered under the nearest enclosing key (`safetyHeuristics.escalate[2]`). Flow style
//! (`[a, b]`, `{a: 1}`) is not descended into: its entries get the line of their key, found by
//! [`LineMap::line_of`] falling back to the nearest recorded ancestor.
//!
//! The map is a tree of keys, not a table of dotted paths: building every item's full path
//! string would cost the length of its ancestors' keys per item, quadratic in a file with long
//! keys and many items. Here each line costs its own length.

use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct LineMap {
    /// Node 0 is the document root; every other node is a `key:` line.
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, Default)]
struct Node {
    line: usize,
    keys: HashMap<Box<str>, usize>,
    /// The lines of the `- item`s directly under this key, in order.
    items: Vec<usize>,
}

impl LineMap {
    pub fn scan(text: &str) -> Self {
        let mut nodes = vec![Node::default()];
        // (indent, node) of the keys enclosing the current line.
        let mut stack: Vec<(usize, usize)> = Vec::new();
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
                if let Some(&(_, parent)) = stack.last() {
                    nodes[parent].items.push(line_no);
                }
                continue;
            }
            let Some(key) = key_of(trimmed) else { continue };
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            let parent = stack.last().map_or(0, |&(_, node)| node);
            let next = nodes.len();
            let node = *nodes[parent].keys.entry(key.into()).or_insert(next);
            if node == next {
                nodes.push(Node {
                    line: line_no,
                    ..Node::default()
                });
            }
            stack.push((indent, node));
        }
        Self { nodes }
    }

    /// The line of `path` (`a.b`, `a.b[2]`), or of its nearest ancestor that has one.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let segments: Vec<&str> = path.split('.').collect();
        let mut node = 0;
        let mut found = None;
        let mut at = 0;
        while at < segments.len() {
            // A key may itself hold dots: try the longest run of segments that is one.
            let Some((next, used)) = (at..segments.len()).rev().find_map(|end| {
                let (key, indexes) = split_indexes(&segments[at..=end].join("."));
                let child = *self.nodes[node].keys.get(key.as_str())?;
                Some(((child, indexes), end + 1 - at))
            }) else {
                return found;
            };
            let (child, indexes) = next;
            node = child;
            found = Some(self.nodes[node].line);
            if let Some(first) = indexes.first() {
                // Items have no recorded children: the item is as deep as the map goes.
                return self.nodes[node].items.get(*first).copied().or(found);
            }
            at += used;
        }
        found
    }
}

/// `name[2][3]` → (`name`, [2, 3]); a bracket that is not an index stays in the name.
fn split_indexes(segment: &str) -> (String, Vec<usize>) {
    let mut name = segment;
    let mut indexes = Vec::new();
    while let Some(open) = name.rfind('[') {
        let Some(index) = name[open + 1..]
            .strip_suffix(']')
            .and_then(|i| i.parse().ok())
        else {
            break;
        };
        indexes.push(index);
        name = &name[..open];
    }
    indexes.reverse();
    (name.to_string(), indexes)
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
        let text = "name: x\nresourceLimits:\n  tokenBudget:\n    api: 20% # c\nsafetyHeuristics:\n  escalate:\n    - \"a\"\n    - b\nlist:\n- one\np99.latency: 3\n";
        let m = LineMap::scan(text);
        assert_eq!(m.line_of("name"), Some(1));
        assert_eq!(m.line_of("resourceLimits.tokenBudget.api"), Some(4));
        assert_eq!(m.line_of("safetyHeuristics.escalate[1]"), Some(8));
        assert_eq!(m.line_of("safetyHeuristics.escalate[7]"), Some(6));
        assert_eq!(m.line_of("list[0]"), Some(10));
        assert_eq!(m.line_of("resourceLimits.tokenBudget.daily"), Some(3));
        assert_eq!(m.line_of("p99.latency"), Some(11));
        assert_eq!(m.line_of("nothing"), None);
    }
}
