//! The `memory:` table of the daemon's configuration: [`MemorySettings`] (resolved) and
//! [`MemoryLayer`] (one layer of the config file), applied by `DaemonConfig` like its other
//! tables.

use std::time::Duration;

use serde::Deserialize;

/// The default relevance floor: a memory must match more than a third of the query's IDF mass
/// (one word of three is not enough); the lowest floor at which no unrelated query of the
/// labelled set (`memory/tests/fixtures/memory-relevance.json`) finds anything.
pub const DEFAULT_MIN_RELEVANCE: f64 = 0.35;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The memory settings the daemon runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct MemorySettings {
    /// Episodic entries older than this are deleted by the janitor (`episodicTtl`).
    pub episodic_ttl: Duration,
    /// Past this many episodic entries the oldest are folded into semantic summaries
    /// (`episodicBudget`).
    pub episodic_budget: usize,
    /// The most tokens of memories given to a new session (`maxContextTokens`, estimated at
    /// 4 characters a token); 0 gives none.
    pub max_context_tokens: usize,
    /// The relevance a memory needs to be returned by a search or given to a session
    /// (`minRelevance`, 0–1; see the `memory` module doc).
    pub min_relevance: f64,
}

// `min_relevance` is checked to be within 0–1 wherever it is set, never NaN, so equality is
// total (the daemon's config compares whole settings).
impl Eq for MemorySettings {}

impl Default for MemorySettings {
    fn default() -> Self {
        Self {
            episodic_ttl: DAY * 7,
            episodic_budget: 10_000,
            // A short briefing, not a second prompt: ~8 KB of text.
            max_context_tokens: 2_000,
            min_relevance: DEFAULT_MIN_RELEVANCE,
        }
    }
}

/// The `memory:` table as the config file spells it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemoryLayer {
    /// `episodicTtl`, milliseconds
    pub episodic_ttl: Option<i64>,
    /// `episodicBudget`, entries
    pub episodic_budget: Option<i64>,
    /// `maxContextTokens`
    pub max_context_tokens: Option<i64>,
    /// `minRelevance`, 0–1
    pub min_relevance: Option<f64>,
}

impl MemoryLayer {
    /// The layer that reproduces `settings` (for `DaemonConfig::validate`).
    pub fn from_settings(settings: &MemorySettings) -> Self {
        Self {
            episodic_ttl: i64::try_from(settings.episodic_ttl.as_millis()).ok(),
            episodic_budget: i64::try_from(settings.episodic_budget).ok(),
            max_context_tokens: i64::try_from(settings.max_context_tokens).ok(),
            min_relevance: Some(settings.min_relevance),
        }
    }

    /// Applies this layer over `target`; on a bad value returns `(field, value, rule)`.
    pub fn apply_to(
        &self,
        target: &mut MemorySettings,
    ) -> Result<(), (&'static str, String, &'static str)> {
        let bad = |field, value: &dyn ToString, rule| (field, value.to_string(), rule);
        if let Some(ms) = self.episodic_ttl {
            target.episodic_ttl = u64::try_from(ms)
                .ok()
                .filter(|ms| *ms >= 60_000)
                .map(Duration::from_millis)
                .ok_or_else(|| bad("memory.episodicTtl", &ms, "must be at least 60000 ms"))?;
        }
        if let Some(n) = self.episodic_budget {
            target.episodic_budget = usize::try_from(n)
                .ok()
                .filter(|n| (10..=100_000_000).contains(n))
                .ok_or_else(|| bad("memory.episodicBudget", &n, "must be 10–100000000"))?;
        }
        if let Some(n) = self.max_context_tokens {
            target.max_context_tokens = usize::try_from(n)
                .ok()
                .filter(|n| *n <= 200_000)
                .ok_or_else(|| bad("memory.maxContextTokens", &n, "must be 0–200000"))?;
        }
        if let Some(floor) = self.min_relevance {
            if !(0.0..=1.0).contains(&floor) {
                return Err(bad(
                    "memory.minRelevance",
                    &floor,
                    "must be 0–1 (the share of a query's weight a memory must match; 0 returns every match)",
                ));
            }
            target.min_relevance = floor;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_and_bad_values_name_the_field() {
        let mut settings = MemorySettings::default();
        let layer = MemoryLayer {
            episodic_ttl: Some(3_600_000),
            episodic_budget: Some(50),
            max_context_tokens: Some(0),
            min_relevance: Some(0.5),
        };
        layer.apply_to(&mut settings).unwrap();
        assert_eq!(settings.episodic_ttl, Duration::from_secs(3600));
        assert_eq!(
            (settings.episodic_budget, settings.max_context_tokens),
            (50, 0)
        );
        assert_eq!(settings.min_relevance, 0.5);
        assert_eq!(MemoryLayer::from_settings(&settings), layer);
        let bad = MemoryLayer {
            episodic_ttl: Some(5),
            ..MemoryLayer::default()
        };
        let before = settings.clone();
        assert_eq!(
            bad.apply_to(&mut settings).unwrap_err().0,
            "memory.episodicTtl"
        );
        assert_eq!(settings, before, "a refused layer changes nothing");
        for floor in [f64::NAN, -0.1, 1.5] {
            let bad = MemoryLayer {
                min_relevance: Some(floor),
                ..MemoryLayer::default()
            };
            assert_eq!(
                bad.apply_to(&mut settings).unwrap_err().0,
                "memory.minRelevance"
            );
            assert_eq!(settings, before);
        }
    }
}
