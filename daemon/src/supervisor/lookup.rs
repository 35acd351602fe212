//! Finding sessions for requests: [`Supervisor::session`] and [`Supervisor::resolve`] take an
//! id or a unique prefix of one (as git and docker do, the `session_` part optional), and a
//! session's files and past output ([`Supervisor::follow_output`]).

use std::path::PathBuf;

use super::Supervisor;
use super::error::SessionError;
use crate::core::FollowStart;
use crate::model::Session;

/// How many of the sessions an ambiguous prefix names the error lists.
const AMBIGUOUS_SHOWN: usize = 5;

impl Supervisor {
    /// Where session `id`'s raw agent output is kept.
    pub fn transcript_path(&self, id: &str) -> PathBuf {
        self.session_dir(id).join(super::actor::TRANSCRIPT)
    }

    /// Session `id`'s past output (at most 2048 events, oldest first) and every
    /// output event after it. What this process no longer holds in memory (after a restart,
    /// or early in a long session) comes from the session's history file: only events older
    /// than the in-memory backlog's first, so none is missed or repeated.
    pub async fn follow_output(&self, id: &str) -> FollowStart {
        super::history::follow_output(&self.core, &self.context.sessions_dir, id).await
    }

    /// Session `id`, or `NotFound`.
    pub fn session(&self, id: &str) -> Result<Session, SessionError> {
        if let Some(session) = self.core.find_session(id).map_err(SessionError::Store)? {
            return Ok(session);
        }
        let id = self.resolve(id)?;
        self.core
            .find_session(&id)
            .map_err(SessionError::Store)?
            .ok_or(SessionError::NotFound { id })
    }

    /// The id of the one session `given` names: its id, or a prefix of it no other session
    /// shares (see `Core::sessions_named`).
    pub fn resolve(&self, given: &str) -> Result<String, SessionError> {
        let mut ids = self
            .core
            .sessions_named(given, AMBIGUOUS_SHOWN + 1)
            .map_err(SessionError::Store)?;
        match ids.len() {
            0 => Err(SessionError::NotFound {
                id: given.to_owned(),
            }),
            1 => Ok(ids.remove(0)),
            _ => Err(SessionError::Ambiguous {
                given: given.to_owned(),
                more: ids.len() > AMBIGUOUS_SHOWN,
                candidates: ids.into_iter().take(AMBIGUOUS_SHOWN).collect(),
            }),
        }
    }
}
