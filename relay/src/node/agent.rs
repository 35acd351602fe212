//! Starting the agent from an [`AgentSpec`]: [`start`] checks the working directory, resolves
//! the program on this node, builds its environment, then forks the guard and the agent into
//! the guard's group, both from the caller's thread (see `guard`). Key type: [`Started`].

use std::ffi::OsString;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use nix::errno::Errno;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
use nix::unistd::{Pid, getppid};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};

use super::group::AgentGroup;
use super::guard;
use super::process::Node;
use crate::hook_socket::RELAY_SOCKET_ENV;
use crate::sweep::SESSION_ID_VAR;
use crate::wire::{AgentSpec, StartFailure, StartFailureKind};

/// A running agent and its guard.
#[derive(Debug)]
pub(super) struct Started {
    pub(super) agent: Child,
    pub(super) guard: Child,
    pub(super) group: AgentGroup,
    pub(super) stdin: Option<ChildStdin>,
    pub(super) stdout: ChildStdout,
    pub(super) stderr: ChildStderr,
}

/// Starts the guard, then the agent in the guard's process group.
pub(super) fn start(
    spec: &AgentSpec,
    node: &Node,
    session_id: &str,
    hook_socket: &Path,
) -> Result<Started, StartFailure> {
    let host = &node.host;
    check_cwd(&spec.cwd, host)?;
    let env = agent_env(node, spec, session_id, hook_socket);
    let path = env
        .iter()
        .find(|(name, _)| name == "PATH")
        .map(|(_, value)| value.clone());
    let program = resolve(&spec.program, &spec.cwd, path.as_deref()).ok_or_else(|| {
        failure(
            StartFailureKind::NotFound,
            format!(
                "cannot find the agent program {} on {host}: no such file there, and {} is not \
                 on the node's PATH ({})",
                spec.program,
                file_name(&spec.program),
                path.as_deref()
                    .map_or("unset".into(), |p| p.to_string_lossy())
            ),
        )
    })?;
    let mut guard = guard::command(session_id, &node.env, hook_socket)
        .spawn()
        .map_err(|err| {
            failure(
                StartFailureKind::Spawn,
                format!("cannot start the relay's guard process on {host}: {err}"),
            )
        })?;
    let Some(group) = guard.id().and_then(|pid| i32::try_from(pid).ok()) else {
        return Err(failure(
            StartFailureKind::Spawn,
            format!("the relay's guard process on {host} has no pid"),
        ));
    };
    let group = Pid::from_raw(group);
    let spawned = agent_command(&program, spec, env, group).spawn();
    let mut agent = match spawned {
        Ok(agent) => agent,
        Err(err) => {
            AgentGroup {
                group,
                agent: group,
            }
            .kill();
            // The guard is dead (SIGKILL): reap it in the background.
            tokio::spawn(async move { guard.wait().await });
            return Err(spawn_failure(&err, spec, &program, host));
        }
    };
    let pid = agent
        .id()
        .and_then(|pid| i32::try_from(pid).ok())
        .unwrap_or(0);
    let (Some(stdout), Some(stderr)) = (agent.stdout.take(), agent.stderr.take()) else {
        unreachable!("the agent is spawned with piped stdout and stderr");
    };
    Ok(Started {
        stdin: agent.stdin.take(),
        agent,
        guard,
        group: AgentGroup {
            group,
            agent: Pid::from_raw(pid),
        },
        stdout,
        stderr,
    })
}

