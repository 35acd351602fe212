//! Token pool arithmetic: [`TokenPools`], [`Pool`], [`BudgetStatus`].
//!
//! The configured total is split by the `subscription`/`api` percentages: `tokenBudget.total`
//! counts for the daemon's lifetime; else `daily` for a day, else `hourly` for an hour, after
//! which the usage starts again from zero ([`TokenPools::roll`]). A pool with no configured
//! total is unlimited (always `Ok`).

use super::schema::Charter;
use super::validate::parse_percentage;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    Subscription,
    Api,
}

impl Pool {
    /// From the stream-json init event's `apiKeySource`: "none" means the login subscription.
    pub fn from_api_key_source(source: &str) -> Self {
        if source == "none" {
            Self::Subscription
        } else {
            Self::Api
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetStatus {
    Ok,
    /// At or above 80% of the pool.
    Warning80,
    Exhausted,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenPools {
    /// Pool sizes; `None` = unlimited.
    pub subscription_limit: Option<u64>,
    pub api_limit: Option<u64>,
    pub subscription_used: u64,
    pub api_used: u64,
    /// The window length in seconds; `None` = no window.
    pub period_secs: Option<u64>,
    /// When the current window began (seconds since the Unix epoch).
    pub window_start: u64,
}

impl TokenPools {
    pub fn from_charter(charter: &Charter) -> Self {
        let tb = &charter.resource_limits.token_budget;
        let (total, period_secs) = match (tb.total, tb.daily, tb.hourly) {
            (Some(t), _, _) => (Some(t), None),
            (None, Some(d), _) => (Some(d), Some(86_400)),
            (None, None, Some(h)) => (Some(h), Some(3_600)),
            _ => (None, None),
        };
        let total = total.filter(|t| *t > 0).map(|t| t as u64);
        let share = |pct: &str| {
            let p = parse_percentage(pct)?;
            total.map(|t| (t as f64 * p / 100.0).floor() as u64)
        };
        Self {
            subscription_limit: share(&tb.subscription),
            api_limit: share(&tb.api),
            period_secs,
            ..Self::default()
        }
    }

    /// Starts a new window when the current one is over at `now` (Unix seconds).
    pub fn roll(&mut self, now: u64) {
        match self.period_secs {
            Some(period) if now >= self.window_start.saturating_add(period) => {
                self.subscription_used = 0;
                self.api_used = 0;
                self.window_start = now - (now.saturating_sub(self.window_start) % period);
            }
            _ => {}
        }
    }

    pub fn record(&mut self, pool: Pool, tokens: u64) {
        let used = match pool {
            Pool::Subscription => &mut self.subscription_used,
            Pool::Api => &mut self.api_used,
        };
        *used = used.saturating_add(tokens);
    }

    pub fn check(&self, pool: Pool) -> BudgetStatus {
        let (limit, used) = match pool {
            Pool::Subscription => (self.subscription_limit, self.subscription_used),
            Pool::Api => (self.api_limit, self.api_used),
        };
        match limit {
            None => BudgetStatus::Ok,
            Some(l) if used >= l => BudgetStatus::Exhausted,
            // used/l >= 0.8 without floating point.
            Some(l) if used.saturating_mul(5) >= l.saturating_mul(4) => BudgetStatus::Warning80,
            Some(_) => BudgetStatus::Ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_thresholds() {
        let mut c = Charter::default();
        c.resource_limits.token_budget.daily = Some(1000);
        let mut p = TokenPools::from_charter(&c);
        assert_eq!((p.subscription_limit, p.api_limit), (Some(800), Some(200)));
        let api = Pool::from_api_key_source("ANTHROPIC_API_KEY");
        assert_eq!(Pool::from_api_key_source("none"), Pool::Subscription);
        p.record(api, 159);
        assert_eq!(p.check(api), BudgetStatus::Ok);
        p.record(api, 1);
        assert_eq!(p.check(api), BudgetStatus::Warning80);
        p.record(api, 40);
        assert_eq!(p.check(api), BudgetStatus::Exhausted);
        assert_eq!(p.check(Pool::Subscription), BudgetStatus::Ok);
        assert_eq!(
            TokenPools::from_charter(&Charter::default()).check(api),
            BudgetStatus::Ok
        );
        // A daily budget starts again after a day.
        p.window_start = 1_000;
        p.roll(1_000 + 86_399);
        assert_eq!(p.check(api), BudgetStatus::Exhausted);
        p.roll(1_000 + 86_400 * 2 + 5);
        assert_eq!(
            (p.check(api), p.window_start),
            (BudgetStatus::Ok, 1_000 + 86_400 * 2)
        );
        c.resource_limits.token_budget.total = Some(500);
        assert_eq!(TokenPools::from_charter(&c).period_secs, None);
    }
}
