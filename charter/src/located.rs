//! [`invalid_error`]: a serde_yaml error as a [`CharterError::Invalid`] that always points
//! into the file. serde_yaml gives most errors a line and column; where it gives none (its
//! alias repetition limit, a value converted after parsing) the location is found another way
//! — the first alias, the field's line, the end of the file — or is line 1, never `0:0`. Its
//! own limits are reworded as what they mean for a charter.

use super::error::CharterError;
use super::lines::LineMap;

pub(super) fn invalid_error(file: &str, text: &str, source: serde_yaml::Error) -> CharterError {
    let mut message = source.to_string();
    if let Some(cut) = message.rfind(" at line ") {
        message.truncate(cut);
    }
    // serde_yaml prefixes type errors with the dotted path of the offending field.
    let field = message.split_once(": ").and_then(|(head, _)| {
        head.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._[]".contains(c))
            .then(|| head.to_string())
    });
    if let Some(f) = &field {
        message = message[f.len() + 2..].to_string();
    }
    let mut location = source.location().map(|l| (l.line(), l.column()));
    // serde_yaml's own limits say little; say what they mean for a charter.
    if message == "recursion limit exceeded" {
        message = "values nest more than 128 levels deep (recursion limit exceeded); a charter \
                   nests a few levels: flatten the structure"
            .to_owned();
    } else if message == "repetition limit exceeded" {
        message = "aliases are followed too many times (repetition limit exceeded): it looks \
                   like a YAML alias bomb (\"billion laughs\"); write the entries out instead \
                   of nesting aliases"
            .to_owned();
        location = location.or_else(|| first_alias(text));
    } else if message == "EOF while parsing a value" {
        location = location.or_else(|| Some((text.lines().count().max(1), 1)));
    }
    if location.is_none() {
        location = field
            .as_deref()
            .and_then(|f| LineMap::scan(text).line_of(f))
            .map(|line| (line, 1));
    }
    // Never 0:0: a position the parser did not give is the top of the file.
    let (line, column) = location.unwrap_or((1, 1));
    CharterError::Invalid {
        file: file.to_string(),
        line: line.max(1),
        column: column.max(1),
        field,
        message,
        source,
    }
}

/// Line and column (1-based, in characters) of the first alias (`*name`) in `text`, found by
/// reading it as YAML would only roughly: outside quotes and comments, where a node starts.
fn first_alias(text: &str) -> Option<(usize, usize)> {
    for (idx, line) in text.lines().enumerate() {
        let mut quote = None;
        let mut prev = ' ';
        let chars: Vec<char> = line.chars().collect();
        for (col, &c) in chars.iter().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if prev.is_whitespace() => break,
                (None, '*')
                    if (prev.is_whitespace() || "-:[{,?".contains(prev))
                        && chars
                            .get(col + 1)
                            .is_some_and(|n| !n.is_whitespace() && !",[]{}".contains(*n)) =>
                {
                    return Some((idx + 1, col + 1));
                }
                _ => {}
            }
            prev = c;
        }
    }
    None
}
