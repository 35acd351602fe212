//! Bringing a [`RayCluster`] up: one `ray start` per node (with a deadline), the wait until
//! the dashboard lists every node `ALIVE`, and the failure text with the tails of Ray's logs.

use std::collections::HashSet;
use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::cluster::{NodeSpec, RayCluster};
use super::http;

/// Starting is 5–10 s here; the rest is headroom for a loaded CI machine.
const START_TIMEOUT: Duration = Duration::from_secs(120);

impl RayCluster {
    /// Runs one node's `ray start` from `<temp>/<name>` (it returns once the node is up),
    /// its output in `<temp>/<name>.start.log`: a file, not a pipe, which the daemons it
    /// leaves behind could hold open.
    pub(super) fn start_node(&mut self, name: &str, ip: &str, mut command: Command) {
        let dir = self.temp.join(name);
        std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("cannot create {dir:?}: {e}"));
        self.nodes.push(NodeSpec {
            name: name.to_owned(),
            ip: ip.to_owned(),
            dir: dir.clone(),
        });
        let log_path = self.temp.join(format!("{name}.start.log"));
        let log = File::create(&log_path).unwrap_or_else(|e| panic!("{log_path:?}: {e}"));
        let log2 = log.try_clone().expect("a second handle on the start log");
        let mut child = command
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", command.get_program()));
        let deadline = Instant::now() + START_TIMEOUT;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("{}", self.failure(&format!("`ray start` of {name} hung")));
                }
                Err(e) => panic!("waiting for `ray start` of {name}: {e}"),
            }
        };
        if !status.success() {
            panic!(
                "{}",
                self.failure(&format!("`ray start` of {name} failed ({status})"))
            );
        }
    }

    /// Polls until `/api/version` answers and `/api/v0/nodes` lists every node `ALIVE`.
    pub(super) fn wait_until_all_alive(&self) {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut last = String::from("the dashboard never answered");
        loop {
            let url = self.dashboard_url();
            let version = http::get(&format!("{url}/api/version"));
            if version.as_ref().is_ok_and(|r| r.status == 200) {
                match http::get(&format!("{url}/api/v0/nodes")) {
                    Ok(r) => match self.parse_nodes(&r) {
                        Some(nodes) => {
                            let alive: HashSet<String> = nodes
                                .into_iter()
                                .filter(|n| n.state == "ALIVE")
                                .map(|n| n.name)
                                .collect();
                            if self.nodes.iter().all(|n| alive.contains(&n.name)) {
                                return;
                            }
                            last = format!("ALIVE so far: {alive:?}");
                        }
                        None => last = format!("/api/v0/nodes: HTTP {}: {}", r.status, r.body),
                    },
                    Err(e) => last = format!("/api/v0/nodes: {e}"),
                }
            }
            if Instant::now() >= deadline {
                panic!(
                    "{}",
                    self.failure(&format!("the cluster did not come up: {last}"))
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `what`, the output of each `ray start`, and the tails of Ray's own logs.
    fn failure(&self, what: &str) -> String {
        // The temp dir goes with the cluster's drop, so the logs' tails are copied in here.
        let mut text = format!("{what} (temp dir {})", self.temp.display());
        let logs = self.temp.join("ray/session_latest/logs");
        let mut files: Vec<PathBuf> = self
            .nodes
            .iter()
            .map(|n| self.temp.join(format!("{}.start.log", n.name)))
            .collect();
        let mut ray_logs: Vec<PathBuf> = std::fs::read_dir(&logs)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().unwrap_or_default().to_string_lossy();
                name.ends_with(".err")
                    || name.starts_with("raylet")
                    || name.starts_with("gcs_server")
                    || name == "dashboard.log"
            })
            .collect();
        ray_logs.sort();
        files.extend(ray_logs);
        for file in files {
            let content = std::fs::read_to_string(&file).unwrap_or_default();
            let lines: Vec<&str> = content.lines().collect();
            if !lines.is_empty() {
                let tail = lines[lines.len().saturating_sub(15)..].join("\n");
                text.push_str(&format!("\n--- {} (tail) ---\n{tail}", file.display()));
            }
        }
        text
    }
}
