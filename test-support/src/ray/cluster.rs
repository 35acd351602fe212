//! [`RayCluster`]: a real Ray cluster of a head and N worker nodes on this one machine, and
//! [`RayNode`], one row of its `/api/v0/nodes`. Its start's details are in `start.rs`,
//! stopping it is in `stop.rs`.
//!
//! Every node gets its own loopback IP (127.0.0.2 for the head, then 127.0.0.3, …: Ray swaps
//! 127.0.0.1 for the host's real IP), its own free ports (the defaults collide between nodes
//! and clusters), and runs `ray start` from its own directory under a short temp dir, with a
//! throwaway `HOME`, `RAY_CLUSTER_NODE_NAME=<name>`, and the cluster's marker variable
//! (`WUNDR_RAY_CLUSTER=<temp dir>`), which every process of the node inherits, jobs included.
//!
//! Seen while writing this, beyond `RAY_LOCAL_CLUSTER.md`: `/api/v0/nodes` wraps its list
//! twice (`{"result":true,"msg":"","data":{"result":{"total":…,"result":[…]}}}`); a dead
//! node stays listed, as `DEAD`; and a killed raylet's agents and job supervisor exit within
//! about 2 s, while the job's own commands live on as orphans.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::http::{self, HttpResponse};
use super::install::RayInstall;
use super::prepare::{check_names, free_ports, make_temp_dir};

/// The variable every process of a cluster inherits from `ray start`, set to its temp dir:
/// the one sign that survives a job `cd`-ing elsewhere (Ray's renamed processes lose it).
pub(super) const MARKER: &str = "WUNDR_RAY_CLUSTER";

/// A real Ray cluster on this machine; stopped (and its temp dir removed) by [`Self::stop`]
/// or on drop, by its own means: `ray stop` would kill every Ray on the machine.
#[derive(Debug)]
pub struct RayCluster {
    pub(super) temp: PathBuf,
    pub(super) gcs_port: u16,
    dashboard_port: u16,
    /// The head first, then the workers in the order given.
    pub(super) nodes: Vec<NodeSpec>,
    pub(super) stopped: bool,
}

#[derive(Debug, Clone)]
pub(super) struct NodeSpec {
    pub name: String,
    pub ip: String,
    /// The node's cwd (and so its jobs' cwd), `<temp>/<name>`.
    pub dir: PathBuf,
}

/// One node as `/api/v0/nodes` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RayNode {
    /// `head` or the worker's name (found by its IP); `?` for a node not started here.
    pub name: String,
    pub node_id: String,
    pub ip: String,
    /// `ALIVE` or `DEAD`.
    pub state: String,
    pub is_head: bool,
}

impl RayCluster {
    /// Starts a head and one worker per name in `workers` (names of `[A-Za-z0-9_-]`; each gets
    /// the resource `node_<name>` and the label `agent-host=<name>`, the head `node_head`),
    /// and waits until the dashboard answers and lists every node `ALIVE`. Each node's `PATH`
    /// is `extra_path`, then the venv's `bin`, then ours, so its jobs find those programs.
    /// Panics with the tail of Ray's logs when the cluster does not come up.
    pub fn start(install: &RayInstall, workers: &[&str], extra_path: &[PathBuf]) -> RayCluster {
        check_names(workers);
        let began = Instant::now();
        let ports = free_ports(5 + 1 + workers.len());
        let [
            gcs,
            dashboard,
            client,
            autoscaler_metrics,
            dashboard_metrics,
        ] = <[u16; 5]>::try_from(&ports[..5]).expect("five ports");
        // The dashboard agent listens on each node: the head's port, then each worker's.
        let agent_ports = &ports[5..];
        let mut cluster = RayCluster {
            temp: make_temp_dir(),
            gcs_port: gcs,
            dashboard_port: dashboard,
            nodes: Vec::new(),
            stopped: false,
        };
        // From here on a panic drops `cluster`, which stops whatever did start.
        let temp = cluster.temp.clone();
        let home = temp.join("home");
        std::fs::create_dir(&home).unwrap_or_else(|e| panic!("cannot create {home:?}: {e}"));
        let path =
            std::env::join_paths(extra_path.iter().cloned().chain([install.bin_dir()]).chain(
                std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
            ))
            .expect("no PATH entry holds a ':'");
        let base = |name: &str| {
            let mut command = Command::new(install.ray_bin());
            // Inherited RAY_* settings (an address, an auth mode) would change what starts.
            for (var, _) in std::env::vars_os() {
                if var.to_string_lossy().starts_with("RAY_") {
                    command.env_remove(var);
                }
            }
            command
                .env("PATH", &path)
                .env("HOME", &home)
                .env("RAY_AUTH_MODE", "disabled")
                .env("RAY_memory_monitor_refresh_ms", "0")
                .env("AUTOSCALER_METRIC_PORT", autoscaler_metrics.to_string())
                .env("DASHBOARD_METRIC_PORT", dashboard_metrics.to_string())
                .env("RAY_CLUSTER_NODE_NAME", name)
                .env(MARKER, &temp)
                .args(["start", "--num-cpus=1", "--object-store-memory=100000000"])
                .arg("--disable-usage-stats")
                .arg(format!("--temp-dir={}", temp.join("ray").display()))
                .arg(format!("--resources={{\"node_{name}\":1}}"))
                .arg(format!("--labels=agent-host={name}"));
            command
        };
        let mut head = base("head");
        head.args(["--head", "--node-ip-address=127.0.0.2"])
            .arg(format!("--port={gcs}"))
            .args(["--dashboard-host=127.0.0.1", "--include-dashboard=true"])
            .arg(format!("--dashboard-port={dashboard}"))
            .arg(format!("--ray-client-server-port={client}"))
            .arg(format!("--dashboard-agent-listen-port={}", agent_ports[0]));
        cluster.start_node("head", "127.0.0.2", head);
        for (i, name) in workers.iter().enumerate() {
            let ip = format!("127.0.0.{}", i + 3);
            let mut worker = base(name);
            worker
                .arg(format!("--address={}", cluster.gcs_address()))
                .arg(format!("--node-ip-address={ip}"))
                .arg(format!(
                    "--dashboard-agent-listen-port={}",
                    agent_ports[i + 1]
                ))
                // One log monitor per host: all nodes share the session's log directory.
                .arg("--include-log-monitor=false");
            cluster.start_node(name, &ip, worker);
        }
        cluster.wait_until_all_alive();
        eprintln!(
            "Ray cluster {} ({} nodes) up in {:.1?}",
            cluster.temp.display(),
            cluster.nodes.len(),
            began.elapsed()
        );
        cluster
    }

