//! [`ShellPattern`]: a charter entry that is a command ("rm -rf /", "git push --force*",
//! "sudo *"), compiled once and matched against normalised [`SimpleCommand`]s.
//!
//! Arguments are canonicalised on both sides ([`canonical_args`]): combined short flags are
//! split (`-rf` → `-r -f`), long flags and synonyms map to one spelling per program
//! (`--recursive`/`-R` → `-r` for rm; `--force`, `--force-with-lease`, `+refspec` → `-f` for
//! `git push`), `--opt=value` keeps only `--opt`, absolute paths are normalised (`/*`, `/.`,
//! `//` → `/`), and git's global options (`-C dir`, `-c k=v`, …) are dropped. A final `*`
//! (alone or glued to the last token) allows any further arguments; `*`/`?` inside a token
//! are globs.
//!
//! Two match modes, because the lists err in opposite directions:
//! * [`MatchMode::Broad`] (alwaysReject, escalate, hardConstraints): the pattern's flags must
//!   all be present and its positionals must appear in order among the command's
//!   (`rm -rf /tmp /` still hits "rm -rf /"); for programs with subcommands the first
//!   positional (the subcommand) is anchored.
//! * [`MatchMode::Strict`] (autoApprove): same flags and same positionals exactly, unless the
//!   pattern ends in `*`.

use super::shell::{SimpleCommand, parse_commands};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchMode {
    Broad,
    Strict,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Flag(String),
    Pos(String),
}

#[derive(Debug, Clone)]
pub struct ShellPattern {
    wrappers: Vec<String>,
    /// `*` = any program (from "sudo *").
    program: String,
    args: Vec<Arg>,
    rest_any: bool,
}

/// Programs whose first positional is a subcommand (anchored in broad mode).
const SUBCOMMAND_PROGRAMS: &[&str] = &[
    "git",
    "cargo",
    "npm",
    "yarn",
    "pnpm",
    "bun",
    "kubectl",
    "docker",
    "podman",
    "helm",
    "terraform",
    "go",
    "apt",
    "apt-get",
    "brew",
    "systemctl",
    "gh",
    "aws",
    "gcloud",
    "az",
];

/// Programs whose single-dash options are words (`find -name`), so `-abc` is not split.
const NO_SPLIT: &[&str] = &["find", "java", "gcc", "clang", "go", "terraform", "ffmpeg"];

const ALIASES: &[(&str, &str, &str)] = &[
    ("rm", "-R", "-r"),
    ("rm", "--recursive", "-r"),
    ("rm", "--force", "-f"),
    ("rm", "--dir", "-d"),
    ("cp", "-R", "-r"),
    ("cp", "--recursive", "-r"),
    ("chmod", "--recursive", "-R"),
    ("chown", "--recursive", "-R"),
    ("git", "--force", "-f"),
    ("git", "--force-with-lease", "-f"),
    ("git", "--force-if-includes", "-f"),
    ("git", "--delete", "-d"),
];

/// Options of `git` itself that take a value, before the subcommand.
const GIT_GLOBAL_VALUE_OPTS: &[&str] = &["-C", "-c", "--git-dir", "--work-tree", "--namespace"];

impl ShellPattern {
    /// Compiles `entry`, or `None` when it is not one simple command.
    pub fn compile(entry: &str) -> Option<Self> {
        let mut text = entry.trim().to_string();
        let mut rest_any = false;
        if let Some(stripped) = text.strip_suffix('*') {
            rest_any = true;
            text = stripped.trim_end().to_string();
        }
        let mut cmds = parse_commands(&text);
        if cmds.len() > 1 {
            return None;
        }
        let (wrappers, program, args) = match cmds.pop() {
            Some(c) => {
                let args = canonical_args(&c.program, &c.args);
                (c.wrappers, c.program, args)
            }
            // "sudo *": only a wrapper is left.
            None if rest_any && !text.is_empty() => {
                let w = text
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                (vec![w], "*".to_string(), Vec::new())
            }
            None => return None,
        };
        Some(Self {
            wrappers,
            program,
            args,
            rest_any,
        })
    }

