//! A real Ray 2.60.0 cluster of a head and two workers on this machine (see
//! `wundr_test_support::ray`): a job pinned to a worker runs there, a worker whose raylet is
//! killed is reported DEAD, and stopping the cluster leaves no process and no listening port.
//! Skips loudly where python3 cannot be had (`WUNDR_REQUIRE_RAY=1` makes that a failure).

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use serde_json::json;
use wundr_test_support::ray::{RayCluster, pids_with_env, real_ray};

/// Polls `check` every 100 ms until it returns `Ok`, or panics after `timeout` with `what`
/// and its last `Err`.
fn poll<T>(timeout: Duration, what: &str, mut check: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match check() {
            Ok(value) => return value,
            Err(last) if Instant::now() >= deadline => panic!("{what} after {timeout:?}: {last}"),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn refuses(address: &str) -> bool {
    let address: SocketAddr = address.parse().expect("an ip:port");
    TcpStream::connect_timeout(&address, Duration::from_secs(2)).is_err()
}

#[test]
fn a_pinned_job_runs_on_its_worker_a_killed_worker_dies_and_stop_leaves_nothing() {
    let Some(ray) = real_ray() else { return };
    let began = Instant::now();
    let cluster = RayCluster::start(&ray, &["w1", "w2"], &[]);
    let gcs = cluster.gcs_address();
    let dashboard = cluster.dashboard_url().replace("http://", "");
    let temp = cluster.temp_dir().to_path_buf();
    let marker = format!("real-ray-test-{}", std::process::id());

    let submitted = cluster.post_json(
        "/api/jobs/",
        &json!({
            "entrypoint": "echo $RAY_CLUSTER_NODE_NAME; sleep 600 & sleep 600",
            "entrypoint_resources": {"node_w1": 0.001},
            "runtime_env": {"env_vars": {"WUNDR_TEST_MARKER": marker}},
        }),
    );
    assert_eq!(submitted.status, 200, "submitting: {}", submitted.body);
    let id = submitted.json()["submission_id"]
        .as_str()
        .expect("a submission_id in the answer")
        .to_owned();

    // The entrypoint echoes its node's name first, then sleeps: RUNNING, with `w1` logged.
    let job = poll(
        Duration::from_secs(30),
        "the job is not running on w1",
        || {
            let job = cluster.get(&format!("/api/jobs/{id}")).json();
            let logs = cluster.get(&format!("/api/jobs/{id}/logs")).json();
            let logs = logs["logs"].as_str().unwrap_or_default().to_owned();
            if job["status"] == "RUNNING" && logs.lines().any(|line| line == "w1") {
                Ok(job)
            } else {
                Err(format!("job {job}, logs {logs:?}"))
            }
        },
    );
    assert_eq!(job["driver_node_id"], cluster.node_id("w1"), "{job}");
    // Its commands (sh and two sleeps) carry the marker and run in w1's directory.
    let pids = pids_with_env("WUNDR_TEST_MARKER", &marker);
    assert!(pids.len() >= 2, "the job's processes: {pids:?}");
    for pid in &pids {
        let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default();
        assert_eq!(cwd, cluster.node_dir("w1"), "cwd of job process {pid}");
    }

    let w2 = cluster.node_id("w2");
    let killed_at = Instant::now();
    cluster.kill_node("w2");
    cluster.wait_for_node_state("w2", "DEAD", Duration::from_secs(40));
    eprintln!(
        "w2 DEAD {:.1?} after its raylet was killed",
        killed_at.elapsed()
    );
    let nodes = cluster.nodes();
    assert!(
        nodes.iter().any(|n| n.node_id == w2 && n.state == "DEAD"),
        "{nodes:?}"
    );
    assert_eq!(cluster.node_id("w1"), job["driver_node_id"], "w1 lives on");

    cluster.stop();
    poll(
        Duration::from_secs(10),
        "processes of the cluster are left",
        || {
            let jobs = pids_with_env("WUNDR_TEST_MARKER", &marker);
            let addressed = pids_with_env("RAY_ADDRESS", &gcs);
            if jobs.is_empty() && addressed.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "marker: {jobs:?}, RAY_ADDRESS={gcs}: {addressed:?}"
                ))
            }
        },
    );
    assert!(
        refuses(&gcs),
        "the GCS port {gcs} still accepts connections"
    );
    assert!(
        refuses(&dashboard),
        "the dashboard {dashboard} still accepts connections"
    );
    assert!(!temp.exists(), "{} is left", temp.display());
    eprintln!("whole test: {:.1?}", began.elapsed());
}