    /// `http://127.0.0.1:<dashboard port>`, the base of the Jobs and State REST APIs.
    pub fn dashboard_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.dashboard_port)
    }

    /// `127.0.0.2:<gcs port>`: what jobs see as `RAY_ADDRESS`.
    pub fn gcs_address(&self) -> String {
        format!("127.0.0.2:{}", self.gcs_port)
    }

    /// The temp dir that holds every node's directory, Ray's `--temp-dir` (`ray/`) and `home/`.
    pub fn temp_dir(&self) -> &Path {
        &self.temp
    }

    /// The IP of node `name` (`head` or a worker's name).
    pub fn node_ip(&self, name: &str) -> &str {
        &self.spec(name).ip
    }

    /// The directory node `name` runs in: its jobs' cwd.
    pub fn node_dir(&self, name: &str) -> &Path {
        &self.spec(name).dir
    }

    /// The Ray node id of the live node `name`, as in a job's `driver_node_id`.
    pub fn node_id(&self, name: &str) -> String {
        let nodes = self.nodes();
        nodes
            .iter()
            .find(|n| n.name == name && n.state == "ALIVE")
            .map(|n| n.node_id.clone())
            .unwrap_or_else(|| panic!("no ALIVE node {name} in /api/v0/nodes: {nodes:?}"))
    }

    /// Every node `/api/v0/nodes` lists, dead ones included.
    pub fn nodes(&self) -> Vec<RayNode> {
        let response = self.get("/api/v0/nodes");
        self.parse_nodes(&response).unwrap_or_else(|| {
            panic!(
                "unexpected /api/v0/nodes: HTTP {}: {}",
                response.status, response.body
            )
        })
    }

    /// The rows of a `/api/v0/nodes` answer, which nests them in `data.result.result`.
    pub(super) fn parse_nodes(&self, response: &HttpResponse) -> Option<Vec<RayNode>> {
        let json: Value = serde_json::from_str(&response.body).ok()?;
        let rows = json.pointer("/data/result/result")?.as_array()?;
        let node = |row: &Value| {
            let text = |key: &str| row[key].as_str().unwrap_or_default().to_owned();
            let ip = text("node_ip");
            RayNode {
                name: self
                    .nodes
                    .iter()
                    .find(|spec| spec.ip == ip)
                    .map_or_else(|| "?".to_owned(), |spec| spec.name.clone()),
                node_id: text("node_id"),
                state: text("state"),
                is_head: row["is_head_node"].as_bool().unwrap_or(false),
                ip,
            }
        };
        Some(rows.iter().map(node).collect())
    }

    /// Waits (polling, up to `timeout`) until node `name` is listed in `state`
    /// (`ALIVE`/`DEAD`); panics with the nodes last seen. A killed raylet is `DEAD` after ~13 s.
    pub fn wait_for_node_state(&self, name: &str, state: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let nodes = self.nodes();
            if nodes.iter().any(|n| n.name == name && n.state == state) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "node {name} is not {state} after {timeout:?}: {nodes:?}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// `GET <dashboard><path>`; panics when the dashboard cannot be reached.
    pub fn get(&self, path: &str) -> HttpResponse {
        let url = format!("{}{path}", self.dashboard_url());
        http::get(&url).unwrap_or_else(|e| panic!("GET {url}: {e}"))
    }

    /// `POST <dashboard><path>` with a JSON body; panics when the dashboard cannot be reached.
    pub fn post_json(&self, path: &str, body: &Value) -> HttpResponse {
        let url = format!("{}{path}", self.dashboard_url());
        http::post_json(&url, body).unwrap_or_else(|e| panic!("POST {url}: {e}"))
    }

    pub(super) fn spec(&self, name: &str) -> &NodeSpec {
        self.nodes
            .iter()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("this cluster has no node {name}"))
    }
}
