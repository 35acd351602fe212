//! How the foreground daemon's stderr reads: [`StderrStyle`] (journal, colour or plain, from
//! `JOURNAL_STREAM`, the terminal and `NO_COLOR`) and [`JournalFormat`], the `<N>`-prefixed
//! event format of the journal ([`journal_priority`]).

use std::io::{self, IsTerminal};

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{Format, Full, Writer};
use tracing_subscriber::fmt::{self, FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// How stderr lines are written, by who reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StderrStyle {
    /// systemd's journal: `<N>` priority prefixes, no colour, no timestamp.
    Journal,
    /// A terminal that wants colour.
    Colour,
    /// Anything else (a file, a pipe, `NO_COLOR`): plain text.
    Plain,
}

impl StderrStyle {
    /// The style for this process's stderr. `var` reads the environment; `stderr_id` is the
    /// (device, inode) of stderr, compared with `JOURNAL_STREAM` as sd-daemon(3) advises, so
    /// a program whose stderr systemd's was redirected away from is not taken for the journal.
    pub fn detect(
        var: impl Fn(&str) -> Option<String>,
        stderr_id: Option<(u64, u64)>,
        is_terminal: bool,
    ) -> Self {
        let journal = var("JOURNAL_STREAM").and_then(|value| {
            let (dev, ino) = value.trim().split_once(':')?;
            Some((dev.parse::<u64>().ok()?, ino.parse::<u64>().ok()?))
        });
        if journal.is_some() && journal == stderr_id {
            return Self::Journal;
        }
        // no-color.org: set and not empty disables colour.
        let no_color = var("NO_COLOR").is_some_and(|v| !v.is_empty());
        if is_terminal && !no_color {
            Self::Colour
        } else {
            Self::Plain
        }
    }

    /// The style of this process's stderr now.
    // dev_t and ino_t are u64 on Linux but not everywhere (dev_t is i32 on macOS).
    #[allow(clippy::useless_conversion)]
    pub fn of_stderr() -> Self {
        let stderr_id = nix::sys::stat::fstat(io::stderr()).ok().and_then(|st| {
            Some((
                u64::try_from(st.st_dev).ok()?,
                u64::try_from(st.st_ino).ok()?,
            ))
        });
        Self::detect(
            |name| std::env::var(name).ok(),
            stderr_id,
            io::stderr().is_terminal(),
        )
    }

    /// What starts a stderr line of `level` outside `tracing` (the readiness and start-up
    /// error lines): its `<N>` priority under the journal, else nothing.
    pub fn line_prefix(self, level: Level) -> &'static str {
        match (self, journal_priority(level)) {
            (Self::Journal, 3) => "<3>",
            (Self::Journal, 4) => "<4>",
            (Self::Journal, 6) => "<6>",
            (Self::Journal, _) => "<7>",
            _ => "",
        }
    }
}

/// The sd-daemon(3) syslog priority of a `tracing` level.
pub fn journal_priority(level: Level) -> u8 {
    match level {
        Level::ERROR => 3,
        Level::WARN => 4,
        Level::INFO => 6,
        Level::DEBUG | Level::TRACE => 7,
    }
}

/// The journal's event format: `<N>` then the usual line without its timestamp.
#[derive(Debug)]
pub struct JournalFormat {
    inner: Format<Full, ()>,
}

impl Default for JournalFormat {
    fn default() -> Self {
        Self {
            inner: fmt::format().without_time(),
        }
    }
}

impl<S, N> FormatEvent<S, N> for JournalFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        write!(writer, "<{}>", journal_priority(*event.metadata().level()))?;
        self.inner.format_event(ctx, writer, event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_style_follows_journal_stream_terminal_and_no_color() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let journal = env(&[("JOURNAL_STREAM", "8:1234")]);
        assert_eq!(
            StderrStyle::detect(journal, Some((8, 1234)), false),
            StderrStyle::Journal
        );
        // Our stderr is not the journal's stream (it was redirected): not the journal.
        assert_eq!(
            StderrStyle::detect(journal, Some((8, 99)), false),
            StderrStyle::Plain
        );
        assert_eq!(
            StderrStyle::detect(env(&[]), None, true),
            StderrStyle::Colour
        );
        assert_eq!(
            StderrStyle::detect(env(&[("NO_COLOR", "1")]), None, true),
            StderrStyle::Plain
        );
        assert_eq!(
            StderrStyle::detect(env(&[("NO_COLOR", "")]), None, true),
            StderrStyle::Colour
        );
        assert_eq!(StderrStyle::Journal.line_prefix(Level::ERROR), "<3>");
        assert_eq!(StderrStyle::Plain.line_prefix(Level::ERROR), "");
    }
}
