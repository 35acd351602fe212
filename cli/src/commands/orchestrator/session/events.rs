//! [`EventPrinter`]: a followed session's [`SessionEvent`]s as readable text, one event per
//! line (`[status] running`, `[tool] Bash {...}`, `[task] completed: ...`, `[stderr] ...`),
//! except the assistant's text, whose chunks are printed as they come and share one line
//! until the turn's stream ends. Pure (events in, text out) so it is tested without a daemon.

use orchestrator_api::v1::session_event::Kind;
use orchestrator_api::v1::{SessionEvent, StreamChunk, ToolCallResult};

use super::list::one_line;
use super::render;
use super::transcript::{TranscriptPrinter, tool_name};

/// How much of a tool's input or error is shown; the full text is in `--transcript`.
const TOOL_TEXT_WIDTH: usize = 200;
/// How much of the agent's questions is shown: a person must read them to answer.
const QUESTION_TEXT_WIDTH: usize = 2000;

/// Renders events; remembers what it printed so chunks join and repeated statuses are skipped.
#[derive(Debug, Default)]
pub struct EventPrinter {
    /// The kind (`text`, `thinking`) of the chunk line left open, if any.
    open: Option<String>,
    /// The last status line printed: the daemon also reports updates that change only metrics.
    last_status: Option<String>,
    /// Whether the last status seen was final (completed, failed, terminated).
    ended: bool,
    /// Whether any status was seen; the daemon sends one right after the replayed transcript.
    seen_status: bool,
    /// Whether a task's end (completed or failed) was printed.
    seen_task_end: bool,
    transcript: TranscriptPrinter,
}

impl EventPrinter {
    /// The text for one event (possibly empty, possibly not ending in a newline).
    pub fn render(&mut self, event: &SessionEvent) -> String {
        match &event.kind {
            None | Some(Kind::StreamStart(_)) => String::new(),
            Some(Kind::StreamChunk(chunk)) => self.chunk(chunk),
            Some(Kind::StreamEnd(_)) => self.finish(),
            Some(kind) => {
                let line = self.line(kind);
                if line.is_empty() {
                    return line;
                }
                let mut text = self.finish();
                text.push_str(&line);
                text
            }
        }
    }

    /// Ends an open chunk line; call it before exiting so the shell prompt starts on its own.
    pub fn finish(&mut self) -> String {
        match self.open.take() {
            Some(_) => "\n".to_owned(),
            None => String::new(),
        }
    }

    /// True once a status event arrived.
    pub fn seen_status(&self) -> bool {
        self.seen_status
    }

    /// True when the last status was final: the daemon ends the stream after it.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// True once a task's end (completed or failed, live or replayed) was printed.
    pub fn seen_task_end(&self) -> bool {
        self.seen_task_end || self.transcript.saw_result()
    }

    fn chunk(&mut self, chunk: &StreamChunk) -> String {
        if chunk.text.is_empty() {
            return String::new();
        }
        let mut text = String::new();
        if self.open.as_deref() != Some(chunk.kind.as_str()) {
            text.push_str(&self.finish());
            if chunk.kind == "thinking" {
                text.push_str("[thinking] ");
            }
        }
        text.push_str(&chunk.text);
        // A chunk that ends its own line leaves nothing open to close.
        self.open = (!chunk.text.ends_with('\n')).then(|| chunk.kind.clone());
        text
    }

