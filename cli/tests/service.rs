//! `wundr orchestrator service ...` as a user runs it, in a sandboxed HOME: `--dry-run` prints
//! a unit that `systemd-analyze verify` accepts (skipped, loudly, without systemd-analyze),
//! `status` and `uninstall` with nothing installed, and — only where no systemd user manager
//! is reachable, so a test can never touch a real user's services — the file lifecycle of
//! `install` and `uninstall` when `systemctl --user` fails.

use crate::common;

use std::process::Command;

use common::Sandbox;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn unit_path(sandbox: &Sandbox) -> std::path::PathBuf {
    sandbox.path("config/systemd/user/wundr-orchestrator.service")
}

#[cfg(target_os = "linux")]
#[test]
fn dry_run_prints_a_unit_that_systemd_accepts() {
    let sandbox = Sandbox::new(&[]);
    let out = sandbox.run(&["orchestrator", "service", "install", "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let unit = unit_path(&sandbox);
    assert!(
        text.starts_with(&format!("# {}\n", unit.display())),
        "{text}"
    );
    let daemon = common::daemon_binary();
    let exec = format!(
        "\nExecStart={} --socket {}\n",
        daemon.display(),
        sandbox.socket().display()
    );
    assert!(text.contains(&exec), "{text}");
    assert!(text.contains("systemctl --user enable --now wundr-orchestrator.service"));
    assert!(!unit.exists(), "a dry run writes nothing");

    let Ok(version) = Command::new("systemd-analyze").arg("--version").output() else {
        eprintln!("\n*** SKIPPED: systemd-analyze verify — systemd-analyze is not installed ***\n");
        return;
    };
    assert!(version.status.success());
    // The printed text is itself a unit file (its extra lines are comments).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wundr-orchestrator.service");
    std::fs::write(&file, &text).unwrap();
    // --man=no: the man pages named by Documentation= are not installed on a build machine.
    let verify = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&file)
        .output()
        .unwrap();
    let complaints = stderr(&verify);
    assert!(verify.status.success(), "{complaints}");
    // systemd reports bad lines as warnings and still exits 0: any mention of the file fails.
    assert!(
        !complaints.contains("wundr-orchestrator.service"),
        "{complaints}"
    );
}

#[test]
fn status_and_uninstall_without_an_installed_service() {
    let sandbox = Sandbox::new(&[]);
    let out = sandbox.run(&["orchestrator", "service", "status"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stdout(&out).contains("(not installed)"), "{}", stdout(&out));
    let out = sandbox.run(&["orchestrator", "service", "uninstall"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("nothing to do"), "{}", stdout(&out));
}

#[cfg(target_os = "linux")]
#[test]
fn install_writes_the_unit_and_uninstall_removes_it_when_systemctl_fails() {
    let reachable = Command::new("systemctl")
        .args(["--user", "show-environment"])
        .output()
        .is_ok_and(|o| o.status.success());
    if reachable {
        eprintln!(
            "\n*** SKIPPED: a systemd user manager is reachable here; this test only runs \
             where it is not, so it never installs a real service ***\n"
        );
        return;
    }
    let sandbox = Sandbox::new(&[]);
    let out = sandbox.run(&["orchestrator", "service", "install"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let unit = unit_path(&sandbox);
    assert!(stdout(&out).contains(&format!("wrote {}", unit.display())));
    assert!(stdout(&out).contains("running: systemctl --user daemon-reload"));
    let err = stderr(&out);
    assert!(err.contains("error: ") && err.contains("hint: "), "{err}");
    let written = std::fs::read_to_string(&unit).unwrap();
    assert!(written.contains("Type=notify") && written.contains("ExecStart="));

    let out = sandbox.run(&["orchestrator", "service", "status"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stdout(&out).contains("(installed)"), "{}", stdout(&out));

    let out = sandbox.run(&["orchestrator", "service", "uninstall"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: "),
        "systemctl's failure is reported"
    );
    assert!(stdout(&out).contains("uninstalled"));
    assert!(!unit.exists());
}
