//! The charter the daemon enforces: [`ActiveCharter`] (a loaded, validated and compiled
//! charter, or the built-in defaults) and [`CharterHolder`], which swaps it on reload.
//!
//! Loading rules: a missing file at the default path means built-in defaults (logged at
//! start); a missing file that was named explicitly (`--charter`, `ORCHESTRATOR_CHARTER`) is an
//! error, since a typo must not silently drop every rule. A file that does not parse, or whose
//! validation has errors, is refused with file:line:column and field ([`ActiveError`]); at
//! start the daemon then refuses to start, on reload the previous charter stays. A file over
//! the size limit (`charterMaxBytes`) is refused before it is read.
//!
//! Reloads ([`CharterHolder::reload`]) run one at a time, off the async runtime (see
//! `off_runtime`): the daemon keeps answering while a big file is checked, and a reload
//! abandoned half way (a SIGTERM, a cancelled call) changes nothing.

use parking_lot::RwLock;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use super::off_runtime::{OffRuntimeError, off_runtime};
use orchestrator_charter::load::{CharterError, DEFAULT_MAX_CHARTER_BYTES, load_charter_limited};
use orchestrator_charter::policy::Policy;
use orchestrator_charter::schema::Charter;
use orchestrator_charter::validate::{Finding, Severity};

/// A charter in force.
#[derive(Debug)]
pub struct ActiveCharter {
    /// The effective charter (after `${VAR}` expansion and schema-B mapping).
    pub charter: Charter,
    /// Its compiled matchers.
    pub policy: Policy,
    /// The file it came from; `None` = built-in defaults.
    pub source: Option<PathBuf>,
    /// Why the defaults are in effect, when they are.
    pub defaults_reason: Option<String>,
    /// Loader warnings and validation findings (warnings only: errors refuse the file).
    pub findings: Vec<Finding>,
    /// When it was loaded.
    pub loaded_at: SystemTime,
}

impl ActiveCharter {
    /// Logs which charter is in force and its warnings (at start).
    pub fn log_in_effect(&self) {
        match (&self.source, &self.defaults_reason) {
            (Some(file), _) => tracing::info!(
                charter = %file.display(),
                name = %self.charter.name,
                warnings = self.findings.len(),
                "charter loaded"
            ),
            (None, reason) => tracing::info!(
                reason = reason.as_deref().unwrap_or_default(),
                "charter: built-in defaults"
            ),
        }
        for finding in &self.findings {
            tracing::warn!(code = finding.code, line = ?finding.line, field = ?finding.field, "charter: {}", finding.message);
        }
    }

    /// The built-in defaults (see `schema`), with the reason they are used.
    pub fn defaults(reason: impl Into<String>) -> Self {
        let charter = Charter::default();
        Self {
            policy: Policy::compile(&charter),
            charter,
            source: None,
            defaults_reason: Some(reason.into()),
            findings: Vec::new(),
            loaded_at: SystemTime::now(),
        }
    }

    /// Loads, validates and compiles `path` (at most [`DEFAULT_MAX_CHARTER_BYTES`]).
    /// `explicit`: the path was named by the user, so a missing file is an error rather than a
    /// reason for defaults.
    pub fn load(path: &Path, explicit: bool) -> Result<Self, ActiveError> {
        Self::load_limited(path, explicit, DEFAULT_MAX_CHARTER_BYTES)
    }

    /// [`load`](Self::load) refusing a file over `max_bytes`. Takes as long as the file is
    /// big: call it off the async runtime.
    pub fn load_limited(path: &Path, explicit: bool, max_bytes: u64) -> Result<Self, ActiveError> {
        let loaded = match load_charter_limited(path, max_bytes) {
            Ok(loaded) => loaded,
            Err(CharterError::NotFound { .. }) if !explicit => {
                return Ok(Self::defaults(format!(
                    "no charter file at {}; built-in defaults in effect",
                    path.display()
                )));
            }
            Err(source) => return Err(ActiveError::Load { source }),
        };
        let policy = Policy::compile(&loaded.charter);
        let mut findings = loaded.warnings.clone();
        findings.extend(loaded.validate_compiled(&policy));
        if findings.iter().any(|f| f.severity == Severity::Error) {
            return Err(ActiveError::Invalid {
                file: path.display().to_string(),
                findings,
            });
        }
        Ok(Self {
            policy,
            charter: loaded.charter,
            source: Some(path.to_path_buf()),
            defaults_reason: None,
            findings,
            loaded_at: SystemTime::now(),
        })
    }
}

