//! The `memory:` table of the daemon's configuration: [`MemorySettings`] (resolved) and
//! [`MemoryLayer`] (one layer of the config file), applied by `DaemonConfig` like its other
//! tables.

use std::time::Duration;

use serde::Deserialize;

use super::MemoryConfig;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The memory settings the daemon runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemorySettings {
    /// Episodic entries older than this are deleted by the janitor (`episodicTtl`).
    pub episodic_ttl: Duration,
    /// Past this many episodic entries the oldest are folded into semantic summaries
    /// (`episodicBudget`).
    pub episodic_budget: usize,
    /// The most tokens of memories given to a new session (`maxContextTokens`, estimated at
    /// 4 characters a token); 0 gives none.
    pub max_context_tokens: usize,
}

impl Default for MemorySettings {
    fn default() -> Self {
        Self {
            episodic_ttl: DAY * 7,
            episodic_budget: 10_000,
            // A short briefing, not a second prompt: ~8 KB of text.
            max_context_tokens: 2_000,
        }
    }
}

impl MemorySettings {
    /// The library configuration for these settings (the other knobs keep their defaults).
    pub fn store_config(&self) -> MemoryConfig {
        MemoryConfig {
            episodic_ttl: self.episodic_ttl,
            episodic_budget: self.episodic_budget,
            ..MemoryConfig::default()
        }
    }
}

/// The `memory:` table as the config file spells it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemoryLayer {
    /// `episodicTtl`, milliseconds
    pub episodic_ttl: Option<i64>,
    /// `episodicBudget`, entries
    pub episodic_budget: Option<i64>,
    /// `maxContextTokens`
    pub max_context_tokens: Option<i64>,
}

impl MemoryLayer {
    /// The layer that reproduces `settings` (for `DaemonConfig::validate`).
    pub fn from_settings(settings: &MemorySettings) -> Self {
        Self {
            episodic_ttl: i64::try_from(settings.episodic_ttl.as_millis()).ok(),
            episodic_budget: i64::try_from(settings.episodic_budget).ok(),
            max_context_tokens: i64::try_from(settings.max_context_tokens).ok(),
        }
    }

    /// Applies this layer over `target`; on a bad value returns `(field, value, rule)`.
    pub fn apply_to(
        &self,
        target: &mut MemorySettings,
    ) -> Result<(), (&'static str, i64, &'static str)> {
        if let Some(ms) = self.episodic_ttl {
            target.episodic_ttl = u64::try_from(ms)
                .ok()
                .filter(|ms| *ms >= 60_000)
                .map(Duration::from_millis)
                .ok_or(("memory.episodicTtl", ms, "must be at least 60000 ms"))?;
        }
        if let Some(n) = self.episodic_budget {
            target.episodic_budget = usize::try_from(n)
                .ok()
                .filter(|n| (10..=100_000_000).contains(n))
                .ok_or(("memory.episodicBudget", n, "must be 10–100000000"))?;
        }
        if let Some(n) = self.max_context_tokens {
            target.max_context_tokens = usize::try_from(n)
                .ok()
                .filter(|n| *n <= 200_000)
                .ok_or(("memory.maxContextTokens", n, "must be 0–200000"))?;
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
        };
        layer.apply_to(&mut settings).unwrap();
        assert_eq!(settings.episodic_ttl, Duration::from_secs(3600));
        assert_eq!(
            (settings.episodic_budget, settings.max_context_tokens),
            (50, 0)
        );
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
    }
}
