//! The policy engine: [`Policy::compile`] turns a [`Charter`] into matchers once;
//! [`Policy::decide`] answers an [`Action`] with a [`Decision`].
//!
//! Order: alwaysReject > hardConstraints > escalate > autoApprove > `defaultDecision`.
//! Hard constraints count only when they prohibit ("Never …" denies, "Never auto-approve …"
//! escalates; see `split_hard_constraints`).
//! Deny-side lists match if *any* command of a Bash chain matches (broad mode); autoApprove
//! needs *every* command of the chain approved (strict mode), so `ls && rm -rf x` is never
//! approved by "Read file operations". Prompts are checked against the deny and escalate
//! lists only and default to Allow: a prompt does nothing by itself, the tool calls it leads to
//! are decided one by one.

use serde_json::Value;

use super::categories::{self, Category};
use super::pattern::{MatchMode, ShellPattern};
use super::schema::{Charter, DefaultDecision};
use super::shell::{SimpleCommand, parse_commands, prose_commands};

/// What the agent is about to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A PreToolUse call: `tool_name` and `tool_input` from the hook input.
    ToolUse { tool_name: String, input: Value },
    /// A UserPromptSubmit prompt.
    Prompt { text: String },
}

impl Action {
    /// Reads a PreToolUse or UserPromptSubmit hook input.
    pub fn from_hook_input(input: &Value) -> Option<Self> {
        match input.get("hook_event_name")?.as_str()? {
            "PreToolUse" => Some(Self::ToolUse {
                tool_name: input.get("tool_name")?.as_str()?.to_string(),
                input: input.get("tool_input").cloned().unwrap_or(Value::Null),
            }),
            "UserPromptSubmit" => Some(Self::Prompt {
                text: input.get("prompt")?.as_str()?.to_string(),
            }),
            _ => None,
        }
    }
}

/// The rule a person's approval names when no charter rule matched and `defaultDecision: ask`
/// left the action to a person (audit, `waitingFor`, `approval list`).
pub const DEFAULT_ASK_RULE: &str = "defaultDecision: ask";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Deny,
    /// Needs an approval; the caller turns it into an approval request (timeout = deny).
    Escalate,
    /// Leave it to Claude Code's own permission prompt.
    Ask,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleList {
    AlwaysReject,
    HardConstraints,
    Escalate,
    AutoApprove,
}

impl RuleList {
    /// The charter's own spelling, used in reasons.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AlwaysReject => "alwaysReject",
            Self::HardConstraints => "hardConstraints",
            Self::Escalate => "escalate",
            Self::AutoApprove => "autoApprove",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedRule {
    pub list: RuleList,
    pub entry: String,
    pub category: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub rule: Option<MatchedRule>,
    /// `charter: alwaysReject matched "rm -rf /"` (the format the hook fixture shows).
    pub reason: String,
}

/// What a charter entry compiled to.
#[derive(Debug)]
pub enum Matcher {
    Shell(ShellPattern),
    Category(&'static Category),
    /// Matches nothing; the string says why (validation reports it).
    Nothing(String),
}

impl std::fmt::Debug for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Category({})", self.id)
    }
}

/// Compiles one entry: command-looking text → shell pattern; prose → a category.
pub fn compile_entry(entry: &str) -> Matcher {
    let trimmed = entry.trim();
    if trimmed.is_empty() {
        return Matcher::Nothing("empty entry".into());
    }
    if looks_like_command(trimmed)
        && let Some(p) = ShellPattern::compile(trimmed)
    {
        return Matcher::Shell(p);
    }
    match categories::lookup(trimmed) {
        Some(c) if c.unmatchable.is_none() => Matcher::Category(c),
        Some(c) => Matcher::Nothing(format!(
            "category {}: {}",
            c.id,
            c.unmatchable.unwrap_or_default()
        )),
        None => Matcher::Nothing("no built-in category fits this phrase".into()),
    }
}

