//! The core's charter side (`impl Core`): the charter in force and its reload, the slot cap it
//! sets, the pending approvals, and the token pools with their warning and spawn check.

use std::sync::Arc;

use super::Core;
use crate::charter::active::{ActiveCharter, ActiveError, CharterHolder};
use crate::charter::approvals::Approvals;
use crate::model::ApprovalRequest;
use crate::model::{DaemonEvent, OutputKind, SessionOutput, SessionType, WaitingFor};
use orchestrator_charter::budget::{BudgetStatus, Pool, TokenPools};

impl Core {
    /// The cap on sessions holding a slot: the configured one, or a charter file's
    /// `resourceLimits.maxSessions` when that is smaller. The built-in defaults (no charter
    /// file) set no cap of their own, so the configured `maxSessions` alone applies.
    pub fn max_sessions(&self) -> u32 {
        let active = self.charter();
        let charter = u32::try_from(active.charter.resource_limits.max_sessions)
            .ok()
            .filter(|m| *m >= 1 && active.source.is_some())
            .unwrap_or(u32::MAX);
        self.config.max_sessions.min(charter)
    }

    /// Gives the core the charter to enforce (once; later changes go through its reload).
    pub fn install_charter(&self, holder: CharterHolder) {
        let mut pools = TokenPools::from_charter(&holder.current().charter);
        // Windows follow the clock (a day from UTC midnight, an hour from its start), so usage
        // recorded before a restart still falls in the right one.
        let now = unix_now();
        pools.window_start = pools.period_secs.map_or(now, |p| now - now % p);
        *self.budget.lock() = pools;
        let _ = self.charter.set(holder);
    }

    /// The charter file holder, once installed.
    pub fn charter_holder(&self) -> Option<&CharterHolder> {
        self.charter.get()
    }

    /// The charter in force: the installed one, else the built-in defaults.
    pub fn charter(&self) -> Arc<ActiveCharter> {
        static DEFAULTS: std::sync::OnceLock<Arc<ActiveCharter>> = std::sync::OnceLock::new();
        match self.charter.get() {
            Some(holder) => holder.current(),
            None => DEFAULTS
                .get_or_init(|| Arc::new(ActiveCharter::defaults("no charter installed")))
                .clone(),
        }
    }

    /// Re-reads the charter file, off the async runtime and one reload at a time; on error the
    /// previous charter stays. The token pools are resized from the new charter and keep what
    /// was used. Dropping the future abandons the reload and changes nothing.
    pub async fn reload_charter(&self) -> Result<Arc<ActiveCharter>, ActiveError> {
        let holder = self.charter.get_or_init(|| {
            CharterHolder::with(
                std::path::PathBuf::new(),
                false,
                ActiveCharter::defaults("no charter installed"),
            )
        });
        let active = holder.reload().await?;
        let mut pools = self.budget.lock();
        // From the charter in force now, not `active`: a later reload may have replaced it
        // already, and its pool sizes must win.
        let fresh = TokenPools::from_charter(&holder.current().charter);
        pools.subscription_limit = fresh.subscription_limit;
        pools.api_limit = fresh.api_limit;
        pools.period_secs = fresh.period_secs;
        Ok(active)
    }

    /// The pending approval requests.
    pub fn approvals(&self) -> &Approvals {
        &self.approvals
    }

    /// Announces an open question to a person: the event (doors, notifications), the session's
    /// output (`logs -f`) and its `waitingFor` (unless it already shows an older question).
    pub fn announce_approval(&self, request: &ApprovalRequest) {
        self.emit(DaemonEvent::ApprovalRequired(Box::new(request.clone())));
        self.emit_approval_output(request);
        if self.is_live_session(&request.session_id) {
            self.update_session(&request.session_id, |s| {
                if !s.status.is_ended() && s.waiting_for.is_none() {
                    s.waiting_for = Some(waiting_for(request));
                }
            });
        }
    }

    /// Announces a question that was answered or expired (the event and the session's
    /// output); the waiting side clears the session's mark ([`Core::clear_waiting`]).
    pub fn announce_resolution(&self, request: &ApprovalRequest) {
        self.emit(DaemonEvent::ApprovalResolved(Box::new(request.clone())));
        self.emit_approval_output(request);
    }

    /// Session `session_id` no longer waits on approval `approval_id`. An agent may ask
    /// several things at once (Claude Code asks about the concurrency-safe tools of one reply
    /// together), so the session then shows the oldest question still open, if any.
    pub fn clear_waiting(&self, session_id: &str, approval_id: &str) {
        if !self.is_live_session(session_id) {
            return;
        }
        let mut shown = approval_id.to_owned();
        loop {
            let marked = self
                .session(session_id)
                .and_then(|s| s.waiting_for)
                .is_some_and(|w| w.approval_id == shown);
            if !marked {
                return;
            }
            let next = self
                .approvals
                .list()
                .into_iter()
                .find(|r| r.session_id == session_id);
            let mut replaced = false;
            self.update_session(session_id, |s| {
                if s.waiting_for
                    .as_ref()
                    .is_some_and(|w| w.approval_id == shown)
                {
                    s.waiting_for = next.as_ref().map(waiting_for);
                    replaced = true;
                }
            });
            // The next one may have been answered meanwhile, its own clear finding the old
            // mark: then it is this call's to replace.
            match next {
                Some(next) if replaced && !self.approvals.is_pending(&next.id) => shown = next.id,
                _ => return,
            }
        }
    }

