//! Stalls: a running session whose agent shows no progress (no output, no open question) for
//! `stallTimeout` (the settings are `orchestrator_config::stall`: besides marking the session
//! and announcing it, `session:stalled` and notifications, the `StallAction` may interrupt or
//! stop it). `StallWatch` is a pump's state: the
//! marked `Stall` (from the mark to the agent's next output), an interrupt on its way, and how
//! often it nudged.
//!
//! A stall is not the idle watchdog: that one (`idleTimeout`, 30 min) ends the agent; a stall
//! (10 min) first tells a person, and may interrupt the turn and nudge the agent. A long silent
//! tool (a build, a test suite) is a stall too: the default action only marks it.

use std::time::{Duration, Instant, SystemTime};

use orchestrator_config::stall::{StallAction, StallSettings};

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
}
