//! Bash command normalisation: [`parse_commands`] turns a command line into the list of
//! [`SimpleCommand`]s it would run, which is what charter matchers look at.
//!
//! Best effort by design (this is not a shell): chains (`;` `&&` `||` `|` `&` newlines,
//! subshell parens) are split; `$( )`, backticks and `<( )` are parsed as further commands,
//! also inside double quotes (where the shell runs them); `bash -c '…'`, `sh -c`, `eval …` are
//! parsed recursively; quotes are removed (a quoted string is one argument, so
//! `echo 'rm -rf /'` is an `echo`); redirections are dropped but writing to a file is
//! remembered; leading `NAME=value`, `sudo`/`doas` (kept in [`SimpleCommand::wrappers`]),
//! `env`, `command`, `builtin`, `exec`, `nohup`, `time`, `nice`, `timeout`, `xargs`, … are
//! stripped with their options; the program is reduced to its basename (`/bin/rm` → `rm`).
//! Heredoc bodies are not recognised and are read as commands: a false positive at worst.

use std::sync::Arc;

/// Nesting limit for `$( )`/`bash -c` recursion; deeper text is ignored.
const MAX_DEPTH: usize = 8;

/// One command as it would be executed, after normalisation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    /// Privilege wrappers that were stripped, in order (`sudo`, `doas`).
    pub wrappers: Vec<String>,
    /// Basename of the program.
    pub program: String,
    /// Arguments, unquoted, flags not yet normalised (see `pattern::canonical_args`).
    pub args: Vec<String>,
    /// An output redirection to something other than `/dev/null` (`>`, `>>`, `&>`).
    pub writes_file: bool,
    /// Every command of the command line this one came from, itself included (their own
    /// `line` is empty), so a matcher can judge a command by its company: the `true` of
    /// `pytest || true` is part of a test run. Empty for commands found in prose.
    pub line: Arc<[SimpleCommand]>,
}

/// Every simple command `src` would run, each knowing the others ([`SimpleCommand::line`]).
pub fn parse_commands(src: &str) -> Vec<SimpleCommand> {
    let mut out = Vec::new();
    parse_into(src, 0, &mut out);
    let line: Arc<[SimpleCommand]> = out.iter().cloned().collect();
    for cmd in &mut out {
        cmd.line = Arc::clone(&line);
    }
    out
}

fn parse_into(src: &str, depth: usize, out: &mut Vec<SimpleCommand>) {
    if depth > MAX_DEPTH {
        return;
    }
    let lexed = lex(src);
    for raw in lexed.commands {
        if let Some(cmd) = normalise(&raw.words, raw.writes_file) {
            if let Some(script) = inline_script(&cmd) {
                parse_into(&script, depth + 1, out);
            }
            out.push(cmd);
        }
    }
    for sub in lexed.substitutions {
        parse_into(&sub, depth + 1, out);
    }
}

/// The script of `bash -c '…'` / `eval …`, if any.
fn inline_script(cmd: &SimpleCommand) -> Option<String> {
    const SHELLS: &[&str] = &["sh", "bash", "zsh", "dash", "ksh", "ash", "fish"];
    if cmd.program == "eval" {
        return Some(cmd.args.join(" "));
    }
    if !SHELLS.contains(&cmd.program.as_str()) {
        return None;
    }
    let c_at = cmd.args.iter().position(|a| {
        a.len() > 1 && a.starts_with('-') && !a.starts_with("--") && a[1..].contains('c')
    })?;
    cmd.args[c_at + 1..]
        .iter()
        .find(|a| !a.starts_with('-'))
        .cloned()
}

#[derive(Debug, Default)]
struct RawCommand {
    words: Vec<String>,
    writes_file: bool,
}

#[derive(Debug, Default)]
struct Lexed {
    commands: Vec<RawCommand>,
    substitutions: Vec<String>,
}

#[derive(Default)]
struct Lexer {
    out: Lexed,
    cur: RawCommand,
    word: String,
    in_word: bool,
    /// The next word is a redirection target; `Some(true)` for an output redirection.
    redirect: Option<bool>,
}

