//! [`MessageUsage`]: the token usage of one turn's assistant messages, in memory that does not
//! grow with the number of messages.
//!
//! Claude Code repeats a message's usage on every content block it emits separately, and the
//! last repetition is the message's usage (output tokens grow as the message streams). So a
//! message's usage may only be added once no more of its blocks can come. Its blocks come
//! together (interleaved at most with those of a few parallel subagents), so the latest usage
//! of the [`RECENT_MESSAGES`] most recently seen message ids is kept, and a message that falls
//! out of that window is folded into a running sum.

use std::collections::VecDeque;

use crate::agents::stream_json::Usage;

/// Message ids whose usage may still be replaced by a later block of the same message. A
/// message whose blocks are further apart than this many other messages would be counted
/// once per stretch; Claude Code never interleaves that many.
pub(super) const RECENT_MESSAGES: usize = 64;

/// The usage of a turn's assistant messages: a sum of settled messages plus a bounded window
/// of recent ones.
#[derive(Debug, Default)]
pub(super) struct MessageUsage {
    /// Messages that fell out of the window, and messages without an id.
    settled: Usage,
    /// The latest usage of the most recently seen message ids, oldest first.
    recent: VecDeque<(String, Usage)>,
}

impl MessageUsage {
    /// Records the usage one assistant event carried for message `id`.
    pub(super) fn record(&mut self, id: Option<&str>, usage: Usage) {
        let Some(id) = id else {
            self.settled += usage;
            return;
        };
        if let Some((_, latest)) = self.recent.iter_mut().find(|(seen, _)| seen == id) {
            *latest = usage;
            return;
        }
        if self.recent.len() == RECENT_MESSAGES
            && let Some((_, oldest)) = self.recent.pop_front()
        {
            self.settled += oldest;
        }
        self.recent.push_back((id.to_owned(), usage));
    }

    /// Every message's (latest) usage, summed.
    pub(super) fn total(&self) -> Usage {
        self.recent
            .iter()
            .fold(self.settled, |mut sum, (_, usage)| {
                sum += *usage;
                sum
            })
    }

    /// How many message ids are held (at most [`RECENT_MESSAGES`]).
    #[cfg(test)]
    pub(super) fn ids_held(&self) -> usize {
        self.recent.len()
    }
}
