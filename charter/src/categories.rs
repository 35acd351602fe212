//! Built-in categories for prose charter entries: [`Category`], [`lookup`], [`CATEGORIES`].
//!
//! A prose entry ("Force push to main") is looked up by keywords: it belongs to the first
//! category one of whose keyword sets is fully present (a keyword matches a word of the entry
//! that starts with it, case-insensitively, so "deploy" matches "deployments"). The category
//! then supplies matchers over Bash commands, over other tools' inputs, and literal phrases for
//! prompts. An entry that fits no category, or a category with no matcher, matches nothing and
//! validation warns about it.
//!
//! | category | keywords (any set) | matches |
//! |---|---|---|
//! | `force_push_main` | force+push | `git push` forced (`-f`, `--force*`, `+ref`) to main/master, or forced with no explicit branch (the current branch is unknown here, so it is assumed to be main); deleting main/master |
//! | `delete_production_database` | delete/drop/destroy+database | SQL text with DROP DATABASE/SCHEMA, `dropdb`, `rm` of db files (`.db`, `.sqlite*`, `*database*`) whose path says prod |
//! | `expose_secrets` | expose, secret, leak | Read/Bash reads of `.env*` (not `.example`/`.sample`/`.template`), keys, `.netrc`, `.aws/credentials`, `.ssh/`…; `env`/`printenv` dumps; echo/printf/curl/wget using `$…SECRET/TOKEN/KEY/PASSWORD…` |
//! | `credential_changes` | credential, password | `ssh-keygen`, `passwd`, `gh auth`, `aws configure`, `docker/npm login`, `kubectl create secret`, `git config credential.*`, writes to credential files |
//! | `security_sensitive` | security+sensitive | union of `expose_secrets` and `credential_changes` (partial by nature) |
//! | `production_deployments` | deploy, release | `terraform apply/destroy`; kubectl/helm mutations or any command mentioning deploy, with a prod word in the args |
//! | `destructive_operations` | destructive, destroy | `rm -r`, `git reset --hard`, `git clean -f`, `dd of=`, `mkfs*`, `shred`, SQL DROP/TRUNCATE |
//! | `external_api` | external, integration, network | WebFetch/WebSearch, `curl`/`wget`/`http` to a non-local host |
//! | `run_tests` | test | test runners (`cargo test`/`nextest`, `npm`/`yarn`/`pnpm`/`bun test`, `npm run test*`, `pytest`, `python -m pytest`, `go test`, `make`/`mvn`/`gradle`/`./gradlew test`, `bundle exec rspec`, `poetry`/`uv run pytest`, `jest`, `vitest`, …); beside one in the same line, harmless parts (`cd`, `true`, `echo`, `set -e`, `tail`/`grep` of the output; see `category_test_runs.rs`) |
//! | `lint_format` | lint, format | cargo fmt/clippy, rustfmt, eslint, prettier, ruff, black, gofmt, `npm run lint`, … |
//! | `git_read_only` | git+status/diff/log | `git status/diff/log/show` |
//! | `read_files` | read, analys, inspect | Read/Glob/Grep/LS; read-only Bash (cat, ls, head, grep, …) that writes no file |
//! | `file_modifications` | modif, write, edit | Write/Edit/MultiEdit/NotebookEdit; Bash redirects to files, `tee`, `mv`, `cp`, `rm`, `sed -i`, … |
//! | `database_operations` | database, sql | psql, mysql, sqlite3, mongosh, redis-cli, pg_dump, … |
//! | `architectural_changes` | architect | nothing: not decidable from one tool call |
//! | `documentation_generation` | documentation | nothing: indistinguishable from other writes |

use serde_json::Value;

use super::shell::SimpleCommand;

pub struct Category {
    pub id: &'static str,
    keywords: &'static [&'static [&'static str]],
    /// Matches one normalised Bash command.
    pub command: Option<fn(&SimpleCommand) -> bool>,
    /// Matches a non-Bash tool call by name and input.
    pub tool: Option<fn(&str, &Value) -> bool>,
    /// Lowercase phrases that, found in a prompt, count as a match.
    pub prompt_phrases: &'static [&'static str],
    /// Why the category matches nothing, when it has no matcher.
    pub unmatchable: Option<&'static str>,
}

