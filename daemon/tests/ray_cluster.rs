//! Sessions on a real Ray cluster (a head and two workers on this machine, Ray 2.60 from
//! PyPI): the real Claude Code CLI against the scripted model runs as a Ray job on the worker
//! the config picks, through the real relay (`wundr orchestrator relay`) and the daemon
//! binary. One cluster serves the whole story, told in order: a session that streams to a
//! WebSocket client, asks a question a person approves with the CLI, writes a file on its
//! node and completes; its follow-up on the same node; a long one stopped; a daemon killed
//! and restarted mid-session; a worker killed under a session, and a follow-up for the
//! conversation that node held. Each end leaves no process of the session anywhere.

use std::path::Path;
use std::time::Duration;

use nix::sys::signal::Signal;
use orchestrator_api::v1;
use serde_json::json;
use wundr_test_support::ray::{RayCluster, real_ray};
use wundr_test_support::{Reply, Script};

use crate::common::charter_gen::readme_charter;
use crate::common::daemon_binary::{self, public_port, session, wait_within, wundr_binary};
use crate::common::scripted::{PATIENCE, ScriptedAgents, approve_with_cli, wundr};
use crate::common::{TestHome, no_process_of, wait_until, ws};

/// Every model call of the story, in order.
fn story(work: &Path) -> Script {
    Script::new([
        Reply::tool_use(
            "Write",
            json!({"file_path": work.join("notes.txt"), "content": "written on a Ray node\n"}),
        ),
        Reply::text("Wrote notes.txt."),
        Reply::text("Still here, on the same node."),
        // Three long sessions: "Run test suites" is approved by the charter, and the
        // stand-in `cargo` sleeps.
        Reply::tool_use(
            "Bash",
            json!({"command": "cargo test", "description": "Run the tests"}),
        ),
        Reply::tool_use(
            "Bash",
            json!({"command": "cargo test", "description": "Run the tests"}),
        ),
        Reply::tool_use(
            "Bash",
            json!({"command": "cargo test", "description": "Run the tests"}),
        ),
    ])
    .then_always(Reply::text("Done."))
}

/// The daemon's config file: the scripted agents, sessions on `cluster` by `--runner ray`, placed
/// on worker `w1` by its custom resource.
fn write_config(home: &TestHome, agents: &ScriptedAgents, cluster: &RayCluster) {
    let charter = readme_charter(home.path(), "approvalTimeoutSeconds: 120");
    let yaml = json!({
        "charter": charter,
        "maxRestarts": 0,
        "agents": {"claude-code": {"command": agents.claude, "env": agents.agent_env()}},
        "ray": {
            "address": cluster.dashboard_url(),
            "relayListen": "127.0.0.1:0",
            "resources": {"node_w1": 0.001},
        },
    });
    daemon_binary::write_config(home, &yaml.to_string());
}

async fn spawn_on_ray(home: &TestHome, work: &Path, task: &str) -> String {
    let (exit, stdout, stderr) = wundr(
        home,
        &[
            "orchestrator",
            "session",
            "spawn",
            "--runner",
            "ray",
            "--workdir",
            work.to_str().unwrap(),
            task,
        ],
    )
    .await;
    assert!(exit.success(), "spawn failed: {stderr}");
    stdout.trim().to_owned()
}

/// The session once its agent runs on a node (its Ray job known).
async fn running_remotely(home: &TestHome, id: &str) -> v1::Session {
    wait_within(home, id, "the agent to run on a Ray node", PATIENCE, |s| {
        s.remote.is_some() && s.status() == v1::SessionStatus::Running
    })
    .await
}

async fn ended(home: &TestHome, id: &str, within: Duration) -> v1::Session {
    wait_within(home, id, "the session to end", within, |s| {
        s.ended_at_unix_ms > 0
    })
    .await
}

fn nothing_left_of(id: &str) {
    wait_until(PATIENCE, || no_process_of(id).then_some(()))
        .unwrap_or_else(|| panic!("processes of {id} are still running"));
}

