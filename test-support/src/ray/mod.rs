//! A real Ray cluster in tests: [`real_ray`] finds or installs `ray[default]==2.60.0` into a
//! venv under the repository's `.cache/` (a [`RayInstall`]), and [`RayCluster`] starts a head
//! and N worker nodes of it on this one machine, each node with its own loopback IP
//! (127.0.0.2, 127.0.0.3, …), free ports, a throwaway `HOME` and temp dir, and stops them by
//! itself (never `ray stop`, which kills every Ray on the machine). [`pids_with_env`] lets a
//! test check that nothing of a session is left on a node; [`http`] is the tiny blocking
//! client the cluster uses for the dashboard's REST API ([`HttpResponse`]).
//!
//! The measured facts behind every flag (ports, auth, stop order, orphans) are in the
//! reference `RAY_LOCAL_CLUSTER.md`; the surprises met while writing this are in `cluster.rs`.
//!
//! ```no_run
//! use wundr_test_support::ray::{RayCluster, real_ray};
//!
//! let Some(ray) = real_ray() else { return }; // skipped loudly where python3 cannot be
//! let cluster = RayCluster::start(&ray, &["w1", "w2"], &[]);
//! let job = cluster.post_json(
//!     "/api/jobs/",
//!     &serde_json::json!({"entrypoint": "echo hi", "entrypoint_resources": {"node_w1": 0.001}}),
//! );
//! assert_eq!(job.status, 200, "{}", job.body);
//! cluster.stop(); // or drop it: nothing of the cluster is left either way
//! ```

mod cluster;
pub mod http;
mod install;
mod prepare;
mod procs;
mod start;
mod stop;

pub use cluster::{RayCluster, RayNode};
pub use http::HttpResponse;
pub use install::{RAY_VERSION, RayInstall, real_ray};
pub use procs::pids_with_env;
