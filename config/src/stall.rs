//! The stall settings: the config file's `stallTimeout`, `stallAction` and `stallNudge`
//! ([`StallSettings`]); [`StallAction`] is what the supervisor does besides marking a stalled
//! session and announcing it. The watch itself is the daemon's (`supervisor::stall`).

use std::time::Duration;

/// What the nudge says when the config does not.
pub const DEFAULT_NUDGE: &str = "You have shown no progress for a while, so your last step was \
     interrupted. If you are stuck, say what is blocking you; otherwise continue with the task.";

/// What to do when a session stalls, besides marking and announcing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StallAction {
    /// Only mark and announce it.
    #[default]
    None,
    /// Interrupt the agent's turn and send the nudge as a new turn (Claude Code sessions;
    /// others are only marked).
    Interrupt,
    /// Stop the agent; the session fails with the reason.
    Stop,
}

impl StallAction {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Interrupt => "interrupt",
            Self::Stop => "stop",
        }
    }

    /// Parses the config spelling.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::None, Self::Interrupt, Self::Stop]
            .into_iter()
            .find(|a| a.as_str() == text)
    }
}

/// The stall settings the daemon runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StallSettings {
    /// `stallTimeout`: quiet this long while a turn is open is a stall; `None` = never.
    pub timeout: Option<Duration>,
    /// `stallAction`.
    pub action: StallAction,
    /// `stallNudge`: the turn sent after an interrupt.
    pub nudge: String,
}

impl Default for StallSettings {
    fn default() -> Self {
        Self {
            timeout: Some(Duration::from_secs(10 * 60)),
            action: StallAction::None,
            nudge: DEFAULT_NUDGE.to_owned(),
        }
    }
}

/// A refused value: the key, the value as given, why.
pub type Refusal = (&'static str, String, &'static str);

impl StallSettings {
    /// Applies one config layer's `stallTimeout` (ms; 0 = never), `stallAction` and
    /// `stallNudge`; a refused value changes nothing.
    pub fn apply(
        &mut self,
        timeout_ms: Option<i64>,
        action: Option<&str>,
        nudge: Option<&str>,
    ) -> Result<(), Refusal> {
        let mut next = self.clone();
        if let Some(ms) = timeout_ms {
            next.timeout = match u64::try_from(ms) {
                Ok(0) => None,
                Ok(ms) if ms >= 1000 => Some(Duration::from_millis(ms)),
                _ => {
                    return Err((
                        "stallTimeout",
                        ms.to_string(),
                        "must be 0 (never) or at least 1000 ms",
                    ));
                }
            };
        }
        if let Some(action) = action {
            next.action = StallAction::parse(action).ok_or((
                "stallAction",
                action.to_owned(),
                "must be none, interrupt or stop",
            ))?;
        }
        if let Some(nudge) = nudge {
            if nudge.trim().is_empty() {
                return Err(("stallNudge", String::new(), "must not be empty"));
            }
            next.nudge = nudge.to_owned();
        }
        *self = next;
        Ok(())
    }

    /// `stallTimeout` in the config's spelling (ms, 0 = never).
    pub fn timeout_ms(&self) -> i64 {
        self.timeout
            .map_or(0, |t| i64::try_from(t.as_millis()).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layer_is_applied_whole_or_not_at_all() {
        let mut settings = StallSettings::default();
        settings
            .apply(Some(120_000), Some("interrupt"), Some("Go on."))
            .unwrap();
        assert_eq!(settings.timeout, Some(Duration::from_secs(120)));
        assert_eq!(settings.action, StallAction::Interrupt);
        assert_eq!(settings.nudge, "Go on.");

        let before = settings.clone();
        let refused = settings.apply(Some(5_000), Some("restart"), None);
        assert_eq!(
            refused,
            Err((
                "stallAction",
                "restart".to_owned(),
                "must be none, interrupt or stop"
            ))
        );
        assert_eq!(settings, before, "a refused layer changes nothing");
        assert!(settings.apply(Some(999), None, None).is_err());
        assert!(settings.apply(Some(-1), None, None).is_err());
        assert!(settings.apply(None, None, Some("  ")).is_err());
        assert_eq!(settings, before);

        settings.apply(Some(0), None, None).unwrap();
        assert_eq!(settings.timeout, None, "0 turns stall detection off");
        assert_eq!(settings.timeout_ms(), 0);
    }
}
