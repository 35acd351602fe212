//! What a person is asked: [`ApprovalRequest`] (one escalated agent action or agent question,
//! with its [`ApprovalState`]) and [`summarize`] (the part of a tool input a person reads and
//! the audit keeps). The book of pending requests is `charter::approvals`.

use std::time::SystemTime;

use serde_json::Value;

use super::WaitKind;

/// What every approval id starts with.
pub const APPROVAL_ID_PREFIX: &str = "approval_";

/// The longest input summary kept in the audit (characters).
const SUMMARY_CHARS: usize = 300;
/// The longest summary of an agent's questions (characters): a person answers from it.
const QUESTION_CHARS: usize = 2000;

/// One escalated agent action.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ApprovalRequest {
    /// `approval_<uuid>`.
    pub id: String,
    /// The session whose agent asked.
    pub session_id: String,
    /// The tool (`Bash`, `Write`, …), or `prompt` for a user prompt.
    pub tool: String,
    /// The tool input (or `{"prompt": …}`).
    pub input: Value,
    /// The matched charter entry, `escalate: Production deployments`.
    pub rule: String,
    /// The decision's reason text.
    pub reason: String,
    /// When it was asked.
    pub created: SystemTime,
    /// When no answer becomes a deny.
    pub expires: SystemTime,
    /// Where it stands.
    pub state: ApprovalState,
    /// An approval of a tool call, or a question the agent asks (answered with text).
    pub kind: WaitKind,
    /// Who answered it (`cli`, `ws:<client>`), once answered.
    pub answered_by: Option<String>,
}

impl ApprovalRequest {
    /// A new pending request of session `session_id`, open for `timeout` from now.
    pub fn new(
        session_id: &str,
        kind: WaitKind,
        tool: &str,
        input: Value,
        rule: String,
        reason: String,
        timeout: std::time::Duration,
    ) -> Self {
        let now = SystemTime::now();
        Self {
            id: format!("{APPROVAL_ID_PREFIX}{}", uuid::Uuid::new_v4().simple()),
            session_id: session_id.to_owned(),
            tool: tool.to_owned(),
            input,
            rule,
            reason,
            created: now,
            expires: now + timeout,
            state: ApprovalState::Pending,
            kind,
            answered_by: None,
        }
    }

    /// What is asked, for a person: a question's questions with their options
    /// (`Which database? (Postgres / SQLite)`), else the command, path, URL or prompt.
    pub fn summary(&self) -> String {
        summarize(&self.input)
    }
}

/// Where an approval request stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ApprovalState {
    /// Waiting.
    Pending,
    /// Approved by someone.
    Approved,
    /// Denied by someone.
    Denied,
    /// Nobody answered in time (a deny).
    Expired,
}

impl ApprovalState {
    /// The wire spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Expired => "expired",
        }
    }
}

/// The part of a tool input worth keeping: the command, path, URL or prompt, cut to
/// `SUMMARY_CHARS`; the questions of an `AskUserQuestion` with their options (a person must
/// read them whole to answer, and its JSON puts the options first), cut to
/// `QUESTION_CHARS`; else the JSON.
pub fn summarize(input: &Value) -> String {
    if let Some(asked) = questions_asked(input) {
        return cut(&asked, QUESTION_CHARS);
    }
    let text = ["command", "file_path", "path", "url", "pattern", "prompt"]
        .iter()
        .find_map(|k| input.get(*k).and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| input.to_string());
    cut(&text, SUMMARY_CHARS)
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn cut(text: &str, max: usize) -> String {
    let mut cut: String = text.chars().take(max).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

/// What an `AskUserQuestion` input asks, as a person reads it: each question with its
/// options' labels, `Which database? (Postgres / SQLite)`, joined by "; "; `None` without
/// questions.
fn questions_asked(input: &Value) -> Option<String> {
    let asked: Vec<String> = input
        .get("questions")?
        .as_array()?
        .iter()
        .filter_map(|q| {
            let question = q.get("question")?.as_str()?;
            let options: Vec<&str> = q
                .get("options")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|o| o.get("label")?.as_str())
                .collect();
            Some(if options.is_empty() {
                question.to_owned()
            } else {
                format!("{question} ({})", options.join(" / "))
            })
        })
        .collect();
    (!asked.is_empty()).then(|| asked.join("; "))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_summary_keeps_the_command_path_or_questions_and_is_cut() {
        assert_eq!(summarize(&json!({"command": "ls"})), "ls");
        assert_eq!(summarize(&json!({"x": 1})), "{\"x\":1}");
        let asked = json!({"questions": [
            {"header": "DB", "options": [{"label": "Postgres"}], "question": "Which database?"},
            {"header": "Port", "options": [], "question": "Which port?"}
        ]});
        assert_eq!(summarize(&asked), "Which database? (Postgres); Which port?");
        let long = "a".repeat(400);
        assert_eq!(
            summarize(&json!({ "prompt": long })).chars().count(),
            SUMMARY_CHARS + 1
        );
    }
}
