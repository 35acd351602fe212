//! Stalls: a running session whose agent shows no progress (no output, no open question) for
//! `stallTimeout`. [`StallSettings`] are the config file's `stallTimeout`, `stallAction` and
//! `stallNudge`; [`StallAction`] is what the supervisor does besides marking the session and
//! announcing it (`session:stalled`, notifications); [`StallWatch`] is a pump's state: the
//! marked [`Stall`] (from the mark to the agent's next output), an interrupt on its way, and how
//! often it nudged.
//!
//! A stall is not the idle watchdog: that one (`idleTimeout`, 30 min) ends the agent; a stall
//! (10 min) first tells a person, and may interrupt the turn and nudge the agent. A long silent
//! tool (a build, a test suite) is a stall too: the default action only marks it.

use std::time::{Duration, Instant, SystemTime};

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

/// How many times in a row a session is interrupted and nudged without a turn completing in
/// between; after that its stalls are only marked, so a model that keeps getting stuck does not
/// spend tokens on nudges forever.
pub const MAX_NUDGES_IN_A_ROW: u32 = 3;

/// One quiet stretch of a session's agent, once it counts as a stall.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stall {
    /// When the agent last showed progress.
    pub since: SystemTime,
    /// Quiet for this long when it was marked.
    pub idle_for: Duration,
}

impl Stall {
    /// `no progress for 10m`, for reasons and output lines.
    pub fn describe(&self) -> String {
        format!(
            "no progress for {}",
            humantime::format_duration(Duration::from_secs(self.idle_for.as_secs()))
        )
    }
}

/// What the pump does when a stall begins.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StallStep {
    /// Mark and announce it only (`stallAction: none`, or nothing more can be done: the text
    /// says why).
    Mark(Option<String>),
    /// Also interrupt the turn; the nudge follows when the interrupted turn has ended.
    Interrupt,
    /// Also stop the agent with this reason.
    Stop(String),
}

/// A pump's stall state: the marked stall, an interrupt on its way, the nudges so far.
#[derive(Debug, Default)]
pub(crate) struct StallWatch {
    stall: Option<Stall>,
    /// The interrupted turn's failure text, until that turn ends.
    interrupting: Option<String>,
    nudges_in_a_row: u32,
}

impl StallWatch {
    /// When the current quiet stretch becomes a stall: `None` while one is marked, while
    /// nothing is expected of the agent (`watching` false), or when stalls are off.
    pub fn deadline(
        &self,
        settings: &StallSettings,
        last_output: Instant,
        watching: bool,
    ) -> Option<Instant> {
        match settings.timeout {
            Some(timeout) if watching && self.stall.is_none() => Some(last_output + timeout),
            _ => None,
        }
    }

    /// Marks the stall of an agent quiet since `last_output`; says what to do about it.
    /// `can_interrupt`: the agent has a control channel (Claude Code with its stdin open).
    pub fn begin(
        &mut self,
        settings: &StallSettings,
        last_output: Instant,
        can_interrupt: bool,
    ) -> (Stall, StallStep) {
        let idle_for = last_output.elapsed();
        let stall = Stall {
            since: SystemTime::now() - idle_for,
            idle_for,
        };
        self.stall = Some(stall);
        let step = match settings.action {
            StallAction::None => StallStep::Mark(None),
            StallAction::Stop => StallStep::Stop(format!("stopped: stalled, {}", stall.describe())),
            StallAction::Interrupt if !can_interrupt => StallStep::Mark(Some(
                "this agent cannot be interrupted, so it is only marked".to_owned(),
            )),
            StallAction::Interrupt if self.nudges_in_a_row >= MAX_NUDGES_IN_A_ROW => {
                StallStep::Mark(Some(format!(
                    "it was nudged {MAX_NUDGES_IN_A_ROW} times in a row already, so it is only \
                     marked"
                )))
            }
            StallAction::Interrupt => {
                self.nudges_in_a_row += 1;
                self.interrupting = Some(format!("interrupted: {}", stall.describe()));
                StallStep::Interrupt
            }
        };
        (stall, step)
    }

    /// The agent showed progress: whether that ends a marked stall.
    pub fn progress(&mut self) -> bool {
        self.stall.take().is_some()
    }

    /// A turn ended (`completed` or not): the failure text to record instead of the agent's
    /// when it is the interrupted turn (then the nudge is due).
    pub fn turn_ended(&mut self, completed: bool) -> Option<String> {
        if completed {
            self.nudges_in_a_row = 0;
            self.interrupting = None;
            return None;
        }
        self.interrupting.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interrupting() -> StallSettings {
        StallSettings {
            action: StallAction::Interrupt,
            ..StallSettings::default()
        }
    }

    #[test]
    fn a_stall_is_marked_once_per_quiet_stretch() {
        let settings = StallSettings::default();
        let mut watch = StallWatch::default();
        let quiet_since = Instant::now();
        assert_eq!(
            watch.deadline(&settings, quiet_since, true),
            Some(quiet_since + Duration::from_secs(600))
        );
        assert_eq!(watch.deadline(&settings, quiet_since, false), None);
        let (_, step) = watch.begin(&settings, quiet_since, true);
        assert_eq!(step, StallStep::Mark(None));
        assert_eq!(watch.deadline(&settings, quiet_since, true), None);
        assert!(watch.progress(), "output ends the stall");
        assert!(!watch.progress());
        assert!(watch.deadline(&settings, Instant::now(), true).is_some());
        let off = StallSettings {
            timeout: None,
            ..StallSettings::default()
        };
        assert_eq!(watch.deadline(&off, quiet_since, true), None);
    }

    #[test]
    fn the_interrupted_turn_fails_with_the_reason_and_nudges_are_bounded() {
        let settings = interrupting();
        let mut watch = StallWatch::default();
        for _ in 0..MAX_NUDGES_IN_A_ROW {
            assert_eq!(
                watch.begin(&settings, Instant::now(), true).1,
                StallStep::Interrupt
            );
            watch.progress();
            let reason = watch.turn_ended(false).expect("the interrupted turn");
            assert!(
                reason.starts_with("interrupted: no progress for "),
                "{reason}"
            );
            assert_eq!(watch.turn_ended(false), None, "only that turn");
        }
        assert!(matches!(
            watch.begin(&settings, Instant::now(), true).1,
            StallStep::Mark(Some(_))
        ));
        watch.progress();
        assert_eq!(watch.turn_ended(true), None);
        assert_eq!(
            watch.begin(&settings, Instant::now(), true).1,
            StallStep::Interrupt,
            "a completed turn resets the count"
        );
        watch.progress();
        assert_eq!(
            watch.turn_ended(true),
            None,
            "it completed before the interrupt"
        );
        assert!(matches!(
            watch.begin(&settings, Instant::now(), false).1,
            StallStep::Mark(Some(_))
        ));
        let stop = StallSettings {
            action: StallAction::Stop,
            ..StallSettings::default()
        };
        assert!(matches!(
            StallWatch::default().begin(&stop, Instant::now(), true).1,
            StallStep::Stop(reason) if reason.starts_with("stopped: stalled, no progress for ")
        ));
    }

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
