//! What a Claude Flow (ruflo) session needs before `claude-flow hive-mind spawn` can run
//! under the charter: [`hive_initialised`] / [`init_hive`] (ruflo refuses to spawn in a
//! directory without a hive) and [`write_claude_shim`] (the `claude` that ruflo starts by
//! name, found first on its `PATH`: Claude Code with the session's charter hooks).
//!
//! Facts from claude-flow 3.43.0 (`ruflo v3.43.0`) that this relies on:
//! - `hive-mind spawn` fails with `Hive-mind not initialized` unless
//!   `<cwd>/.claude-flow/hive-mind/state.json` says `"initialized": true`; `hive-mind init`
//!   writes it (and `.claude-flow/policy/state.json`) and takes well under a second.
//! - `hive-mind spawn --claude --non-interactive` runs `claude -p --output-format stream-json
//!   --verbose <prompt>` by name from `PATH`, in ruflo's process group, with its stdout: the
//!   Claude Code events arrive among ruflo's text lines.

use std::collections::BTreeMap;
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::command::shell_quote;

/// ruflo's hive state, relative to the working directory.
pub const HIVE_STATE: &str = ".claude-flow/hive-mind/state.json";

/// How long `hive-mind init` may take before the session fails (it takes ~0.3 s).
const INIT_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether `work_dir` holds an initialised hive (one the user made is used as it is).
pub fn hive_initialised(work_dir: &Path) -> bool {
    std::fs::read(work_dir.join(HIVE_STATE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|state| state["initialized"] == true)
}

/// Runs `<program> hive-mind init` in `work_dir` with `env`; its output lines on success.
/// The error says what failed, with the end of its output.
pub async fn init_hive(
    program: &str,
    env: &BTreeMap<String, String>,
    work_dir: &Path,
) -> Result<Vec<String>, String> {
    let mut command = tokio::process::Command::new(program);
    command
        .args(["hive-mind", "init"])
        .current_dir(work_dir)
        .env_clear()
        .envs(env)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        // Its own group, all of it killed when it ends, overruns or the session stops waiting.
        .process_group(0)
        .kill_on_drop(true);
    crate::child::die_with_daemon(&mut command);
    let child = command
        .spawn()
        .map_err(|err| format!("cannot run `{program} hive-mind init`: {err}"))?;
    let _group = crate::child::GroupGuard::of(&child);
    let output = match tokio::time::timeout(INIT_TIMEOUT, child.wait_with_output()).await {
        Ok(Ok(output)) => output,
        Ok(Err(err)) => return Err(format!("cannot run `{program} hive-mind init`: {err}")),
        Err(_) => {
            return Err(format!(
                "`{program} hive-mind init` did not finish within {}s",
                INIT_TIMEOUT.as_secs()
            ));
        }
    };
    let mut lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&output.stderr).lines())
        .filter(|line| !line.trim().is_empty())
        .map(str::to_owned)
        .collect();
    if output.status.success() && hive_initialised(work_dir) {
        return Ok(lines);
    }
    let tail = lines.split_off(lines.len().saturating_sub(3)).join(" | ");
    Err(format!(
        "`{program} hive-mind init` in {} failed ({}): {tail}",
        work_dir.display(),
        output.status
    ))
}

/// The argument ruflo adds when it takes `~/.claude.json` for an MCP configuration, if that
/// file is not one: ruflo 3.43 passes `--mcp-config=$HOME/.claude.json` whenever the file
/// exists, but it is Claude Code's own state file, and without an `mcpServers` object Claude
/// Code refuses to start ("Invalid MCP configuration"). Claude Code writes that file on its
/// first run, so every flow session after the first would fail.
pub fn unusable_mcp_config(home: Option<&str>) -> Option<String> {
    let path = Path::new(home.filter(|h| !h.is_empty())?).join(".claude.json");
    let bytes = std::fs::read(&path).ok()?;
    let usable = serde_json::from_slice::<serde_json::Value>(&bytes)
        .is_ok_and(|config| config["mcpServers"].is_object());
    (!usable).then(|| format!("--mcp-config={}", path.display()))
}