/// Prose starts with a capital or is plain lowercase words; commands have a known program,
/// flags, paths or globs.
fn looks_like_command(entry: &str) -> bool {
    const PROGRAMS: &[&str] = &[
        "rm",
        "git",
        "sudo",
        "doas",
        "dd",
        "mkfs",
        "chmod",
        "chown",
        "curl",
        "wget",
        "kubectl",
        "terraform",
        "helm",
        "docker",
        "npm",
        "yarn",
        "pnpm",
        "cargo",
        "psql",
        "mysql",
        "dropdb",
        "shutdown",
        "reboot",
        "kill",
        "pkill",
        "killall",
        "mv",
        "cp",
        "bash",
        "sh",
        "eval",
        "ssh",
        "scp",
        "env",
        "printenv",
    ];
    if entry.starts_with(|c: char| c.is_uppercase()) {
        return false;
    }
    let mut words = entry.split_whitespace();
    let first = words.next().unwrap_or_default();
    PROGRAMS.contains(&first.rsplit('/').next().unwrap_or(first))
        || first.contains('/')
        || words
            .any(|w| w.starts_with('-') || w.contains('/') || w.contains('*') || w.contains('='))
}

struct Rule {
    entry: String,
    matcher: Matcher,
}

impl Rule {
    fn category(&self) -> Option<&'static str> {
        match &self.matcher {
            Matcher::Category(c) => Some(c.id),
            _ => None,
        }
    }
    fn matches_command(&self, cmd: &SimpleCommand, mode: MatchMode) -> bool {
        match &self.matcher {
            Matcher::Shell(p) => p.matches(cmd, mode),
            Matcher::Category(c) => c.matches_command(cmd),
            Matcher::Nothing(_) => false,
        }
    }
}

/// A compiled charter.
pub struct Policy {
    /// In decision order, each with the verdict its hits get.
    lists: Vec<(RuleList, Verdict, Vec<Rule>)>,
    default: Verdict,
}

/// The facts of an action that matchers look at, computed once per decision.
enum Facts<'a> {
    Bash(Vec<SimpleCommand>),
    Tool(&'a str, &'a Value),
    Prompt {
        commands: Vec<SimpleCommand>,
        lowercase: String,
    },
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes: Vec<_> = self
            .lists
            .iter()
            .map(|(l, v, r)| (l.as_str(), *v, r.len()))
            .collect();
        f.debug_struct("Policy")
            .field("lists", &sizes)
            .field("default", &self.default)
            .finish()
    }
}

impl Policy {
    pub fn compile(charter: &Charter) -> Self {
        let compile = |entries: &[String]| -> Vec<Rule> {
            entries
                .iter()
                .map(|e| Rule {
                    entry: e.clone(),
                    matcher: compile_entry(e),
                })
                .collect()
        };
        let h = &charter.safety_heuristics;
        let mut escalate = h.escalate.clone();
        escalate.extend(h.require_confirmation.iter().cloned());
        let (forbid, confirm) = split_hard_constraints(&charter.hard_constraints);
        Self {
            lists: vec![
                (
                    RuleList::AlwaysReject,
                    Verdict::Deny,
                    compile(&h.always_reject),
                ),
                (RuleList::HardConstraints, Verdict::Deny, compile(&forbid)),
                (
                    RuleList::HardConstraints,
                    Verdict::Escalate,
                    compile(&confirm),
                ),
                (RuleList::Escalate, Verdict::Escalate, compile(&escalate)),
                (
                    RuleList::AutoApprove,
                    Verdict::Allow,
                    compile(&h.auto_approve),
                ),
            ],
            default: match charter.default_decision {
                DefaultDecision::Allow => Verdict::Allow,
                DefaultDecision::Ask => Verdict::Ask,
                DefaultDecision::Deny => Verdict::Deny,
            },
        }
    }