    /// Whether session `session_id` runs an agent that asks through its permission prompt
    /// (a live claude-code session of this daemon), so its hooks need not wait for a person.
    pub fn asks_through_prompt(&self, session_id: &str) -> bool {
        self.lock()
            .registry
            .get(session_id)
            .is_some_and(|s| s.session_type == SessionType::ClaudeCode && s.status.is_active())
    }

    /// Whether session `session_id` runs an agent whose only channel to a person is its
    /// hooks (a live Claude Flow session: ruflo owns its Claude Code's stdin), so what the
    /// charter leaves to a person waits in the hook instead of being Claude Code's instant
    /// "ask" denial in `-p` mode.
    pub fn asks_through_hook(&self, session_id: &str) -> bool {
        self.lock().registry.get(session_id).is_some_and(|s| {
            matches!(s.session_type, SessionType::ClaudeFlow | SessionType::Ruflo)
                && s.status.is_active()
        })
    }

    fn is_live_session(&self, session_id: &str) -> bool {
        self.lock()
            .registry
            .get(session_id)
            .is_some_and(|s| !s.status.is_ended())
    }

    fn emit_approval_output(&self, request: &ApprovalRequest) {
        if self.is_live_session(&request.session_id) {
            self.emit_output(SessionOutput {
                session_id: request.session_id.clone(),
                at: std::time::SystemTime::now(),
                kind: OutputKind::Approval(Box::new(request.clone())),
            });
        }
    }

    /// The token pools: limits from the charter, usage in the current window (see
    /// `TokenPools::roll`).
    pub fn token_pools(&self) -> TokenPools {
        let mut pools = self.budget.lock();
        pools.roll(unix_now());
        pools.clone()
    }

    /// Counts `tokens` used by an agent whose credential source is `api_key_source`, and
    /// announces `budget:warning` when its pool crosses 80% or is spent.
    pub fn record_tokens(&self, api_key_source: Option<&str>, tokens: u64) {
        let pool = Pool::from_api_key_source(api_key_source.unwrap_or("none"));
        let (before, after, pools) = {
            let mut pools = self.budget.lock();
            pools.roll(unix_now());
            let before = pools.check(pool);
            pools.record(pool, tokens);
            (before, pools.check(pool), pools.clone())
        };
        if after != before && after != BudgetStatus::Ok {
            let (name, used, limit) = match pool {
                Pool::Subscription => (
                    "subscription",
                    pools.subscription_used,
                    pools.subscription_limit,
                ),
                Pool::Api => ("api", pools.api_used, pools.api_limit),
            };
            let limit = limit.unwrap_or_default();
            tracing::warn!(pool = name, used, limit, "token budget warning");
            self.emit(DaemonEvent::BudgetWarning {
                pool: name,
                used,
                limit,
            });
        }
    }

    /// Counts the tokens of stored sessions (from before a restart) that started in the
    /// current window; with a lifetime `total`, all of them.
    pub(super) fn seed_token_pools(&self, sessions: &[crate::model::Session]) {
        let mut pools = self.budget.lock();
        pools.roll(unix_now());
        let since = pools.period_secs.map_or(0, |_| pools.window_start);
        for session in sessions {
            let started = session
                .started_at
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            if started >= since && session.metrics.tokens_used > 0 {
                let pool =
                    Pool::from_api_key_source(session.api_key_source.as_deref().unwrap_or("none"));
                pools.record(pool, session.metrics.tokens_used);
            }
        }
    }

    /// Refuses a spawn when the token pool the agent would draw from is spent. The pool is
    /// predicted the way Claude Code picks its credential: an `ANTHROPIC_API_KEY` in the
    /// daemon's environment means the API pool, else the subscription.
    pub fn check_spawn_budget(&self) -> Result<(), SpentPool> {
        let pool = if std::env::var_os("ANTHROPIC_API_KEY").is_some_and(|v| !v.is_empty()) {
            Pool::Api
        } else {
            Pool::Subscription
        };
        let pools = self.token_pools();
        if pools.check(pool) != BudgetStatus::Exhausted {
            return Ok(());
        }
        let (name, used, limit) = match pool {
            Pool::Subscription => (
                "subscription",
                pools.subscription_used,
                pools.subscription_limit,
            ),
            Pool::Api => ("api", pools.api_used, pools.api_limit),
        };
        Err(SpentPool {
            pool: name,
            used,
            limit: limit.unwrap_or_default(),
        })
    }
}

/// A token pool that is spent: why [`Core::check_spawn_budget`] refuses a spawn (the
/// supervisor reports it as its `BudgetExhausted` error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpentPool {
    /// `subscription` or `api`.
    pub pool: &'static str,
    /// Tokens used.
    pub used: u64,
    /// The pool's size.
    pub limit: u64,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What a session waiting on `request` shows.
fn waiting_for(request: &ApprovalRequest) -> WaitingFor {
    WaitingFor {
        approval_id: request.id.clone(),
        kind: request.kind,
        tool: request.tool.clone(),
        summary: request.summary(),
        since: request.created,
    }
}
