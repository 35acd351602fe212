use super::*;

#[test]
fn claims_once_and_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("run/wundr/o.sock");
    let pid_file = socket.with_extension("pid");
    let first = Instance::claim(&socket, &pid_file).unwrap();
    let mode = std::fs::metadata(&socket).unwrap().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(socket.parent().unwrap()).unwrap().mode() & 0o777;
    assert_eq!(dir_mode, 0o700);
    let pid = orchestrator_api::pidfile::running_daemon_pid(&pid_file).unwrap();
    assert_eq!(pid, Some(std::process::id()));
    match Instance::claim(&socket, &pid_file) {
        Err(InstanceError::AlreadyRunning { pid, .. }) => {
            assert_eq!(pid, Some(std::process::id()))
        }
        other => panic!("expected AlreadyRunning, got {other:?}"),
    }
    drop(first);
    assert!(!socket.exists() && !pid_file.exists());
    assert_eq!(
        orchestrator_api::pidfile::running_daemon_pid(&pid_file).unwrap(),
        None
    );
}

#[test]
fn stale_socket_is_replaced_and_strangers_refused() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("o.sock");
    // A socket nobody listens on any more: bound, then its listener dropped.
    drop(UnixListener::bind(&socket).unwrap());
    let instance = Instance::claim(&socket, &socket.with_extension("pid")).unwrap();
    drop(instance);

    std::fs::write(&socket, "not a socket").unwrap();
    assert!(matches!(
        Instance::claim(&socket, &socket.with_extension("pid")),
        Err(InstanceError::NotASocket { .. })
    ));
    assert_eq!(
        std::fs::read_to_string(&socket).unwrap(),
        "not a socket",
        "a refused claim leaves the file alone"
    );
    assert!(!socket.with_extension("pid").exists());

    let open = dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, Permissions::from_mode(0o777)).unwrap();
    assert!(matches!(
        Instance::claim(&open.join("o.sock"), &open.join("o.pid")),
        Err(InstanceError::UnsafeSocketDir { .. })
    ));
}

#[test]
fn foreign_sockets_and_pid_files_are_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("app.sock");
    // Another program's live socket.
    let foreign = UnixListener::bind(&socket).unwrap();
    let err = Instance::claim(&socket, &socket.with_extension("pid")).unwrap_err();
    assert!(matches!(err, InstanceError::SocketInUse { .. }), "{err}");
    assert!(err.to_string().contains("another program"), "{err}");
    UnixStream::connect(&socket).expect("the other program's socket still works");
    drop(foreign);

    // `--socket ~/notes` makes the pid file `~/notes.pid`: somebody's data, not ours.
    let notes = dir.path().join("notes");
    std::fs::write(notes.with_extension("pid"), "my notes\n").unwrap();
    let err = Instance::claim(&notes, &notes.with_extension("pid")).unwrap_err();
    assert!(matches!(err, InstanceError::ForeignPidFile { .. }), "{err}");
    assert_eq!(
        std::fs::read_to_string(notes.with_extension("pid")).unwrap(),
        "my notes\n"
    );
    assert!(!notes.exists());

    // A socket replaced while the daemon ran is not ours to unlink at the end.
    let mine = dir.path().join("mine.sock");
    let instance = Instance::claim(&mine, &mine.with_extension("pid")).unwrap();
    std::fs::remove_file(&mine).unwrap();
    let replacement = UnixListener::bind(&mine).unwrap();
    drop(instance);
    assert!(mine.exists(), "the replacement socket survives our exit");
    assert!(!mine.with_extension("pid").exists());
    drop(replacement);
}

#[test]
fn long_paths_are_refused_with_the_limit() {
    let long = PathBuf::from(format!("/tmp/{}/o.sock", "x".repeat(120)));
    let err = Instance::claim(&long, &long.with_extension("pid")).unwrap_err();
    assert!(err.to_string().contains("the limit is"), "{err}");
}
