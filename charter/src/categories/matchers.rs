//! The matcher functions behind [`super::CATEGORIES`]; each looks at one normalised command or
//! one tool call. Arguments are canonicalised with `pattern::canonical_args` first.

use serde_json::Value;

use crate::pattern::{Arg, canonical_args};
use crate::shell::SimpleCommand;

fn flags(c: &SimpleCommand) -> Vec<String> {
    canonical_args(&c.program, &c.args)
        .into_iter()
        .filter_map(|a| if let Arg::Flag(f) = a { Some(f) } else { None })
        .collect()
}

pub(super) fn positionals(c: &SimpleCommand) -> Vec<String> {
    canonical_args(&c.program, &c.args)
        .into_iter()
        .filter_map(|a| if let Arg::Pos(p) = a { Some(p) } else { None })
        .collect()
}

pub(super) fn sub(c: &SimpleCommand) -> Option<String> {
    positionals(c).into_iter().next()
}

fn is(c: &SimpleCommand, program: &str, subcommand: &str) -> bool {
    c.program == program && sub(c).as_deref() == Some(subcommand)
}

fn any_arg(c: &SimpleCommand, f: impl Fn(&str) -> bool) -> bool {
    c.args.iter().any(|a| f(&a.to_lowercase()))
}

fn is_prod_word(a: &str) -> bool {
    a.contains("prod") || a.contains("live")
}

pub fn force_push_main(c: &SimpleCommand) -> bool {
    if !is(c, "git", "push") {
        return false;
    }
    let args = canonical_args(&c.program, &c.args);
    let forced = args
        .iter()
        .any(|a| matches!(a, Arg::Flag(f) if f == "-f" || f == "--mirror"));
    let deleting = args.iter().any(|a| matches!(a, Arg::Flag(f) if f == "-d"));
    // positionals: push, remote, refspecs…
    let refs: Vec<String> = positionals(c).into_iter().skip(2).collect();
    let dest_is_main = |r: &str| {
        let dst = r.rsplit(':').next().unwrap_or(r);
        let dst = dst.strip_prefix("refs/heads/").unwrap_or(dst);
        dst == "main" || dst == "master"
    };
    if refs.iter().any(|r| r.starts_with(':') && dest_is_main(r)) {
        return true;
    }
    if deleting && refs.iter().any(|r| dest_is_main(r)) {
        return true;
    }
    // Without an explicit refspec the pushed branch is the current one, unknown here.
    forced && (refs.is_empty() || refs.iter().any(|r| dest_is_main(r)))
}

fn sql_text(c: &SimpleCommand) -> String {
    c.args.join(" ").to_lowercase()
}

pub fn delete_prod_db(c: &SimpleCommand) -> bool {
    let sql = sql_text(c);
    if sql.contains("drop database") || sql.contains("drop schema") || c.program == "dropdb" {
        return true;
    }
    c.program == "rm"
        && any_arg(c, |a| {
            is_prod_word(a)
                && (a.ends_with(".db") || a.contains(".sqlite") || a.contains("database"))
        })
}

fn is_secret_path(p: &str) -> bool {
    let p = p.to_lowercase();
    let name = p.rsplit('/').next().unwrap_or(&p);
    let env_file = (name == ".env" || name.starts_with(".env."))
        && !["example", "sample", "template"]
            .iter()
            .any(|s| name.ends_with(s));
    env_file
        || name.starts_with("id_rsa")
        || name.starts_with("id_ed25519")
        || name.ends_with(".pem")
        || name.ends_with(".key")
        || matches!(
            name,
            ".netrc" | ".npmrc" | ".pypirc" | "credentials" | "credentials.json"
        )
        || p.contains("/.ssh/")
        || p.contains(".aws/credentials")
        || p.contains("secrets")
}

fn is_secret_var(a: &str) -> bool {
    let upper = a.to_uppercase();
    upper.contains('$')
        && ["SECRET", "TOKEN", "KEY", "PASSWORD", "PASSWD", "CREDENTIAL"]
            .iter()
            .any(|k| upper.contains(k))
}

const READERS: &[&str] = &[
    "cat", "head", "tail", "less", "more", "bat", "grep", "rg", "cp", "scp", "base64", "xxd", "od",
    "strings", "source", ".", "curl", "nc",
];