/// Why a charter file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ActiveError {
    /// Not found (when named explicitly), unreadable, or not a valid YAML charter.
    #[error("cannot load the charter")]
    Load {
        /// file:line:column and field, when known.
        #[source]
        source: CharterError,
    },
    /// It parses but breaks validation rules.
    #[error("invalid charter {file}: {}", render_errors(file, findings))]
    Invalid {
        /// The file.
        file: String,
        /// Every finding (errors and warnings).
        findings: Vec<Finding>,
    },
    /// The thread checking the file failed.
    #[error("the charter was not reloaded")]
    Worker {
        /// How it failed.
        #[source]
        source: OffRuntimeError,
    },
}

impl ActiveError {
    /// The stable reason (see `orchestrator_api::error_codes`).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Load {
                source: CharterError::NotFound { .. },
            } => "CHARTER_NOT_FOUND",
            Self::Load {
                source: CharterError::Read { .. },
            } => "CHARTER_UNREADABLE",
            Self::Load {
                source: CharterError::TooLarge { .. },
            } => "CHARTER_TOO_LARGE",
            // A file that does not parse is as invalid as one that breaks the rules.
            Self::Load { .. } | Self::Invalid { .. } => "CHARTER_INVALID",
            Self::Worker { .. } => "CHARTER_RELOAD_FAILED",
        }
    }

    /// What to do about it.
    pub fn remedy(&self) -> &'static str {
        match self {
            Self::Worker { .. } => {
                "the previous charter stays in force; reload again, and if it fails again see \
                 the daemon log (wundr orchestrator logs)"
            }
            _ => {
                "fix the charter file (check it with: wundr orchestrator charter validate FILE), \
                 or point --charter / ORCHESTRATOR_CHARTER at another file"
            }
        }
    }
}

/// `file:line: CODE message (field x)` for each error finding, joined with `; `.
pub fn render_errors(file: &str, findings: &[Finding]) -> String {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| render_finding(file, f))
        .collect::<Vec<_>>()
        .join("; ")
}

/// One finding as `file:line: CODE: message (field x)`.
pub fn render_finding(file: &str, f: &Finding) -> String {
    let line = f.line.map(|l| format!(":{l}")).unwrap_or_default();
    let field = f
        .field
        .as_deref()
        .map(|p| format!(" (field {p})"))
        .unwrap_or_default();
    format!("{file}{line}: {}: {}{field}", f.code, f.message)
}

/// The charter in force, swapped whole on reload so a decision never sees half of two.
#[derive(Debug)]
pub struct CharterHolder {
    path: PathBuf,
    explicit: bool,
    max_bytes: u64,
    current: RwLock<Arc<ActiveCharter>>,
    /// One reload at a time, so a slow reload of an older file never replaces a newer one.
    reloading: Arc<tokio::sync::Mutex<()>>,
}

impl CharterHolder {
    /// Loads `path` (see [`ActiveCharter::load`]).
    pub fn load(path: PathBuf, explicit: bool) -> Result<Self, ActiveError> {
        Self::load_limited(path, explicit, DEFAULT_MAX_CHARTER_BYTES)
    }

    /// Loads `path`, refusing it (now and on reload) when it is over `max_bytes`.
    pub fn load_limited(
        path: PathBuf,
        explicit: bool,
        max_bytes: u64,
    ) -> Result<Self, ActiveError> {
        let active = ActiveCharter::load_limited(&path, explicit, max_bytes)?;
        let mut holder = Self::with(path, explicit, active);
        holder.max_bytes = max_bytes;
        Ok(holder)
    }

    /// A holder with an already built charter (embedding and tests).
    pub fn with(path: PathBuf, explicit: bool, active: ActiveCharter) -> Self {
        Self {
            path,
            explicit,
            max_bytes: DEFAULT_MAX_CHARTER_BYTES,
            current: RwLock::new(Arc::new(active)),
            reloading: Arc::default(),
        }
    }

    /// The charter file path (whether or not it exists).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The charter in force.
    pub fn current(&self) -> Arc<ActiveCharter> {
        self.current.read().clone()
    }