fn job_status(cluster: &RayCluster, job: &str) -> String {
    cluster.get(&format!("/api/jobs/{job}")).json()["status"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_run_on_a_ray_node_and_end_cleanly_whatever_ends_them() {
    let home = TestHome::new();
    let Some(agents) = ScriptedAgents::new(&home, story) else {
        return;
    };
    let Some(install) = real_ray() else {
        return;
    };
    // The nodes (and the agents, whose PATH the config sets) find `wundr` on their PATH, as
    // the README asks of every node.
    std::os::unix::fs::symlink(wundr_binary(), agents.bin.join("wundr")).unwrap();
    agents.stand_in("cargo", "exec sleep 600");
    let cluster = RayCluster::start(&install, &["w1", "w2"], std::slice::from_ref(&agents.bin));
    write_config(&home, &agents, &cluster);
    let mut daemon = daemon_binary::start(&home, &[]);

    // 1. A session on w1: it streams, asks, is approved with the CLI, writes, completes.
    let mut client = ws::connect(public_port(&home).await).await;
    let id = spawn_on_ray(&home, &agents.work, "write notes.txt").await;
    let subscribed = client
        .ask(json!({"type": "subscribe_session", "payload": {"sessionId": id}}))
        .await;
    assert_eq!(subscribed["type"], "subscribed", "{subscribed}");
    let asked = wait_within(&home, &id, "a question", PATIENCE, |s| {
        s.waiting_for.is_some()
    })
    .await;
    let remote = asked.remote.clone().expect("the session shows its Ray job");
    assert_eq!(asked.runner, "ray");
    assert_eq!(remote.node_ip, "127.0.0.3", "placed on w1: {remote:?}");
    assert_eq!(remote.node_id, cluster.node_id("w1"));
    assert_eq!(job_status(&cluster, &remote.job_id), "RUNNING");
    let (shown, _) = client
        .until(|f| f["type"] == "tool_call_start" && f["data"]["toolName"] == "Write")
        .await;
    assert_eq!(shown["data"]["sessionId"], id.as_str(), "{shown}");
    let waiting_for = asked.waiting_for.unwrap();
    approve_with_cli(&home, &waiting_for.approval_id).await;
    let done = ended(&home, &id, PATIENCE).await;
    assert_eq!(done.status(), v1::SessionStatus::Completed, "{done:#?}");
    assert_eq!(
        std::fs::read_to_string(agents.work.join("notes.txt")).unwrap(),
        "written on a Ray node\n"
    );
    let (exit, shown, _) = wundr(&home, &["orchestrator", "session", "show", &id]).await;
    assert!(exit.success());
    assert!(
        shown.contains(&format!("ray: job {} on node 127.0.0.3", remote.job_id)),
        "{shown}"
    );
    nothing_left_of(&id);

    // 2. A follow-up resumes the conversation as a new job on the same node.
    let (exit, _, stderr) = wundr(&home, &["orchestrator", "session", "send", &id, "again"]).await;
    assert!(exit.success(), "{stderr}");
    let again = wait_within(&home, &id, "the follow-up", PATIENCE, |s| {
        s.status() == v1::SessionStatus::Completed
            && s.remote.as_ref().is_some_and(|r| r.job_id != remote.job_id)
    })
    .await;
    assert_eq!(
        again.remote.unwrap().node_id,
        remote.node_id,
        "pinned to its node"
    );
    let requests = agents.server.requests();
    assert_eq!(requests.len(), 3);
    assert!(
        requests[2].body.to_string().contains("Wrote notes.txt."),
        "the follow-up carries the conversation"
    );
    nothing_left_of(&id);

    // 3. `session stop` of a long one leaves nothing on the node.
    let long = spawn_on_ray(&home, &agents.work, "run the tests").await;
    running_remotely(&home, &long).await;
    wait_until(PATIENCE, || (!agents.ran("cargo").is_empty()).then_some(()))
        .expect("the tool runs on the node");
    let (exit, _, stderr) = wundr(&home, &["orchestrator", "session", "stop", &long]).await;
    assert!(exit.success(), "{stderr}");
    let stopped = ended(&home, &long, PATIENCE).await;
    assert_eq!(
        stopped.status(),
        v1::SessionStatus::Terminated,
        "{stopped:#?}"
    );
    nothing_left_of(&long);

    // 4. The daemon killed mid-session: the new one finds the job and ends it.
    let orphaned = spawn_on_ray(&home, &agents.work, "run the tests").await;
    let job = running_remotely(&home, &orphaned)
        .await
        .remote
        .unwrap()
        .job_id;
    daemon.signal(Signal::SIGKILL);
    wait_until(PATIENCE, || {
        (!crate::common::alive(daemon.pid)).then_some(())
    })
    .expect("the daemon died");
    daemon = daemon_binary::start(&home, &[]);
    let after = session(&home, &orphaned).await;
    assert_eq!(after.status(), v1::SessionStatus::Failed, "{after:#?}");
    assert!(after.error.contains("daemon restarted"), "{}", after.error);
    wait_until(PATIENCE, || {
        matches!(
            job_status(&cluster, &job).as_str(),
            "STOPPED" | "SUCCEEDED" | "FAILED"
        )
        .then_some(())
    })
    .expect("its Ray job ended");
    nothing_left_of(&orphaned);

    // 5. A worker killed under a session ends it with the reason; the conversation that node
    // held cannot move, and its follow-up says so.
    let doomed = spawn_on_ray(&home, &agents.work, "run the tests").await;
    running_remotely(&home, &doomed).await;
    cluster.kill_node("w1");
    let lost = ended(&home, &doomed, Duration::from_secs(120)).await;
    assert_eq!(lost.status(), v1::SessionStatus::Failed, "{lost:#?}");
    assert!(
        lost.error.contains("Ray node 127.0.0.3") && lost.error.contains("died"),
        "{}",
        lost.error
    );
    nothing_left_of(&doomed);
    let (exit, _, stderr) = wundr(&home, &["orchestrator", "session", "send", &id, "more"]).await;
    assert!(exit.success(), "{stderr}");
    let refused = wait_within(&home, &id, "the follow-up to be refused", PATIENCE, |s| {
        s.status() == v1::SessionStatus::Failed
    })
    .await;
    assert!(refused.error.contains("is gone"), "{}", refused.error);

    daemon.stop();
    cluster.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_cluster_refuses_the_spawn_and_makes_nothing() {
    let home = TestHome::new();
    // A port nothing listens on.
    let port = crate::common::unused_port();
    let address = format!("http://127.0.0.1:{port}");
    daemon_binary::write_config(
        &home,
        &json!({"ray": {"address": address, "relayListen": "127.0.0.1:0"}}).to_string(),
    );
    let daemon = daemon_binary::start(&home, &[]);
    let (exit, stdout, stderr) = wundr(
        &home,
        &[
            "orchestrator",
            "session",
            "spawn",
            "--runner",
            "ray",
            "--scratch",
            "hello",
        ],
    )
    .await;
    assert!(!exit.success(), "{stdout}");
    assert!(
        stderr.contains(&format!("cannot reach the Ray cluster at {address}")),
        "{stderr}"
    );
    let listed = daemon_binary::sessions(&home)
        .await
        .list(v1::ListSessionsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(listed.sessions.is_empty(), "nothing was made: {listed:#?}");
    // Claude Flow is prepared on this machine: it is refused on a cluster, before anything.
    let (exit, _, stderr) = wundr(
        &home,
        &[
            "orchestrator",
            "session",
            "spawn",
            "--runner",
            "ray",
            "--type",
            "ruflo",
            "--scratch",
            "hi",
        ],
    )
    .await;
    assert!(!exit.success());
    assert!(
        stderr.contains("ruflo sessions run on this machine only"),
        "{stderr}"
    );
    let (status_exit, status, _) = wundr(&home, &["orchestrator", "status"]).await;
    assert!(status_exit.success());
    assert!(
        status.contains(&format!("ray: cluster {address}")),
        "{status}"
    );
    daemon.stop();
}