impl Lexer {
    fn end_word(&mut self) {
        if !self.in_word {
            return;
        }
        let word = std::mem::take(&mut self.word);
        self.in_word = false;
        match self.redirect.take() {
            Some(true) if word != "/dev/null" => self.cur.writes_file = true,
            Some(_) => {}
            None => self.cur.words.push(word),
        }
    }
    fn end_command(&mut self) {
        self.end_word();
        let cmd = std::mem::take(&mut self.cur);
        if !cmd.words.is_empty() {
            self.out.commands.push(cmd);
        }
    }
    fn push(&mut self, c: char) {
        self.word.push(c);
        self.in_word = true;
    }
}

/// Reads a balanced `( … )` body starting after the opening paren.
fn take_balanced(chars: &[char], mut i: usize) -> (String, usize) {
    let mut depth = 1;
    let start = i;
    while i < chars.len() {
        match chars[i] {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return (chars[start..i].iter().collect(), i + 1);
                }
            }
            '\\' => i += 1,
            _ => {}
        }
        i += 1;
    }
    (chars[start..].iter().collect(), chars.len())
}

/// Reads a `` `…` `` body starting after the opening backquote; returns it and the index of
/// the closing backquote (the end of the input when there is none).
fn take_backquoted(chars: &[char], start: usize) -> (String, usize) {
    let end = (start..chars.len())
        .find(|&j| chars[j] == '`')
        .unwrap_or(chars.len());
    (chars[start..end].iter().collect(), end)
}

fn lex(src: &str) -> Lexed {
    let chars: Vec<char> = src.chars().collect();
    let mut lx = Lexer::default();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            ' ' | '\t' | '\r' => lx.end_word(),
            '\n' | ';' | '|' | '(' | ')' => lx.end_command(),
            '&' if next == Some('>') => {
                lx.end_word();
                lx.redirect = Some(true);
                i += 1;
                if chars.get(i + 1) == Some(&'>') {
                    i += 1;
                }
            }
            '&' => lx.end_command(),
            '>' | '<' if next == Some('(') => {
                lx.end_word();
                let (body, end) = take_balanced(&chars, i + 2);
                lx.out.substitutions.push(body);
                i = end;
                continue;
            }
            '>' | '<' => {
                // `2>` : the digits were a file descriptor, not an argument.
                if lx.in_word && lx.word.chars().all(|d| d.is_ascii_digit()) {
                    lx.word.clear();
                    lx.in_word = false;
                }
                lx.end_word();
                let output = c == '>';
                while matches!(chars.get(i + 1), Some('>' | '<' | '|')) {
                    i += 1;
                }
                if chars.get(i + 1) == Some(&'&') {
                    // `>&2`, `<&-`: duplicating a descriptor, no file involved.
                    i += 1;
                    while chars
                        .get(i + 1)
                        .is_some_and(|d| d.is_ascii_digit() || *d == '-')
                    {
                        i += 1;
                    }
                } else {
                    lx.redirect = Some(output);
                }
            }
            '\'' => {
                lx.in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    lx.word.push(chars[i]);
                    i += 1;
                }
            }
            '"' => {
                lx.in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    match chars[i] {
                        '\\' if matches!(chars.get(i + 1), Some('"' | '\\' | '$' | '`')) => {
                            i += 1;
                            lx.word.push(chars[i]);
                        }
                        '$' if chars.get(i + 1) == Some(&'(') => {
                            let (body, end) = take_balanced(&chars, i + 2);
                            lx.out.substitutions.push(body);
                            i = end;
                            continue;
                        }
                        '`' => {
                            let (body, end) = take_backquoted(&chars, i + 1);
                            lx.out.substitutions.push(body);
                            i = end;
                        }
                        other => lx.word.push(other),
                    }
                    i += 1;
                }
            }
            '\\' => {
                match next {
                    Some('\n') => {}
                    Some(n) => lx.push(n),
                    None => {}
                }
                i += 1;
            }
            '`' => {
                let (body, end) = take_backquoted(&chars, i + 1);
                lx.out.substitutions.push(body);
                lx.in_word = true;
                i = end;
            }
            '$' if next == Some('(') => {
                let (body, end) = take_balanced(&chars, i + 2);
                lx.out.substitutions.push(body);
                lx.in_word = true;
                i = end;
                continue;
            }
            '#' if !lx.in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            other => lx.push(other),
        }
        i += 1;
    }
    lx.end_command();
    lx.out
}