impl Category {
    pub fn matches_command(&self, cmd: &SimpleCommand) -> bool {
        self.command.is_some_and(|f| f(cmd))
    }
    pub fn matches_tool(&self, tool: &str, input: &Value) -> bool {
        self.tool.is_some_and(|f| f(tool, input))
    }
    pub fn matches_prompt(&self, lowercase_prompt: &str) -> bool {
        self.prompt_phrases
            .iter()
            .any(|p| lowercase_prompt.contains(p))
    }
}

/// The category of a prose entry, if any.
pub fn lookup(entry: &str) -> Option<&'static Category> {
    let lowercase = entry.to_lowercase();
    let words: Vec<&str> = lowercase
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |k: &str| words.iter().any(|w| w.starts_with(k));
    CATEGORIES
        .iter()
        .find(|c| c.keywords.iter().any(|set| set.iter().all(|k| has(k))))
}

macro_rules! category {
    ($id:literal, $kw:expr, $cmd:expr, $tool:expr, $phrases:expr) => {
        Category {
            id: $id,
            keywords: $kw,
            command: $cmd,
            tool: $tool,
            prompt_phrases: $phrases,
            unmatchable: None,
        }
    };
}

/// Order matters: the first category whose keywords fit wins, so specific ones come first.
pub static CATEGORIES: &[Category] = &[
    category!(
        "force_push_main",
        &[&["force", "push"]],
        Some(m::force_push_main),
        None,
        &["force push", "force-push", "push --force", "push -f"]
    ),
    category!(
        "delete_production_database",
        &[
            &["delet", "database"],
            &["drop", "database"],
            &["destroy", "database"]
        ],
        Some(m::delete_prod_db),
        None,
        &["drop database"]
    ),
    category!(
        "expose_secrets",
        &[&["expos"], &["secret"], &["leak"]],
        Some(m::expose_secrets),
        Some(m::tool_reads_secret),
        &["print the secret", "show me the secret", "cat .env"]
    ),
    category!(
        "credential_changes",
        &[&["credential"], &["password"]],
        Some(m::credential_change),
        Some(m::tool_writes_secret),
        &[]
    ),
    category!(
        "security_sensitive",
        &[&["security", "sensitive"]],
        Some(|c| m::expose_secrets(c) || m::credential_change(c)),
        Some(|t, i| m::tool_reads_secret(t, i) || m::tool_writes_secret(t, i)),
        &[]
    ),
    category!(
        "production_deployments",
        &[&["deploy"], &["release"]],
        Some(m::prod_deploy),
        None,
        &["deploy to prod", "deploy to production"]
    ),
    category!(
        "destructive_operations",
        &[&["destructive"], &["destroy"]],
        Some(m::destructive),
        None,
        &[]
    ),
    category!(
        "external_api",
        &[&["external"], &["integration"], &["network"]],
        Some(m::external_request),
        Some(m::tool_external),
        &[]
    ),
    category!(
        "run_tests",
        &[&["test"]],
        Some(test_runs::run_tests),
        None,
        &[]
    ),
    category!(
        "lint_format",
        &[&["lint"], &["format"]],
        Some(m::lint_format),
        None,
        &[]
    ),
    category!(
        "git_read_only",
        &[&["git", "status"], &["git", "diff"], &["git", "log"]],
        Some(m::git_read_only),
        None,
        &[]
    ),
    category!(
        "read_files",
        &[&["read"], &["analys"], &["inspect"]],
        Some(m::read_only),
        Some(m::tool_read_only),
        &[]
    ),
    category!(
        "file_modifications",
        &[&["modif"], &["write"], &["edit"]],
        Some(m::modifies_files),
        Some(m::tool_modifies),
        &[]
    ),
    category!(
        "database_operations",
        &[&["database"], &["sql"]],
        Some(m::database),
        None,
        &[]
    ),
    Category {
        id: "architectural_changes",
        keywords: &[&["architect"]],
        command: None,
        tool: None,
        prompt_phrases: &[],
        unmatchable: Some("architectural intent cannot be read from a single tool call"),
    },
    Category {
        id: "documentation_generation",
        keywords: &[&["documentation"]],
        command: None,
        tool: None,
        prompt_phrases: &[],
        unmatchable: Some("documentation writes cannot be told apart from other file writes"),
    },
];

// `m::` keeps the table above one matcher per line.
mod matchers;
use matchers as m;
mod test_runs;
