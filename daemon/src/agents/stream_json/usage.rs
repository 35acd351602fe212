//! Token counts: [`Usage`].

use serde::{Deserialize, Serialize};

use super::lenient;

/// Token counts of one message or one turn. Every field tolerates `null`/absence (0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct Usage {
    #[serde(deserialize_with = "lenient")]
    pub input_tokens: u64,
    #[serde(deserialize_with = "lenient")]
    pub output_tokens: u64,
    #[serde(deserialize_with = "lenient")]
    pub cache_creation_input_tokens: u64,
    #[serde(deserialize_with = "lenient")]
    pub cache_read_input_tokens: u64,
}

impl Usage {
    /// Tokens used, as counted against budgets and shown as `tokensUsed`:
    /// `input + output + cache_creation`.
    ///
    /// Cache reads are left out on purpose: every API call of a turn re-reads the whole cached
    /// conversation prefix, so counting them would charge a long session for the same context
    /// over and over (they are typically 10–100x the other counts) and cost about a tenth of
    /// normal input. Cache creation is new input the model processed (billed at a premium),
    /// so it counts. `cache_read_input_tokens` is still reported for whoever wants it.
    pub fn total(&self) -> u64 {
        self.input_tokens
            .saturating_add(self.output_tokens)
            .saturating_add(self.cache_creation_input_tokens)
    }
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, rhs: Usage) {
        self.input_tokens = self.input_tokens.saturating_add(rhs.input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(rhs.output_tokens);
        self.cache_creation_input_tokens = self
            .cache_creation_input_tokens
            .saturating_add(rhs.cache_creation_input_tokens);
        self.cache_read_input_tokens = self
            .cache_read_input_tokens
            .saturating_add(rhs.cache_read_input_tokens);
    }
}
