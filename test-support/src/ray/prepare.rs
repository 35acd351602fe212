//! What a cluster needs before any node starts: worker names that make valid resource names
//! ([`check_names`]), free ports ([`free_ports`]) and a short temp dir ([`make_temp_dir`]).

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::net::TcpListener;
use std::path::PathBuf;

pub(super) fn check_names(workers: &[&str]) {
    let mut seen = HashSet::from(["head"]);
    for name in workers {
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
            "worker names are [A-Za-z0-9_-]+ (they make resource names): {name:?}"
        );
        assert!(
            seen.insert(name),
            "worker name {name:?} is used twice (or is `head`)"
        );
    }
    assert!(
        workers.len() <= 250,
        "one loopback IP per node: at most 250 workers"
    );
}

/// `count` distinct free ports: all held at once while picking, so none is picked twice.
pub(super) fn free_ports(count: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..count)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("a free port on 127.0.0.1"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("a bound port").port())
        .collect()
}

/// A new `/tmp/wr-XXXXXXXX`. Literally `/tmp`, not `$TMPDIR`: Ray's Unix sockets live under
/// `<temp>/ray/session_<date>_<pid>/sockets/`, and AF_UNIX paths must stay under 107 bytes.
pub(super) fn make_temp_dir() -> PathBuf {
    for _ in 0..100 {
        let random = RandomState::new().hash_one(std::process::id()) as u32;
        let dir = PathBuf::from(format!("/tmp/wr-{random:08x}"));
        match std::fs::create_dir(&dir) {
            Ok(()) => return dir,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("cannot create {dir:?}: {e}"),
        }
    }
    panic!("no free /tmp/wr-* name in 100 tries")
}
