//! Loading: [`load_charter`] / [`from_str`] → [`LoadedCharter`] or [`CharterError`].
//!
//! Steps: refuse a file over the size limit ([`DEFAULT_MAX_CHARTER_BYTES`] unless the
//! daemon's `charterMaxBytes` says otherwise) without reading past it; split the text into YAML
//! documents and take the single non-empty one (the shipped computer-setup charter ends with
//! `---`, an empty second document, which upstream choked on), holding what its aliases expand
//! to within an `ExpansionBudget`; warn about unknown keys (serde would drop them silently);
//! expand `${VAR}` in string values from an injected lookup; convert to the typed [`Charter`]
//! (when that fails, the text is read again, typed, so the error carries file, line, column
//! and field); fold schema B's `requireConfirmation` into `escalate`. Expansion happens on
//! parsed string values, never on the raw text, so a variable's value cannot inject YAML
//! structure. Every step is linear in the file's size. Errors always point into the file:
//! serde_yaml's own limits (nesting depth, alias repetition) get a clear message and, where
//! serde_yaml gives no location, the first alias or line 1 — never `0:0`.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use serde_yaml::Value;

pub use super::env_vars::EnvLookup;
use super::env_vars::{Unset, expand_env, first_lines_of_variables};
pub use super::error::CharterError;
use super::expansion::ExpansionBudget;
use super::lines::LineMap;
use super::located::invalid_error;
use super::policy::Policy;
use super::schema::{Charter, KNOWN_KEYS};
use super::validate::{self, Finding};

/// The largest charter file read when nothing else is configured: 4 MiB, a thousand times a
/// generous hand-written charter, and still loaded in well under a second.
pub const DEFAULT_MAX_CHARTER_BYTES: u64 = 4 * 1024 * 1024;

/// A charter plus what the loader noticed about it.
#[derive(Debug, Clone)]
pub struct LoadedCharter {
    pub charter: Charter,
    /// Loader warnings (unknown keys, unset variables, schema-B mapping); never errors.
    pub warnings: Vec<Finding>,
    /// The file path, or the name given to [`from_str`].
    pub source: String,
    pub(crate) lines: LineMap,
}

impl LoadedCharter {
    /// Semantic validation with line numbers filled in from the source text.
    pub fn validate(&self) -> Vec<Finding> {
        self.validate_compiled(&Policy::compile(&self.charter))
    }

    /// [`validate`](Self::validate) with the charter's policy already compiled.
    pub fn validate_compiled(&self, policy: &Policy) -> Vec<Finding> {
        let mut findings = validate::validate_compiled(&self.charter, policy);
        for f in &mut findings {
            if f.line.is_none() {
                f.line = f.field.as_deref().and_then(|p| self.lines.line_of(p));
            }
        }
        findings
    }
}

/// Loads `path` (at most [`DEFAULT_MAX_CHARTER_BYTES`]), expanding `${VAR}` from the process
/// environment.
pub fn load_charter(path: &Path) -> Result<LoadedCharter, CharterError> {
    load_charter_limited(path, DEFAULT_MAX_CHARTER_BYTES)
}

/// Loads `path` if it is at most `max_bytes` long.
pub fn load_charter_limited(path: &Path, max_bytes: u64) -> Result<LoadedCharter, CharterError> {
    load_charter_with_env(path, max_bytes, &|name| std::env::var(name).ok())
}

pub fn load_charter_with_env(
    path: &Path,
    max_bytes: u64,
    env: EnvLookup,
) -> Result<LoadedCharter, CharterError> {
    let text = read_limited(path, max_bytes)?;
    from_str(&text, &path.display().to_string(), env)
}

/// Reads at most `max_bytes` (+1, to notice more): a huge file, or `/dev/zero`, is refused
/// without reading it all.
fn read_limited(path: &Path, max_bytes: u64) -> Result<String, CharterError> {
    let io_error = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            CharterError::NotFound {
                path: path.to_path_buf(),
                source,
            }
        } else {
            CharterError::Read {
                path: path.to_path_buf(),
                source,
            }
        }
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let too_large = |size| CharterError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit: max_bytes,
    };
    if size.is_some_and(|s| s > max_bytes) {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size.map_or(0, |s| usize::try_from(s).unwrap_or(0)));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > max_bytes {
        // It grew since we looked, or has no size of its own.
        return Err(too_large(size.filter(|s| *s > max_bytes)));
    }
    String::from_utf8(bytes).map_err(|err| {
        io_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text ({err})"),
        ))
    })
}