    pub fn matches(&self, cmd: &SimpleCommand, mode: MatchMode) -> bool {
        if !self.wrappers.iter().all(|w| cmd.wrappers.contains(w)) {
            return false;
        }
        if self.program == "*" {
            return true;
        }
        if !glob(&self.program, &cmd.program) {
            return false;
        }
        let have = canonical_args(&cmd.program, &cmd.args);
        let (pf, pp) = split(&self.args);
        let (cf, cp) = split(&have);
        if !pf.iter().all(|f| cf.contains(f)) {
            return false;
        }
        let strict = mode == MatchMode::Strict && !self.rest_any;
        if strict {
            return cf.iter().all(|f| pf.contains(f))
                && pp.len() == cp.len()
                && pp.iter().zip(&cp).all(|(p, c)| glob(p, c));
        }
        if mode == MatchMode::Strict || SUBCOMMAND_PROGRAMS.contains(&cmd.program.as_str()) {
            // Anchored: the pattern's positionals are a prefix of the command's.
            return pp.len() <= cp.len() && pp.iter().zip(&cp).all(|(p, c)| glob(p, c));
        }
        let mut it = cp.iter();
        pp.iter().all(|p| it.any(|c| glob(p, c)))
    }
}

fn split(args: &[Arg]) -> (Vec<&str>, Vec<&str>) {
    let mut flags = Vec::new();
    let mut pos = Vec::new();
    for a in args {
        match a {
            Arg::Flag(f) => flags.push(f.as_str()),
            Arg::Pos(p) => pos.push(p.as_str()),
        }
    }
    (flags, pos)
}

/// Canonical flags and positionals of `program args…` (see the module docs).
pub fn canonical_args(program: &str, args: &[String]) -> Vec<Arg> {
    let mut args: &[String] = args;
    if program == "git" {
        while let Some(first) = args.first().filter(|a| a.starts_with('-')) {
            let takes_value = GIT_GLOBAL_VALUE_OPTS.contains(&first.as_str());
            args = &args[if takes_value { 2 } else { 1 }.min(args.len())..];
        }
    }
    let is_push = program == "git" && args.first().is_some_and(|a| a == "push");
    let mut out = Vec::new();
    let mut positional_only = false;
    for a in args {
        if positional_only || a == "-" || !a.starts_with('-') {
            if is_push && a.starts_with('+') && a.len() > 1 {
                out.push(Arg::Flag("-f".into()));
                out.push(Arg::Pos(a[1..].to_string()));
            } else {
                out.push(Arg::Pos(normalise_path(a)));
            }
            continue;
        }
        if a == "--" {
            positional_only = true;
            continue;
        }
        let name = a.split_once('=').map_or(a.as_str(), |(n, _)| n);
        if !name.starts_with("--")
            && name.len() > 2
            && name[1..].chars().all(|c| c.is_ascii_alphabetic())
            && !NO_SPLIT.contains(&program)
        {
            for c in name[1..].chars() {
                out.push(Arg::Flag(alias(program, &format!("-{c}"))));
            }
        } else {
            out.push(Arg::Flag(alias(program, name)));
        }
    }
    out
}

fn alias(program: &str, flag: &str) -> String {
    ALIASES
        .iter()
        .find(|(p, from, _)| *p == program && *from == flag)
        .map_or_else(|| flag.to_string(), |(_, _, to)| to.to_string())
}

/// `/*`, `/.`, `//`, trailing `/` → canonical absolute path; other words unchanged.
///
/// One pass to collapse slashes, then suffixes are cut from a slice: a word like `/./././.`
/// costs its length, not its length squared.
pub fn normalise_path(p: &str) -> String {
    if !p.starts_with('/') {
        return p.to_string();
    }
    let mut collapsed = String::with_capacity(p.len());
    for c in p.chars() {
        if !(c == '/' && collapsed.ends_with('/')) {
            collapsed.push(c);
        }
    }
    // Cutting a suffix cannot make a new `//`, so collapsing once is enough.
    let mut s = collapsed.as_str();
    loop {
        let before = s.len();
        for suffix in ["/*", "/."] {
            s = s.strip_suffix(suffix).unwrap_or(s);
        }
        if s.len() > 1 {
            s = s.strip_suffix('/').unwrap_or(s);
        }
        if s.is_empty() {
            return "/".into();
        }
        if s.len() == before {
            return s.to_string();
        }
    }
}

/// `*` and `?` wildcards over a whole word.
pub fn glob(pattern: &str, text: &str) -> bool {
    // Most patterns are plain words; this is the hot path of every decision (each rule is
    // tried against each command), so skip the char vectors for them.
    if !pattern.contains(['*', '?']) {
        return pattern == text;
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::normalise_path;

    #[test]
    fn paths_normalise_to_one_spelling() {
        for (raw, want) in [
            ("/", "/"),
            ("//", "/"),
            ("/*", "/"),
            ("/./", "/"),
            ("/./././.", "/"),
            ("/srv//data/*", "/srv/data"),
            ("/srv/data/", "/srv/data"),
            ("/srv/data/./*", "/srv/data"),
            ("relative/./", "relative/./"),
        ] {
            assert_eq!(normalise_path(raw), want, "{raw}");
        }
    }
}