pub fn expose_secrets(c: &SimpleCommand) -> bool {
    let p = c.program.as_str();
    if (p == "env" || p == "printenv" || p == "set" || p == "export") && c.args.is_empty() {
        return true;
    }
    if p == "printenv" && any_arg(c, |a| is_secret_var(&format!("${a}"))) {
        return true;
    }
    if matches!(p, "echo" | "printf" | "curl" | "wget" | "http")
        && c.args.iter().any(|a| is_secret_var(a))
    {
        return true;
    }
    READERS.contains(&p)
        && c.args
            .iter()
            .any(|a| !a.starts_with('-') && is_secret_path(a))
}

fn file_path(input: &Value) -> Option<&str> {
    ["file_path", "path", "notebook_path", "pattern"]
        .iter()
        .find_map(|k| input.get(*k)?.as_str())
}

pub fn tool_reads_secret(tool: &str, input: &Value) -> bool {
    matches!(tool, "Read" | "Grep" | "Glob" | "NotebookRead")
        && file_path(input).is_some_and(is_secret_path)
}

pub fn tool_writes_secret(tool: &str, input: &Value) -> bool {
    tool_modifies(tool, input) && file_path(input).is_some_and(is_secret_path)
}

pub fn credential_change(c: &SimpleCommand) -> bool {
    let p = c.program.as_str();
    matches!(
        p,
        "ssh-keygen" | "passwd" | "chpasswd" | "usermod" | "htpasswd" | "ssh-add"
    ) || is(c, "gh", "auth")
        || is(c, "aws", "configure")
        || is(c, "docker", "login")
        || is(c, "npm", "login")
        || is(c, "npm", "adduser")
        || (is(c, "kubectl", "create") && any_arg(c, |a| a == "secret"))
        || (c.program == "git" && any_arg(c, |a| a.starts_with("credential")))
        || (p == "gpg" && any_arg(c, |a| a.contains("gen-key") || a.contains("delete-secret")))
        || (c.writes_file && c.args.iter().any(|a| is_secret_path(a)))
}

pub fn prod_deploy(c: &SimpleCommand) -> bool {
    const KUBE_MUTATE: &[&str] = &[
        "apply", "create", "delete", "replace", "patch", "rollout", "set", "scale", "edit",
    ];
    let subc = sub(c).unwrap_or_default();
    let prod_arg = any_arg(c, is_prod_word);
    match c.program.as_str() {
        "terraform" | "tofu" | "pulumi" => matches!(subc.as_str(), "apply" | "destroy" | "up"),
        "kubectl" | "oc" => KUBE_MUTATE.contains(&subc.as_str()) && prod_arg,
        "helm" => {
            matches!(
                subc.as_str(),
                "install" | "upgrade" | "uninstall" | "rollback"
            ) && prod_arg
        }
        "vercel" | "netlify" => any_arg(c, |a| a == "--prod"),
        _ => {
            (c.program.contains("deploy") || any_arg(c, |a| a.contains("deploy"))) && prod_arg
                || c.program.contains("deploy") && is_prod_word(&c.program)
        }
    }
}

pub fn destructive(c: &SimpleCommand) -> bool {
    let f = flags(c);
    let has = |x: &str| f.iter().any(|g| g == x);
    let sql = sql_text(c);
    (c.program == "rm" && has("-r"))
        || (is(c, "git", "reset") && has("--hard"))
        || (is(c, "git", "clean") && has("-f"))
        || (c.program == "dd" && any_arg(c, |a| a.starts_with("of=")))
        || c.program.starts_with("mkfs")
        || matches!(c.program.as_str(), "shred" | "wipefs")
        || sql.contains("drop table")
        || sql.contains("drop database")
        || sql.contains("truncate ")
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?;
    let host = if host.starts_with('[') {
        host.split(']').next()?.trim_start_matches('[')
    } else {
        host.split(':').next()?
    };
    (!host.is_empty() && (url.contains("://") || host.contains('.') || host == "localhost"))
        .then(|| host.to_lowercase())
}