fn agent_command(
    program: &Path,
    spec: &AgentSpec,
    env: Vec<(OsString, OsString)>,
    group: Pid,
) -> Command {
    let mut command = Command::new(program);
    command
        .args(&spec.args)
        .env_clear()
        .envs(env)
        .current_dir(&spec.cwd)
        .stdin(if spec.stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(false)
        .process_group(group.as_raw());
    let relay = Pid::this();
    let unblocked = SigSet::empty();
    // SAFETY: the closure runs in the forked child before exec, where only async-signal-safe
    // calls are allowed: `sigprocmask`, `prctl` and `getppid` through nix wrappers that
    // neither allocate nor lock, and `io::Error`s built from raw OS codes. It captures only
    // plain `Copy` data and touches no state shared with the parent.
    unsafe {
        command.pre_exec(move || {
            // The agent starts with no signal blocked, whatever thread forked it.
            sigprocmask(SigmaskHow::SIG_SETMASK, Some(&unblocked), None)
                .map_err(io::Error::from)?;
            // Dies at once with the relay; the guard then ends the rest.
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(io::Error::from)?;
            if getppid() != relay {
                return Err(io::Error::from(Errno::ESRCH));
            }
            Ok(())
        });
    }
    command
}

/// The node's environment (without the relay's secret, see `process`) overlaid with the
/// spec's, plus the hook socket and the session marker.
fn agent_env(
    node: &Node,
    spec: &AgentSpec,
    session_id: &str,
    hook_socket: &Path,
) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = node
        .env
        .iter()
        .filter(|(name, _)| name.to_str().is_none_or(|n| !spec.env.contains_key(n)))
        .cloned()
        .collect();
    env.extend(
        spec.env
            .iter()
            .filter(|(name, _)| {
                ![SESSION_ID_VAR, RELAY_SOCKET_ENV, crate::wire::SECRET_ENV]
                    .contains(&name.as_str())
            })
            .map(|(name, value)| (name.into(), value.into())),
    );
    if spec
        .env
        .get(SESSION_ID_VAR)
        .is_some_and(|id| id != session_id)
    {
        tracing::warn!(
            session_id,
            "the spec's session marker differs from the relay's session; using the relay's"
        );
    }
    env.push((SESSION_ID_VAR.into(), session_id.into()));
    env.push((RELAY_SOCKET_ENV.into(), hook_socket.into()));
    env
}

fn check_cwd(cwd: &Path, host: &str) -> Result<(), StartFailure> {
    match std::fs::metadata(cwd) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(failure(
            StartFailureKind::CwdNotDirectory,
            format!(
                "the working directory {} on {host} is not a directory",
                cwd.display()
            ),
        )),
        Err(err) => Err(failure(
            StartFailureKind::CwdNotFound,
            format!(
                "the working directory {} does not exist on {host} ({err})",
                cwd.display()
            ),
        )),
    }
}

/// A path that exists on the node as is (relative ones from `cwd`, as exec would take
/// them), else its file name on `path`.
fn resolve(program: &str, cwd: &Path, path: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    let given = Path::new(program);
    if program.contains('/') {
        // Relative to the working directory, as exec after chdir would take it (made
        // explicit: where a relative program is looked for is platform-specific in std).
        let at = cwd.join(given);
        if is_executable(&at) {
            return Some(at);
        }
    }
    let name = file_name(program);
    if name.is_empty() {
        return None;
    }
    std::env::split_paths(path?)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn file_name(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

fn failure(kind: StartFailureKind, message: String) -> StartFailure {
    StartFailure { kind, message }
}

fn spawn_failure(err: &io::Error, spec: &AgentSpec, program: &Path, host: &str) -> StartFailure {
    if err.kind() == io::ErrorKind::NotFound && !spec.cwd.is_dir() {
        // exec reports a vanished working directory with the same ENOENT as a missing program.
        return failure(
            StartFailureKind::CwdNotFound,
            format!(
                "the working directory {} does not exist on {host}",
                spec.cwd.display()
            ),
        );
    }
    let kind = if err.kind() == io::ErrorKind::NotFound {
        StartFailureKind::NotFound
    } else {
        StartFailureKind::Spawn
    };
    failure(
        kind,
        format!(
            "cannot start the agent {} on {host}: {err}",
            program.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_resolve_as_paths_then_on_path() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let tool = bin.join("tool");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::join_paths([Path::new("/nonexistent"), &bin]).unwrap();
        let cwd = dir.path();
        // As is, absolute or relative to the working directory.
        assert_eq!(
            resolve(tool.to_str().unwrap(), cwd, None),
            Some(tool.clone())
        );
        assert_eq!(resolve("bin/tool", cwd, None), Some(tool.clone()));
        // The daemon's path does not exist here: its file name is looked up on PATH.
        assert_eq!(
            resolve("/daemon/only/tool", cwd, Some(&path)),
            Some(tool.clone())
        );
        assert_eq!(resolve("tool", cwd, Some(&path)), Some(tool));
        assert_eq!(resolve("missing", cwd, Some(&path)), None);
        assert_eq!(resolve("tool", cwd, None), None);
        // Not executable: not a candidate.
        std::fs::write(bin.join("data"), "x").unwrap();
        assert_eq!(resolve("data", cwd, Some(&path)), None);
    }
}