/// Parses charter text; `source` names it in errors and in [`LoadedCharter::source`].
pub fn from_str(text: &str, source: &str, env: EnvLookup) -> Result<LoadedCharter, CharterError> {
    let invalid = |e: serde_yaml::Error| invalid_error(source, text, e);
    // First pass: find the one non-empty document, with aliases held to a budget.
    let mut budget = ExpansionBudget::for_text(text.len());
    let mut chosen: Option<(usize, Value)> = None;
    for (idx, doc) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let value = budget.read(doc).map_err(invalid)?;
        if value.is_null() {
            continue;
        }
        if chosen.is_some() {
            return Err(CharterError::MultipleDocuments {
                file: source.to_string(),
                line: document_start_line(text, idx),
            });
        }
        chosen = Some((idx, value));
    }
    let Some((doc_idx, mut value)) = chosen else {
        return Err(CharterError::Empty {
            file: source.to_string(),
        });
    };

    let lines = LineMap::scan(text);
    let mut warnings = Vec::new();
    warn_unknown_keys(&value, "", &lines, &mut warnings);
    let mut unset = Unset::default();
    expand_env(&mut value, env, &mut unset);
    let unset_lines = first_lines_of_variables(text, &unset.seen);
    for var in unset.names {
        let line = unset_lines.get(var.as_str()).copied();
        warnings.push(
            Finding::warning(
                "CHARTER_ENV_UNSET",
                format!(
                    "environment variable {var} is not set; `${{{var}}}` expands to an empty string"
                ),
                None,
            )
            .at_line(line),
        );
    }
    let mut charter: Charter = match serde_yaml::from_value(value) {
        Ok(charter) => charter,
        // Only errors read from the text carry a line and column: read it again, typed, to
        // find where (expansion turns strings into strings, so it fails the same way).
        Err(unlocated) => {
            let located = serde_yaml::Deserializer::from_str(text)
                .nth(doc_idx)
                .map(Charter::deserialize);
            return Err(invalid(match located {
                Some(Err(located)) => located,
                _ => unlocated,
            }));
        }
    };
    map_schema_b(&mut charter, &lines, &mut warnings);
    Ok(LoadedCharter {
        charter,
        warnings,
        source: source.to_string(),
        lines,
    })
}

/// The 1-based line where document `idx` (0-based, counting `---` separators) starts.
fn document_start_line(text: &str, idx: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("---"))
        .nth(idx.saturating_sub(1))
        .map_or(1, |(i, _)| i + 1)
}

fn warn_unknown_keys(value: &Value, path: &str, lines: &LineMap, out: &mut Vec<Finding>) {
    let Value::Mapping(map) = value else { return };
    let Some((_, known)) = KNOWN_KEYS.iter().find(|(p, _)| *p == path) else {
        return;
    };
    let Some(known) = known else { return };
    for (k, v) in map {
        let key = k.as_str().map_or_else(|| format!("{k:?}"), str::to_string);
        let child = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        if known.contains(&key.as_str()) {
            warn_unknown_keys(v, &child, lines, out);
        } else {
            let line = lines.line_of(&child);
            out.push(
                Finding::warning(
                    "CHARTER_UNKNOWN_KEY",
                    format!("unknown key `{child}` is ignored"),
                    Some(child),
                )
                .at_line(line),
            );
        }
    }
}

/// Schema B (the upstream template) onto ours.
fn map_schema_b(charter: &mut Charter, lines: &LineMap, out: &mut Vec<Finding>) {
    let confirm = std::mem::take(&mut charter.safety_heuristics.require_confirmation);
    if !confirm.is_empty() {
        let field = "safetyHeuristics.requireConfirmation".to_string();
        out.push(
            Finding::warning(
                "CHARTER_REQUIRE_CONFIRMATION_MAPPED",
                format!(
                    "requireConfirmation ({} entries) is treated as escalate",
                    confirm.len()
                ),
                Some(field.clone()),
            )
            .at_line(lines.line_of(&field)),
        );
        charter.safety_heuristics.escalate.extend(confirm);
    }
    if charter.operational_settings.is_some() {
        let field = "operationalSettings".to_string();
        out.push(
            Finding::warning(
                "CHARTER_OPERATIONAL_SETTINGS_UNUSED",
                "operationalSettings (schema B) is kept but not used by the daemon".into(),
                Some(field.clone()),
            )
            .at_line(lines.line_of(&field)),
        );
    }
}

#[cfg(test)]
mod tests;