fn is_local(host: &str) -> bool {
    host == "localhost"
        || host.starts_with("127.")
        || host == "::1"
        || host == "0.0.0.0"
        || host.ends_with(".localhost")
}

pub fn external_request(c: &SimpleCommand) -> bool {
    if !matches!(
        c.program.as_str(),
        "curl" | "wget" | "http" | "https" | "xh" | "httpie"
    ) {
        return false;
    }
    let hosts: Vec<String> = c
        .args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .filter_map(|a| host_of(a))
        .collect();
    // No recognisable host: cannot show it is local, so treat it as external.
    hosts.is_empty() || hosts.iter().any(|h| !is_local(h))
}

pub fn tool_external(tool: &str, input: &Value) -> bool {
    match tool {
        "WebSearch" => true,
        "WebFetch" => input
            .get("url")
            .and_then(Value::as_str)
            .and_then(host_of)
            .is_none_or(|h| !is_local(&h)),
        _ => false,
    }
}

pub fn lint_format(c: &SimpleCommand) -> bool {
    let s = sub(c).unwrap_or_default();
    let pos = positionals(c);
    match c.program.as_str() {
        "cargo" => matches!(s.as_str(), "fmt" | "clippy"),
        "go" => matches!(s.as_str(), "fmt" | "vet"),
        "npm" | "yarn" | "pnpm" | "bun" => {
            matches!(s.as_str(), "lint" | "format" | "fmt")
                || (s == "run"
                    && pos
                        .get(1)
                        .is_some_and(|p| p.starts_with("lint") || p.starts_with("format")))
        }
        "npx" => pos
            .first()
            .is_some_and(|p| matches!(p.as_str(), "eslint" | "prettier" | "biome")),
        p => matches!(
            p,
            "rustfmt"
                | "eslint"
                | "prettier"
                | "biome"
                | "ruff"
                | "black"
                | "isort"
                | "flake8"
                | "pylint"
                | "gofmt"
                | "golangci-lint"
                | "shellcheck"
                | "shfmt"
                | "clang-format"
                | "stylelint"
        ),
    }
}

pub fn git_read_only(c: &SimpleCommand) -> bool {
    c.program == "git"
        && sub(c).is_some_and(|s| matches!(s.as_str(), "status" | "diff" | "log" | "show"))
}

pub fn read_only(c: &SimpleCommand) -> bool {
    const READ_ONLY: &[&str] = &[
        "cat", "ls", "head", "tail", "grep", "rg", "wc", "pwd", "echo", "stat", "file", "tree",
        "less", "more", "diff", "sort", "uniq", "which", "du", "df", "fd", "cut", "realpath",
        "basename", "dirname",
    ];
    if c.writes_file || !c.wrappers.is_empty() {
        return false;
    }
    if c.program == "find" {
        return !any_arg(c, |a| {
            matches!(a, "-delete" | "-exec" | "-execdir" | "-ok" | "-fprint")
        });
    }
    READ_ONLY.contains(&c.program.as_str()) || git_read_only(c)
}

pub fn tool_read_only(tool: &str, _input: &Value) -> bool {
    matches!(tool, "Read" | "Glob" | "Grep" | "LS" | "NotebookRead")
}

pub fn modifies_files(c: &SimpleCommand) -> bool {
    c.writes_file
        || matches!(
            c.program.as_str(),
            "tee"
                | "touch"
                | "mv"
                | "cp"
                | "rm"
                | "mkdir"
                | "rmdir"
                | "ln"
                | "truncate"
                | "patch"
                | "chmod"
                | "chown"
        )
        || (matches!(c.program.as_str(), "sed" | "perl")
            && c.args.iter().any(|a| a.starts_with("-i")))
}

pub fn tool_modifies(tool: &str, _input: &Value) -> bool {
    matches!(tool, "Write" | "Edit" | "MultiEdit" | "NotebookEdit")
}

pub fn database(c: &SimpleCommand) -> bool {
    matches!(
        c.program.as_str(),
        "psql"
            | "mysql"
            | "mariadb"
            | "sqlite3"
            | "mongosh"
            | "mongo"
            | "redis-cli"
            | "pg_dump"
            | "pg_restore"
            | "mysqldump"
            | "dropdb"
            | "createdb"
            | "cqlsh"
    )
}