/// Options that take a separate value, per wrapper, so the value is not taken for the program.
fn wrapper_value_opts(wrapper: &str) -> &'static [&'static str] {
    match wrapper {
        "sudo" | "doas" => &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"],
        "env" => &["-u", "-C", "-S", "--unset", "--chdir"],
        "nice" => &["-n", "--adjustment"],
        "ionice" => &["-c", "-n", "-p"],
        "exec" => &["-a"],
        "timeout" => &["-s", "-k", "--signal", "--kill-after"],
        "xargs" => &["-I", "-n", "-P", "-d", "-L", "-s", "-a", "-E"],
        "stdbuf" => &["-i", "-o", "-e"],
        _ => &[],
    }
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

fn normalise(words: &[String], writes_file: bool) -> Option<SimpleCommand> {
    const WRAPPERS: &[&str] = &[
        "sudo", "doas", "env", "command", "builtin", "exec", "nohup", "time", "nice", "ionice",
        "timeout", "xargs", "stdbuf", "setsid",
    ];
    const KEYWORDS: &[&str] = &[
        "{", "}", "!", "then", "do", "else", "if", "elif", "while", "until",
    ];
    let mut wrappers = Vec::new();
    let mut i = 0;
    loop {
        while words.get(i).is_some_and(|w| is_assignment(w)) {
            i += 1;
        }
        let word = words.get(i)?;
        let name = basename(word);
        if KEYWORDS.contains(&word.as_str()) {
            i += 1;
            continue;
        }
        if !WRAPPERS.contains(&name) {
            break;
        }
        if matches!(name, "sudo" | "doas") {
            wrappers.push(name.to_string());
        }
        i += 1;
        let value_opts = wrapper_value_opts(name);
        while let Some(opt) = words.get(i).filter(|w| w.starts_with('-')) {
            i += if value_opts.contains(&opt.as_str()) {
                2
            } else {
                1
            };
            if opt == "--" {
                break;
            }
        }
        if name == "timeout" {
            i += 1; // the duration
        }
    }
    let program = basename(&words[i]).to_string();
    Some(SimpleCommand {
        wrappers,
        program,
        args: words[i + 1..].to_vec(),
        writes_file,
        line: Arc::default(),
    })
}

/// Splits free text (a prompt) into command-shaped word runs: clauses end at newlines,
/// sentence punctuation and shell operators; quotes and backticks are removed rather than
/// interpreted, because prose apostrophes ("don't") would otherwise swallow the rest.
pub fn prose_clauses(text: &str) -> Vec<Vec<String>> {
    let mut clauses = Vec::new();
    for clause in text.split(['\n', ';', '|', '&', '`', '(', ')']) {
        let words: Vec<String> = clause
            .split_whitespace()
            .map(|w| w.trim_matches(['"', '\'', ',', '!', '?', ':']).to_string())
            .filter(|w| !w.is_empty())
            .collect();
        if !words.is_empty() {
            clauses.push(words);
        }
    }
    clauses
}

/// Every command that starts at some word of a prose clause (`please rm -rf /` yields
/// `please rm -rf /`, `rm -rf /`, `-rf /`, …): matchers decide which are real commands.
pub fn prose_commands(text: &str) -> Vec<SimpleCommand> {
    let mut out = Vec::new();
    for clause in prose_clauses(text) {
        for start in 0..clause.len() {
            if !looks_like_program(&clause[start]) {
                continue;
            }
            // Bounded so a long prompt stays linear-ish; charter patterns are short.
            let end = (start + PROSE_MAX_WORDS).min(clause.len());
            if let Some(cmd) = normalise(&clause[start..end], false) {
                out.push(cmd);
            }
        }
    }
    out
}

const PROSE_MAX_WORDS: usize = 32;

fn looks_like_program(word: &str) -> bool {
    !word.starts_with('-')
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._/-+".contains(c))
}

#[cfg(test)]
mod tests;
