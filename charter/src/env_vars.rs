//! `${VAR}` in a charter's string values: [`expand_env`] replaces them from an injected lookup
//! and collects the [`Unset`] ones; [`first_lines_of_variables`] finds where each is written,
//! for the warning. Both are linear: a charter may name thousands of variables.

use std::collections::{HashMap, HashSet};

use serde_yaml::Value;

/// Looks up an environment variable; injected so tests need not touch the process env.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Unset variables in the order met, and the set of them for constant-time checks.
#[derive(Default)]
pub(super) struct Unset {
    pub names: Vec<String>,
    pub seen: HashSet<String>,
}

pub(super) fn expand_env(value: &mut Value, env: EnvLookup, unset: &mut Unset) {
    match value {
        Value::String(s) if s.contains("${") => *s = expand_str(s, env, unset),
        Value::Sequence(items) => items.iter_mut().for_each(|v| expand_env(v, env, unset)),
        Value::Mapping(map) => map.iter_mut().for_each(|(_, v)| expand_env(v, env, unset)),
        _ => {}
    }
}

/// Replaces each `${NAME}`; an unterminated `${` is kept literally.
fn expand_str(s: &str, env: EnvLookup, unset: &mut Unset) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match env(name) {
            Some(v) => out.push_str(&v),
            None if unset.seen.insert(name.to_string()) => unset.names.push(name.to_string()),
            None => {}
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The first line on which each of `names` appears as `${NAME}`, in one pass over `text`.
pub(super) fn first_lines_of_variables<'n>(
    text: &str,
    names: &'n HashSet<String>,
) -> HashMap<&'n str, usize> {
    let mut lines = HashMap::new();
    if names.is_empty() {
        return lines;
    }
    for (idx, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else { break };
            if let Some(name) = names.get(&after[..end]) {
                lines.entry(name.as_str()).or_insert(idx + 1);
            }
            rest = &after[end + 1..];
        }
    }
    lines
}