    /// The compiled matchers of `list`'s entries, in the charter's order (for `escalate`, its
    /// own entries come first). Validation reads them instead of compiling every entry again.
    pub fn matchers(&self, list: RuleList) -> impl Iterator<Item = &Matcher> {
        self.lists
            .iter()
            .filter(move |(l, _, _)| *l == list)
            .flat_map(|(_, _, rules)| rules.iter().map(|r| &r.matcher))
    }

    pub fn decide(&self, action: &Action) -> Decision {
        let facts = match action {
            Action::ToolUse { tool_name, input } if tool_name == "Bash" => {
                let command = input
                    .get("command")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                Facts::Bash(parse_commands(command))
            }
            Action::ToolUse { tool_name, input } => Facts::Tool(tool_name, input),
            Action::Prompt { text } => Facts::Prompt {
                commands: prose_commands(text),
                lowercase: text.to_lowercase(),
            },
        };
        for (list, verdict, rules) in &self.lists {
            let verdict = *verdict;
            let hit = if *list == RuleList::AutoApprove {
                approve_hit(rules, &facts)
            } else {
                rules.iter().find(|r| deny_side_hit(r, &facts))
            };
            if let Some(rule) = hit {
                return Decision {
                    verdict,
                    reason: format!("charter: {} matched \"{}\"", list.as_str(), rule.entry),
                    rule: Some(MatchedRule {
                        list: *list,
                        entry: rule.entry.clone(),
                        category: rule.category(),
                    }),
                };
            }
        }
        let verdict = if matches!(facts, Facts::Prompt { .. }) {
            Verdict::Allow
        } else {
            self.default
        };
        Decision {
            verdict,
            rule: None,
            reason: format!("charter: no rule matched; default {verdict:?}").to_lowercase(),
        }
    }
}

/// Hard constraints are prose: only prohibitions are enforceable per action. "Never
/// auto-approve X" means X needs a person (escalate); "Never X" / "Do not X" / "No X" forbid X
/// (deny); obligations ("Always maintain audit trail") forbid nothing and are only given to
/// the agent as context — compiling them would deny the very thing they ask for.
fn split_hard_constraints(entries: &[String]) -> (Vec<String>, Vec<String>) {
    let (mut forbid, mut confirm) = (Vec::new(), Vec::new());
    for entry in entries {
        let lower = entry.trim().to_lowercase();
        if lower.starts_with("never auto-approve") || lower.starts_with("never auto approve") {
            confirm.push(entry.clone());
        } else if ["never ", "do not ", "don't ", "no "]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            forbid.push(entry.clone());
        }
    }
    (forbid, confirm)
}

fn deny_side_hit(rule: &Rule, facts: &Facts) -> bool {
    match facts {
        Facts::Bash(cmds) => cmds
            .iter()
            .any(|c| rule.matches_command(c, MatchMode::Broad)),
        Facts::Tool(tool, input) => {
            matches!(&rule.matcher, Matcher::Category(c) if c.matches_tool(tool, input))
        }
        Facts::Prompt {
            commands,
            lowercase,
        } => {
            commands
                .iter()
                .any(|c| rule.matches_command(c, MatchMode::Broad))
                || matches!(&rule.matcher, Matcher::Category(c) if c.matches_prompt(lowercase))
        }
    }
}

/// The rule approving the action: for Bash, every command must be approved by some rule.
fn approve_hit<'r>(rules: &'r [Rule], facts: &Facts) -> Option<&'r Rule> {
    match facts {
        Facts::Bash(cmds) => {
            let mut first = None;
            for c in cmds {
                let rule = rules
                    .iter()
                    .find(|r| r.matches_command(c, MatchMode::Strict))?;
                first.get_or_insert(rule);
            }
            first
        }
        Facts::Tool(tool, input) => rules
            .iter()
            .find(|r| matches!(&r.matcher, Matcher::Category(c) if c.matches_tool(tool, input))),
        Facts::Prompt { .. } => None,
    }
}

#[cfg(test)]
mod tests;