    /// The full line(s) for a non-chunk event, or empty when there is nothing new to say.
    fn line(&mut self, kind: &Kind) -> String {
        match kind {
            Kind::Status(session) => {
                self.seen_status = true;
                self.ended = render::is_ended(session.status);
                let status = format!(
                    "{}{}",
                    render::status_word(session.status),
                    render::status_detail(session)
                );
                if self.last_status.as_ref() == Some(&status) {
                    return String::new();
                }
                self.last_status = Some(status.clone());
                format!("[status] {status}\n")
            }
            Kind::ToolCallStart(tool) => format!(
                "[tool] {} {}\n",
                tool_name(&tool.tool_name, &tool.tool_use_id),
                one_line(&tool.input_json, TOOL_TEXT_WIDTH)
            ),
            Kind::ToolCallResult(result) => tool_result_line(result),
            Kind::TaskExecuting(task) => format!("[task] executing: {}\n", task.task),
            Kind::TaskCompleted(task) => {
                self.seen_task_end = true;
                format!("[task] completed: {}\n", task.result)
            }
            Kind::TaskFailed(task) => {
                self.seen_task_end = true;
                format!("[task] failed: {}\n", task.error)
            }
            Kind::Output(output) if output.stream == "transcript" => {
                self.transcript.render(&output.line)
            }
            Kind::Output(output) => format!("[{}] {}\n", output.stream, output.line),
            Kind::Approval(approval) => approval_line(approval),
            Kind::StreamStart(_) | Kind::StreamChunk(_) | Kind::StreamEnd(_) => String::new(),
        }
    }
}

/// A question to a person: asked (with how to answer), answered (by whom) or expired.
fn approval_line(a: &orchestrator_api::v1::Approval) -> String {
    let what = if a.kind == "question" {
        "question"
    } else {
        "approval"
    };
    // The daemon's summary reads as a person asks (a question before its options); an older
    // daemon sends none.
    let subject = if a.summary.is_empty() {
        one_line(&a.input_json, TOOL_TEXT_WIDTH)
    } else if a.kind == "question" {
        one_line(&a.summary, QUESTION_TEXT_WIDTH)
    } else {
        one_line(&a.summary, TOOL_TEXT_WIDTH)
    };
    match a.state.as_str() {
        "pending" if a.kind == "question" => format!(
            "[{what}] the agent asks: {subject}\n  answer with: wundr orchestrator approval \
             answer {} \"TEXT\"\n",
            a.id
        ),
        "pending" => format!(
            "[{what}] waiting for a person: {} {subject} ({})\n  answer with: wundr orchestrator \
             approval approve {} (or deny)\n",
            a.tool, a.rule, a.id
        ),
        "expired" => format!("[{what}] {} expired: nobody answered in time\n", a.id),
        state => format!("[{what}] {} {state} by {}\n", a.id, a.answered_by),
    }
}

