//! Where a session's agent works: [`prepare`] checks a given directory or makes one under the
//! daemon's data dir, and makes a git worktree on branch `session/<id>` when asked;
//! [`remove_worktree_if_clean`] removes one again only when it holds no uncommitted changes;
//! [`discard`] undoes [`prepare`] for a session that was refused.
//! Git runs with an argument vector, never through a shell.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::error::SessionError;

/// The directory an agent runs in, and the worktree branch when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkDir {
    /// The agent's cwd.
    pub path: PathBuf,
    /// `session/<id>` when `path` is a worktree.
    pub branch: Option<String>,
    /// The repository the worktree belongs to.
    pub repo: Option<PathBuf>,
}

/// Resolves the work dir of session `id`: `given` (must exist) or `<session_dir>/work`; with
/// `worktree`, a new worktree of the repository containing that directory at
/// `<session_dir>/worktree`.
pub fn prepare(
    id: &str,
    given: Option<&Path>,
    worktree: bool,
    session_dir: &Path,
) -> Result<WorkDir, SessionError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SessionError::Io { path, source }
    };
    let base = match given {
        Some(path) => {
            let path = path
                .canonicalize()
                .ok()
                .filter(|p| p.is_dir())
                .ok_or_else(|| SessionError::WorkDirMissing {
                    path: path.to_path_buf(),
                })?;
            Some(path)
        }
        None => None,
    };
    crate::dirs::create_private(session_dir).map_err(io(session_dir))?;
    if !worktree {
        let path = match base {
            Some(path) => path,
            None => {
                let path = session_dir.join("work");
                std::fs::create_dir_all(&path).map_err(io(&path))?;
                path
            }
        };
        return Ok(WorkDir {
            path,
            branch: None,
            repo: None,
        });
    }
    let base = base.unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
    let repo = git(&base, &["rev-parse", "--show-toplevel"])
        .map(PathBuf::from)
        .map_err(|_| SessionError::NotAGitRepository { path: base.clone() })?;
    let branch = format!("session/{id}");
    let path = session_dir.join("worktree");
    let path_text = path.display().to_string();
    git(&repo, &["worktree", "add", "-b", &branch, &path_text]).map_err(|message| {
        SessionError::Worktree {
            repo: repo.clone(),
            message,
        }
    })?;
    Ok(WorkDir {
        path,
        branch: Some(branch),
        repo: Some(repo),
    })
}

/// Removes the worktree at `path` of `repo` if it has no uncommitted or untracked changes; the
/// branch stays, so committed work is never lost. Returns whether it was removed.
pub fn remove_worktree_if_clean(repo: &Path, path: &Path) -> bool {
    match git(path, &["status", "--porcelain"]) {
        Ok(changes) if changes.is_empty() => {
            let path_text = path.display().to_string();
            git(repo, &["worktree", "remove", &path_text]).is_ok()
        }
        Ok(_) => {
            tracing::info!(worktree = %path.display(), "keeping a worktree with uncommitted changes");
            false
        }
        Err(_) => false,
    }
}

/// Removes what [`prepare`] made for a session that was then refused: its fresh worktree and
/// branch (`prepared`, when it got that far) and the session's own directory, which only that
/// session ever used.
pub fn discard(prepared: Option<&WorkDir>, session_dir: &Path) {
    if let Some(WorkDir {
        path,
        branch: Some(branch),
        repo: Some(repo),
    }) = prepared
    {
        let path_text = path.display().to_string();
        let _ = git(repo, &["worktree", "remove", "--force", &path_text]);
        let _ = git(repo, &["branch", "-D", branch]);
    }
    if let Err(err) = std::fs::remove_dir_all(session_dir)
        && err.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(dir = %session_dir.display(), %err, "cannot remove a refused session's directory");
    }
}

/// Runs `git -C dir args…`; stdout (trimmed) on success, stderr on failure.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|err| format!("cannot run git: {err}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_given_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let made = prepare("s1", None, false, &dir.path().join("s1")).unwrap();
        assert!(made.path.is_dir() && made.branch.is_none());
        let given = prepare("s2", Some(dir.path()), false, &dir.path().join("s2")).unwrap();
        assert_eq!(given.path, dir.path().canonicalize().unwrap());
        let missing = prepare(
            "s3",
            Some(&dir.path().join("nope")),
            false,
            &dir.path().join("s3"),
        );
        assert!(matches!(missing, Err(SessionError::WorkDirMissing { .. })));
    }

    #[test]
    fn worktrees_need_a_repository_and_survive_uncommitted_work() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::create_dir(&plain).unwrap();
        let err = prepare("s1", Some(&plain), true, &dir.path().join("s1")).unwrap_err();
        assert!(
            matches!(err, SessionError::NotAGitRepository { .. }),
            "{err}"
        );

        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        for args in [
            vec!["init", "-q"],
            vec![
                "-c",
                "user.email=t@t",
                "-c",
                "user.name=t",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                "init",
            ],
        ] {
            assert!(
                Command::new("git")
                    .arg("-C")
                    .arg(&repo)
                    .args(&args)
                    .status()
                    .unwrap()
                    .success()
            );
        }
        let made = prepare("s2", Some(&repo), true, &dir.path().join("s2")).unwrap();
        assert_eq!(made.branch.as_deref(), Some("session/s2"));
        assert!(made.path.join(".git").exists());
        std::fs::write(made.path.join("wip.txt"), "uncommitted").unwrap();
        assert!(!remove_worktree_if_clean(
            made.repo.as_ref().unwrap(),
            &made.path
        ));
        assert!(
            made.path.join("wip.txt").exists(),
            "uncommitted work is kept"
        );
        std::fs::remove_file(made.path.join("wip.txt")).unwrap();
        assert!(remove_worktree_if_clean(
            made.repo.as_ref().unwrap(),
            &made.path
        ));
        assert!(!made.path.exists());
    }
}
