//! `wundr orchestrator session list [--limit N] [--status S] [--json]`: [`ListArgs`]; the
//! sessions the daemon knows (all, or the newest N, of some statuses), oldest first, as a
//! table ([`render_table`]) or a JSON array. The daemon answers in pages; this pages through
//! them ([`fetch`]).

use std::path::Path;
use std::time::SystemTime;

use clap::Args;
use orchestrator_api::v1::{ListSessionsRequest, Session, SessionStatus};

use super::{call, connect, render};
use crate::daemon_client::CALL_TIMEOUT;
use crate::error::{CliError, Outcome};
use crate::json::session::SessionJson;
use crate::output;

/// The task column's width when the terminal's is unknown.
const DEFAULT_TASK_WIDTH: usize = 60;
/// The narrowest task column worth showing, however narrow the terminal.
const MIN_TASK_WIDTH: usize = 20;

/// The most sessions one page asks for (the daemon's own cap).
const PAGE: u32 = 500;

/// Arguments of `wundr orchestrator session list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only the newest N sessions (still printed oldest first)
    #[arg(short = 'n', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
    /// Only sessions with this status (repeat or separate with commas): queued, initializing,
    /// running, paused, completed, failed, terminated; `active` = initializing, running, paused
    #[arg(long, value_name = "STATUS", value_delimiter = ',', value_parser = parse_status)]
    pub status: Vec<Vec<SessionStatus>>,
    /// Print a JSON array of sessions (as `session show --json` prints one)
    #[arg(long)]
    pub json: bool,
}

fn parse_status(text: &str) -> Result<Vec<SessionStatus>, String> {
    let one = |s| Ok(vec![s]);
    match text.trim().to_ascii_lowercase().as_str() {
        "queued" => one(SessionStatus::Queued),
        "initializing" => one(SessionStatus::Initializing),
        "running" => one(SessionStatus::Running),
        "paused" => one(SessionStatus::Paused),
        "completed" => one(SessionStatus::Completed),
        "failed" => one(SessionStatus::Failed),
        "terminated" => one(SessionStatus::Terminated),
        "active" => Ok(vec![
            SessionStatus::Initializing,
            SessionStatus::Running,
            SessionStatus::Paused,
        ]),
        other => Err(format!(
            "{other:?} is not a status: use queued, initializing, running, paused, completed, \
             failed, terminated or active"
        )),
    }
}

/// The newest `limit` sessions (all when `None`) with one of `statuses`, oldest first, read
/// page by page.
pub async fn fetch(
    socket: &Path,
    limit: Option<u32>,
    statuses: &[SessionStatus],
) -> Result<Vec<Session>, CliError> {
    let mut client = connect(socket).await?;
    let mut pages: Vec<Vec<Session>> = Vec::new();
    let mut fetched = 0u32;
    let mut token = String::new();
    loop {
        let want = limit.map_or(PAGE, |n| (n - fetched).min(PAGE));
        let request = client.list(ListSessionsRequest {
            limit: want,
            page_token: token.clone(),
            statuses: statuses.iter().map(|s| *s as i32).collect(),
        });
        let page = call(socket, "List", "", CALL_TIMEOUT, request).await?;
        fetched += u32::try_from(page.sessions.len()).unwrap_or(u32::MAX);
        pages.push(page.sessions);
        let done = page.next_page_token.is_empty() || limit.is_some_and(|n| fetched >= n);
        if done {
            break;
        }
        token = page.next_page_token;
    }
    // Pages come newest first; each is oldest first within.
    Ok(pages.into_iter().rev().flatten().collect())
}

/// Lists the sessions.
pub async fn run(args: &ListArgs, socket: &Path) -> Result<Outcome, CliError> {
    let statuses: Vec<SessionStatus> = args.status.iter().flatten().copied().collect();
    let sessions = fetch(socket, args.limit, &statuses).await?;
    let text = if args.json {
        let array: Vec<_> = sessions.iter().map(SessionJson::from).collect();
        crate::json::pretty(&array)
    } else if sessions.is_empty() && !statuses.is_empty() {
        "no sessions with that status\n".to_owned()
    } else if sessions.is_empty() {
        "no sessions; start one with: wundr orchestrator session spawn TASK\n".to_owned()
    } else {
        render_table(&sessions, terminal_width(), SystemTime::now())
    };
    output::stdout(&text)?;
    Ok(Outcome::Success)
}