/// Writes `<dir>/claude`: a script that runs `real_claude` with `settings` (the session's
/// charter hooks) before ruflo's own arguments, leaving out any argument equal to `drop`
/// ([`unusable_mcp_config`]). Returns `dir`, to go first on `PATH`.
pub fn write_claude_shim(
    dir: &Path,
    real_claude: &Path,
    settings: &serde_json::Value,
    drop: Option<&str>,
) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    // Rebuilds "$@" without the dropped argument (POSIX sh has no arrays).
    let filter = match drop {
        Some(arg) => format!(
            "n=$#\nwhile [ \"$n\" -gt 0 ]; do\n  \
             a=$1; shift; n=$((n - 1))\n  \
             [ \"$a\" = {} ] || set -- \"$@\" \"$a\"\n\
             done\n",
            shell_quote(arg)
        ),
        None => String::new(),
    };
    let script = format!(
        "#!/bin/sh\n\
         # Written by the wundr orchestrator: Claude Flow starts `claude` by name, and this\n\
         # one is Claude Code with the session's charter hooks.\n\
         {filter}exec {} --settings {} \"$@\"\n",
        shell_quote(&real_claude.display().to_string()),
        shell_quote(&settings.to_string()),
    );
    let path = dir.join("claude");
    // A fresh file each start: the charter (and so the settings) may have been reloaded.
    let _ = std::fs::remove_file(&path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o700)
        .open(&path)?;
    io::Write::write_all(&mut file, script.as_bytes())?;
    file.sync_all()?;
    Ok(dir.to_path_buf())
}

/// `PATH` with `first` in front of `path` (the flow process's own `PATH`).
pub fn path_with(first: &Path, path: Option<&str>) -> String {
    match path {
        Some(rest) if !rest.is_empty() => format!("{}:{rest}", first.display()),
        _ => first.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hive_counts_only_when_its_state_says_initialised() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!hive_initialised(dir.path()));
        let state = dir.path().join(HIVE_STATE);
        std::fs::create_dir_all(state.parent().unwrap()).unwrap();
        std::fs::write(&state, r#"{"initialized": false}"#).unwrap();
        assert!(!hive_initialised(dir.path()));
        std::fs::write(&state, "{not json").unwrap();
        assert!(!hive_initialised(dir.path()));
        std::fs::write(&state, r#"{"initialized": true, "workers": []}"#).unwrap();
        assert!(hive_initialised(dir.path()));
    }

    #[test]
    fn the_shim_runs_the_real_claude_with_the_settings_first() {
        let dir = tempfile::tempdir().unwrap();
        // A stand-in for claude that prints its arguments, one per line.
        let real = dir.path().join("real claude");
        std::fs::write(&real, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o700)).unwrap();
        let settings = serde_json::json!({"hooks": {"x": "it's 'quoted'"}});
        let drop = "--mcp-config=/h/.claude.json";
        let bin = write_claude_shim(&dir.path().join("bin"), &real, &settings, Some(drop)).unwrap();
        let out = std::process::Command::new(bin.join("claude"))
            .args(["-p", drop, "hello world", "--mcp-config=/p/.mcp.json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let args: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            args,
            [
                "--settings",
                &settings.to_string(),
                "-p",
                "hello world",
                "--mcp-config=/p/.mcp.json"
            ]
        );
        // Rewritten, not appended to, on the next start.
        write_claude_shim(&bin, &real, &serde_json::json!({}), None).unwrap();
        let text = std::fs::read_to_string(bin.join("claude")).unwrap();
        assert_eq!(text.matches("exec ").count(), 1, "{text}");
    }

    #[test]
    fn claude_state_without_mcp_servers_is_no_mcp_config() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().to_str().unwrap();
        assert_eq!(
            unusable_mcp_config(Some(h)),
            None,
            "no file: ruflo passes nothing"
        );
        let file = home.path().join(".claude.json");
        std::fs::write(&file, r#"{"firstStartTime": "x", "projects": {}}"#).unwrap();
        assert_eq!(
            unusable_mcp_config(Some(h)),
            Some(format!("--mcp-config={}", file.display()))
        );
        std::fs::write(&file, r#"{"mcpServers": {}}"#).unwrap();
        assert_eq!(unusable_mcp_config(Some(h)), None);
        assert_eq!(unusable_mcp_config(None), None);
    }

    #[test]
    fn path_puts_the_shim_first() {
        assert_eq!(
            path_with(Path::new("/s/bin"), Some("/usr/bin")),
            "/s/bin:/usr/bin"
        );
        assert_eq!(path_with(Path::new("/s/bin"), None), "/s/bin");
    }
}
