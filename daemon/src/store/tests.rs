//! The store on a real SQLite file: one bad record in a batch leaves its neighbours
//! committed, acknowledged writes resolve after the commit, and a failed background save is
//! retried until it lands.

use std::time::SystemTime;

use super::*;
use crate::model::session::{
    Session, SessionMetrics, SessionStatus, SessionType, Task, TaskStatus,
};

fn session(id: &str, status: SessionStatus) -> Session {
    let now = SystemTime::now();
    Session {
        id: id.to_owned(),
        orchestrator_id: "default".to_owned(),
        task: Task {
            id: "task_1".to_owned(),
            description: "test".to_owned(),
            task_type: "general".to_owned(),
            priority: crate::model::TaskPriority::Medium,
            status: TaskStatus::Pending,
            metadata: None,
            created_at: now,
            updated_at: now,
        },
        session_type: SessionType::ClaudeCode,
        status,
        started_at: now,
        ended_at: None,
        metrics: SessionMetrics::default(),
        pid: None,
        work_dir: "/tmp".into(),
        agent_session_id: "a".to_owned(),
        exit_code: None,
        error: None,
        queue_position: None,
        model: None,
        api_key_source: None,
        restarts: 0,
        worktree_branch: None,
        worktree_repo: None,
        memory_context: serde_json::json!({}),
        transcript_error: None,
        waiting_for: None,
        stalled_since: None,
        runner: Default::default(),
        remote: None,
    }
}

fn record(tool: &str) -> AuditRecord {
    AuditRecord {
        at: SystemTime::now(),
        session_id: "s".to_owned(),
        event: "PreToolUse".to_owned(),
        tool: tool.to_owned(),
        input_summary: String::new(),
        decision: "allow".to_owned(),
        rule: String::new(),
        reason: String::new(),
        approved_by: String::new(),
    }
}

/// A database whose audit table refuses records for the tool `boom`, as a damaged row or a
/// constraint would.
fn store_with_a_bad_tool(dir: &Path) -> Store {
    let path = dir.join("orchestrator.db");
    drop(Store::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON audit WHEN NEW.tool = 'boom'
             BEGIN SELECT RAISE(ABORT, 'boom is refused'); END;",
        )
        .unwrap();
    Store::open(&path).unwrap().0
}

#[tokio::test]
async fn one_bad_record_leaves_the_rest_of_its_batch_committed() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_a_bad_tool(dir.path());
    // Queued together, so the writer takes them in one batch.
    let good_before = store.record_decision(record("Read"));
    let bad = store.record_decision(record("boom"));
    store.save_session(1, &session("s1", SessionStatus::Running), None);
    let good_after = store.record_decision(record("Write"));
    let (before, bad, after) = tokio::join!(good_before, bad, good_after);
    assert!(before.is_ok() && after.is_ok(), "{before:?} {after:?}");
    let err = bad.unwrap_err();
    assert!(matches!(err, StoreError::Write { .. }), "{err:?}");
    assert!(
        crate::error_chain(&err).contains("boom is refused"),
        "{err}"
    );
    store.sync().await.unwrap();
    let tools: Vec<String> = store
        .audit(None, 10)
        .unwrap()
        .into_iter()
        .map(|r| r.tool)
        .collect();
    assert_eq!(tools, ["Read", "Write"]);
    assert_eq!(
        store.session("s1").unwrap().unwrap().session.status,
        SessionStatus::Running
    );
    assert_eq!(
        store.health(),
        None,
        "a refused record is not a storage fault"
    );
}

#[tokio::test]
async fn acknowledged_writes_are_readable_at_once_and_pages_come_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let (store, loaded) = Store::open(&dir.path().join("orchestrator.db")).unwrap();
    assert_eq!(loaded.max_seq, 0);
    for seq in 1..=5 {
        let status = if seq == 5 {
            SessionStatus::Running
        } else {
            SessionStatus::Completed
        };
        store
            .insert_session(seq, &session(&format!("s{seq}"), status))
            .await
            .unwrap();
        // Read on another connection right after the acknowledgement.
        assert!(store.session(&format!("s{seq}")).unwrap().is_some());
    }
    let page = store.sessions_page(None, &[], 2).unwrap();
    let ids: Vec<&str> = page.iter().map(|s| s.session.id.as_str()).collect();
    assert_eq!(ids, ["s5", "s4"]);
    let page = store
        .sessions_page(Some(4), &[SessionStatus::Completed], 10)
        .unwrap();
    let ids: Vec<&str> = page.iter().map(|s| s.session.id.as_str()).collect();
    assert_eq!(ids, ["s3", "s2", "s1"]);
    drop(store);
    let (_, loaded) = Store::open(&dir.path().join("orchestrator.db")).unwrap();
    assert_eq!(loaded.max_seq, 5);
    assert_eq!(loaded.live.len(), 1, "only the running one is loaded");
    assert!(loaded.counts.contains(&(SessionStatus::Completed, 4)));
}

#[tokio::test]
async fn a_failed_background_save_is_retried_until_it_lands() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orchestrator.db");
    let (store, _) = Store::open(&path).unwrap();
    store
        .insert_session(1, &session("s1", SessionStatus::Running))
        .await
        .unwrap();
    // Another process holds the write lock: the save fails after the busy timeout...
    let blocker = Connection::open(&path).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    store.save_session(
        1,
        &session("s1", SessionStatus::Completed),
        Some(Box::new(move |result| {
            let _ = tx.send(result);
        })),
    );
    let err = store.sync().await.unwrap_err();
    assert!(
        matches!(err, StoreError::Unsaved { sessions: 1, .. }),
        "{err:?}"
    );
    assert!(
        store.health().unwrap().contains("locked"),
        "{:?}",
        store.health()
    );
    // ...and lands with the next write once the lock is gone.
    blocker.execute_batch("COMMIT").unwrap();
    store.sync().await.unwrap();
    assert!(rx.await.unwrap().is_ok());
    assert_eq!(
        store.session("s1").unwrap().unwrap().session.status,
        SessionStatus::Completed
    );
    assert_eq!(store.health(), None);
}

#[test]
fn every_store_error_has_a_distinct_stable_reason() {
    let path = || PathBuf::from("/d.db");
    let full =
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL), None);
    let errors = [
        StoreError::Write {
            path: path(),
            fault: StorageFault::DiskFull,
            source: Arc::new(rusqlite::Error::InvalidQuery),
        },
        StoreError::Read {
            path: path(),
            source: full,
        },
        StoreError::Open {
            path: path(),
            fault: StorageFault::Other,
            source: rusqlite::Error::InvalidQuery,
        },
        StoreError::Decode {
            path: path(),
            id: "s".into(),
            source: serde_json::from_str::<serde_json::Value>("{").unwrap_err(),
        },
        StoreError::TooNew {
            path: path(),
            found: 9,
            known: 1,
        },
        StoreError::Unsaved {
            path: path(),
            sessions: 1,
        },
        StoreError::Closed { path: path() },
    ];
    let reasons: Vec<_> = errors.iter().map(StoreError::reason).collect();
    assert_eq!(
        reasons,
        [
            "STORE_DISK_FULL",
            "STORE_DISK_FULL",
            "STORE_FAILED",
            "STORE_ROW_UNREADABLE",
            "STORE_SCHEMA_TOO_NEW",
            "STORE_UNSAVED",
            "STORE_CLOSED",
        ]
    );
    // A read and a write that met a full disk share its reason; the variants do not.
    orchestrator_api::error_codes::assert_distinct_codes(&reasons[1..]);
}