/// The width to fit: `COLUMNS` when set (shells rarely export it, so it is an override), else
/// the width of the terminal stdout is on; `None` when stdout is not a terminal.
fn terminal_width() -> Option<usize> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
    {
        return Some(columns);
    }
    terminal_size::terminal_size_of(std::io::stdout()).map(|(width, _)| usize::from(width.0))
}

/// The table: ID, TYPE, STATUS, AGE, TOKENS, TASK, the task on one line and cut to what is
/// left of `width` columns (or [`DEFAULT_TASK_WIDTH`]).
pub fn render_table(sessions: &[Session], width: Option<usize>, now: SystemTime) -> String {
    let headers = ["ID", "TYPE", "STATUS", "AGE", "TOKENS"];
    let rows: Vec<[String; 5]> = sessions
        .iter()
        .map(|s| {
            [
                s.id.clone(),
                render::type_word(s.r#type),
                render::status_or_waiting(s),
                render::format_age(s.started_at_unix_ms, now),
                s.metrics.as_ref().map_or(0, |m| m.tokens_used).to_string(),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    // Each column is followed by two spaces.
    let fixed: usize = widths.iter().map(|w| w + 2).sum();
    let task_width = width.map_or(DEFAULT_TASK_WIDTH, |w| {
        w.saturating_sub(fixed).max(MIN_TASK_WIDTH)
    });
    let line = |cells: [&str; 5], task: &str| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            // The TOKENS column is numeric: right-aligned.
            if i == 4 {
                text.push_str(&format!("{cell:>w$}  ", w = widths[i]));
            } else {
                text.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        text.push_str(task);
        format!("{}\n", text.trim_end())
    };
    let mut text = line(headers, "TASK");
    for (session, row) in sessions.iter().zip(&rows) {
        let task = session
            .task
            .as_ref()
            .map(|t| one_line(&t.description, task_width))
            .unwrap_or_default();
        text.push_str(&line(row.each_ref().map(String::as_str), &task));
    }
    text
}

/// `text` with its whitespace runs (newlines too) folded to one space and cut to `width`
/// characters, ending in `…` when cut.
pub fn one_line(text: &str, width: usize) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= width {
        return folded;
    }
    let mut cut: String = folded.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::orchestrator::session::render::tests::sample;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn table_aligns_columns_and_cuts_the_task() {
        let mut long = sample();
        long.id = "session_2_longer_id".into();
        if let Some(task) = long.task.as_mut() {
            task.description = format!("first line\n{}", "x".repeat(100));
        }
        let now = UNIX_EPOCH + Duration::from_millis(1_795_832_957_336 + 65_000);
        let table = render_table(&[sample(), long], None, now);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "ID                   TYPE         STATUS     AGE  TOKENS  TASK"
        );
        assert_eq!(
            lines[1],
            "session_1_abc        claude-code  completed  1m      117  say hello"
        );
        assert!(lines[2].contains("  first line xxx"));
        assert!(lines[2].ends_with('…'));
        let task = lines[2].split("  ").last().unwrap_or_default();
        assert_eq!(task.chars().count(), DEFAULT_TASK_WIDTH);

        let narrow = render_table(&[sample()], Some(10), now);
        assert!(
            narrow
                .lines()
                .nth(1)
                .unwrap_or_default()
                .ends_with("say hello")
        );
    }

    #[test]
    fn one_line_folds_and_cuts() {
        assert_eq!(one_line("a\n\n b\tc", 60), "a b c");
        assert_eq!(one_line("abcdef", 4), "abc…");
        assert_eq!(one_line("abcd", 4), "abcd");
    }
}