    /// Re-reads the file on a thread of its own; on error the previous charter stays in force.
    /// Dropping the future abandons the reload: the file is still checked to the end, its
    /// result is dropped, and the next reload waits for it.
    pub async fn reload(&self) -> Result<Arc<ActiveCharter>, ActiveError> {
        let turn = self.reloading.clone().lock_owned().await;
        let (path, explicit, max_bytes) = (self.path.clone(), self.explicit, self.max_bytes);
        let (loaded, turn) = off_runtime("charter-reload", move || {
            // The turn travels with the work, so an abandoned reload keeps it until it ends.
            (
                ActiveCharter::load_limited(&path, explicit, max_bytes),
                turn,
            )
        })
        .await
        .map_err(|source| ActiveError::Worker { source })?;
        let active = Arc::new(loaded?);
        *self.current.write() = active.clone();
        drop(turn);
        Ok(active)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_distinct_stable_reason() {
        let io = || std::io::Error::other("x");
        let errors = [
            ActiveError::Load {
                source: CharterError::NotFound {
                    path: "/c".into(),
                    source: io(),
                },
            },
            ActiveError::Load {
                source: CharterError::Read {
                    path: "/c".into(),
                    source: io(),
                },
            },
            ActiveError::Load {
                source: CharterError::TooLarge {
                    path: "/c".into(),
                    size: None,
                    limit: 1,
                },
            },
            ActiveError::Invalid {
                file: "c".into(),
                findings: vec![],
            },
            ActiveError::Worker {
                source: OffRuntimeError::Died,
            },
        ];
        let reasons: Vec<_> = errors.iter().map(ActiveError::reason).collect();
        assert_eq!(
            reasons,
            [
                "CHARTER_NOT_FOUND",
                "CHARTER_UNREADABLE",
                "CHARTER_TOO_LARGE",
                "CHARTER_INVALID",
                "CHARTER_RELOAD_FAILED"
            ]
        );
        orchestrator_api::error_codes::assert_distinct_codes(&reasons);
        let empty = ActiveError::Load {
            source: CharterError::Empty { file: "c".into() },
        };
        assert_eq!(empty.reason(), "CHARTER_INVALID");
    }

    #[test]
    fn missing_default_is_defaults_missing_explicit_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.yaml");
        let active = ActiveCharter::load(&path, false).unwrap();
        assert!(active.source.is_none());
        assert!(active.defaults_reason.unwrap().contains("nope.yaml"));
        assert!(matches!(
            ActiveCharter::load(&path, true),
            Err(ActiveError::Load { .. })
        ));
    }

    #[tokio::test]
    async fn reload_keeps_the_previous_charter_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(
            &path,
            "name: first\nsafetyHeuristics:\n  alwaysReject: [\"rm -rf /\"]\n",
        )
        .unwrap();
        let holder = CharterHolder::load(path.clone(), true).unwrap();
        std::fs::write(&path, "name: second\ntier: 9\n").unwrap();
        let err = holder.reload().await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains("c.yaml:2: CHARTER_INVALID_TIER"), "{text}");
        assert_eq!(holder.current().charter.name, "first");
        std::fs::write(&path, "name: third\ntier: [\n").unwrap();
        let err = holder.reload().await.unwrap_err();
        let chain = crate::error_chain(&err);
        assert!(chain.contains("c.yaml:3:1: invalid charter"), "{chain}");
        assert_eq!(holder.current().charter.name, "first");
        std::fs::write(&path, "name: fourth\n").unwrap();
        assert_eq!(holder.reload().await.unwrap().charter.name, "fourth");
    }

    #[tokio::test]
    async fn an_over_limit_file_is_refused_on_reload() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, "name: first\n").unwrap();
        let holder = CharterHolder::load_limited(path.clone(), true, 1024).unwrap();
        std::fs::write(&path, format!("name: second\n{}", "# pad\n".repeat(200))).unwrap();
        let err = holder.reload().await.unwrap_err();
        let chain = crate::error_chain(&err);
        assert!(
            chain.contains("is 1213 bytes, over the 1024-byte limit"),
            "{chain}"
        );
        assert_eq!(holder.current().charter.name, "first");
        std::fs::write(&path, "name: third\n").unwrap();
        assert_eq!(holder.reload().await.unwrap().charter.name, "third");
    }
}