/// `[tool result] Bash ok (12 ms)`, or `... error (12 ms): <first part of the error>`.
fn tool_result_line(result: &ToolCallResult) -> String {
    let mut line = format!(
        "[tool result] {} {}",
        tool_name(&result.tool_name, &result.tool_use_id),
        if result.is_error { "error" } else { "ok" }
    );
    if result.duration_ms > 0 {
        line.push_str(&format!(" ({} ms)", result.duration_ms));
    }
    if result.is_error && !result.content.is_empty() {
        line.push_str(&format!(": {}", one_line(&result.content, TOOL_TEXT_WIDTH)));
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::orchestrator::session::render::tests::sample;
    use orchestrator_api::v1::{
        OutputLine, SessionStatus, StreamEnd, StreamStart, TaskCompleted, TaskExecuting,
        ToolCallStart,
    };

    fn event(kind: Kind) -> SessionEvent {
        SessionEvent {
            session_id: "s".into(),
            unix_ms: 1,
            kind: Some(kind),
        }
    }

    fn status(value: SessionStatus, tokens: u64) -> SessionEvent {
        let mut session = sample();
        session.status = value as i32;
        if let Some(metrics) = session.metrics.as_mut() {
            metrics.tokens_used = tokens;
        }
        event(Kind::Status(session))
    }

    fn chunk(text: &str, kind: &str) -> SessionEvent {
        event(Kind::StreamChunk(StreamChunk {
            text: text.into(),
            kind: kind.into(),
            index: 0,
        }))
    }

    #[test]
    fn a_turn_reads_line_by_line() {
        let mut printer = EventPrinter::default();
        let events = [
            status(SessionStatus::Running, 0),
            event(Kind::TaskExecuting(TaskExecuting { task: "hi".into() })),
            event(Kind::StreamStart(StreamStart {})),
            chunk("Let me ", "text"),
            chunk("look.", "text"),
            event(Kind::ToolCallStart(ToolCallStart {
                tool_use_id: "t1".into(),
                tool_name: "Bash".into(),
                input_json: r#"{"command":"ls"}"#.into(),
            })),
            event(Kind::ToolCallResult(ToolCallResult {
                tool_use_id: "t1".into(),
                tool_name: "Bash".into(),
                is_error: false,
                content: "a\nb".into(),
                duration_ms: 12,
            })),
            chunk("Done.", "text"),
            event(Kind::StreamEnd(StreamEnd { tokens: 5 })),
            status(SessionStatus::Running, 5),
            event(Kind::Output(OutputLine {
                stream: "stderr".into(),
                line: "warning".into(),
            })),
            event(Kind::TaskCompleted(TaskCompleted {
                result: "Done.".into(),
            })),
            status(SessionStatus::Completed, 5),
        ];
        let text: String = events.iter().map(|e| printer.render(e)).collect();
        assert_eq!(
            text,
            "[status] running\n\
             [task] executing: hi\n\
             Let me look.\n\
             [tool] Bash {\"command\":\"ls\"}\n\
             [tool result] Bash ok (12 ms)\n\
             Done.\n\
             [stderr] warning\n\
             [task] completed: Done.\n\
             [status] completed\n"
        );
        assert!(printer.ended());
        assert!(printer.seen_task_end());
        assert_eq!(printer.finish(), "");
    }

    #[test]
    fn thinking_and_open_lines_are_closed() {
        let mut printer = EventPrinter::default();
        let mut text = printer.render(&chunk("hmm", "thinking"));
        text.push_str(&printer.render(&chunk("Answer", "text")));
        assert!(!printer.seen_status());
        text.push_str(&printer.finish());
        assert_eq!(text, "[thinking] hmm\nAnswer\n");
    }

    #[test]
    fn failed_tools_and_statuses_say_why() {
        let mut printer = EventPrinter::default();
        let text = printer.render(&event(Kind::ToolCallResult(ToolCallResult {
            tool_name: String::new(),
            tool_use_id: "toolu_1".into(),
            is_error: true,
            content: "no such file\nat line 2".into(),
            duration_ms: 0,
        })));
        assert_eq!(
            text,
            "[tool result] toolu_1 error: no such file at line 2\n"
        );
        let mut session = sample();
        session.status = SessionStatus::Failed as i32;
        session.error = "fixture failure".into();
        let text = printer.render(&event(Kind::Status(session)));
        assert_eq!(text, "[status] failed: fixture failure\n");
        assert!(printer.ended());
        assert!(!printer.seen_task_end());
    }

    #[test]
    fn a_question_shows_its_text_and_options_first() {
        let asked = orchestrator_api::v1::Approval {
            id: "approval_1".into(),
            kind: "question".into(),
            tool: "AskUserQuestion".into(),
            state: "pending".into(),
            input_json: serde_json::json!({"questions": [{
                "header": "Database",
                "multiSelect": false,
                "options": [{"label": "Postgres", "description": "x".repeat(300)},
                            {"label": "SQLite", "description": "a file"}],
                "question": "Which database should the service use?"
            }]})
            .to_string(),
            summary: "Which database should the service use? (Postgres / SQLite)".into(),
            ..Default::default()
        };
        assert_eq!(
            approval_line(&asked),
            "[question] the agent asks: Which database should the service use? \
             (Postgres / SQLite)\n  answer with: wundr orchestrator approval answer approval_1 \
             \"TEXT\"\n"
        );
    }
}
