//! Where sessions run: [`RunnerKind`] (`runner: local|ray`) and the `ray:` table
//! ([`RaySettings`] resolved, [`RayLayer`] as one layer of the config file spells it).
//!
//! A Ray session is a job submitted to the cluster's Jobs REST API (`address`); its
//! entrypoint is the relay (`wundr orchestrator relay`, found as `wundrCommand` on the node),
//! which dials back to the daemon's relay listener (`relayListen`, advertised to the node as
//! `relayAddress`). `resources` and `labels` place the jobs (Ray's `entrypoint_resources` and
//! `entrypoint_label_selector`); a job that names neither runs on the head node.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// Which runner starts a session's agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunnerKind {
    /// A child process of the daemon, on this machine.
    #[default]
    Local,
    /// A job on a Ray cluster, through the relay.
    Ray,
}

impl RunnerKind {
    /// `local` or `ray`, as the config, the CLI and the APIs spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            RunnerKind::Local => "local",
            RunnerKind::Ray => "ray",
        }
    }

    /// The kind named `name` (`local`, `ray`).
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim() {
            "local" => Some(RunnerKind::Local),
            "ray" => Some(RunnerKind::Ray),
            _ => None,
        }
    }
}

/// How the daemon uses a Ray cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct RaySettings {
    /// The Jobs REST API (the dashboard), `http://host:port`.
    pub address: String,
    /// Where the daemon listens for relays; port 0 picks a free one.
    pub relay_listen: SocketAddr,
    /// What relays on the nodes dial (`host:port`); `None` = the listener's own address.
    pub relay_address: Option<String>,
    /// Ray's `entrypoint_resources` for every job (custom resources pick nodes).
    pub resources: BTreeMap<String, f64>,
    /// Ray's `entrypoint_label_selector` for every job.
    pub labels: BTreeMap<String, String>,
    /// The `wundr` program on the nodes.
    pub wundr_command: String,
}

// Resource amounts are checked to be finite and positive wherever they are set, never NaN,
// so equality is total (the daemon's config compares whole settings).
impl Eq for RaySettings {}

impl RaySettings {
    /// Settings for the cluster whose Jobs API is at `address`, with the defaults.
    pub fn new(address: impl Into<String>) -> Self {
        RaySettings {
            address: address.into(),
            relay_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            relay_address: None,
            resources: BTreeMap::new(),
            labels: BTreeMap::new(),
            wundr_command: "wundr".to_owned(),
        }
    }
}

/// The `ray:` table as the config file spells it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RayLayer {
    /// `address`: the Jobs API, `http://host:port`
    pub address: Option<String>,
    /// `relayListen`: `ip:port` the daemon listens on for relays
    pub relay_listen: Option<String>,
    /// `relayAddress`: `host:port` relays dial
    pub relay_address: Option<String>,
    /// `resources`: `{name: amount}`
    pub resources: Option<BTreeMap<String, f64>>,
    /// `labels`: `{label: value}`
    pub labels: Option<BTreeMap<String, String>>,
    /// `wundrCommand`: the `wundr` program on the nodes
    pub wundr_command: Option<String>,
}

/// A refused value: `(field, value, rule)`.
pub type Refusal = (&'static str, String, &'static str);

impl RayLayer {
    /// The layer that reproduces `settings` (for `DaemonConfig::validate`).
    pub fn from_settings(settings: &RaySettings) -> Self {
        RayLayer {
            address: Some(settings.address.clone()),
            relay_listen: Some(settings.relay_listen.to_string()),
            relay_address: settings.relay_address.clone(),
            resources: Some(settings.resources.clone()),
            labels: Some(settings.labels.clone()),
            wundr_command: Some(settings.wundr_command.clone()),
        }
    }

    /// Applies this layer over `target` (`None` until a layer names an address).
    pub fn apply_to(&self, target: &mut Option<RaySettings>) -> Result<(), Refusal> {
        // Worked on a copy: a refused layer leaves `target` as it was.
        let mut settings = match (target.clone(), &self.address) {
            (kept, Some(address)) => RaySettings {
                address: check_address(address)?,
                ..kept.unwrap_or_else(|| RaySettings::new(""))
            },
            (Some(kept), None) => kept,
            (None, None) => return Err(("ray.address", String::new(), NEEDS_ADDRESS)),
        };
        if let Some(listen) = &self.relay_listen {
            settings.relay_listen = listen.trim().parse().map_err(|_| {
                (
                    "ray.relayListen",
                    listen.clone(),
                    "must be ip:port (for example 127.0.0.1:0 or 10.0.0.5:7070)",
                )
            })?;
        }
        if let Some(address) = &self.relay_address {
            let ok = address
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            if !ok {
                return Err((
                    "ray.relayAddress",
                    address.clone(),
                    "must be host:port, the address the nodes reach the daemon's relay listener at",
                ));
            }
            settings.relay_address = Some(address.trim().to_owned());
        }
        if let Some(resources) = &self.resources {
            if let Some((name, amount)) = resources.iter().find(|(name, amount)| {
                name.trim().is_empty() || !(amount.is_finite() && **amount > 0.0)
            }) {
                return Err((
                    "ray.resources",
                    format!("{name}: {amount}"),
                    "each resource needs a name and an amount above 0 (for example node_w1: 0.001)",
                ));
            }
            settings.resources = resources.clone();
        }
        if let Some(labels) = &self.labels {
            if labels.keys().any(|k| k.trim().is_empty()) {
                return Err(("ray.labels", String::new(), "label names must not be empty"));
            }
            settings.labels = labels.clone();
        }
        if let Some(command) = &self.wundr_command {
            if command.trim().is_empty() {
                return Err(("ray.wundrCommand", String::new(), "must not be empty"));
            }
            settings.wundr_command = command.trim().to_owned();
        }
        *target = Some(settings);
        Ok(())
    }
}

/// What `runner: ray` without an address is told.
pub const NEEDS_ADDRESS: &str = "Ray sessions need ray.address, the URL of the cluster's Jobs API (the dashboard), \
     for example http://127.0.0.1:8265";

/// `http://host:port`, without a trailing slash.
fn check_address(address: &str) -> Result<String, Refusal> {
    let trimmed = address.trim().trim_end_matches('/');
    let bad = |rule| Err(("ray.address", address.to_owned(), rule));
    let Some(rest) = trimmed.strip_prefix("http://") else {
        return if trimmed.starts_with("https://") {
            bad(
                "https is not supported: give the dashboard's plain http:// address (keep it on a trusted network, as Ray's docs say)",
            )
        } else {
            bad("must be the Jobs API's URL, http://host:port (for example http://127.0.0.1:8265)")
        };
    };
    let ok = rest.rsplit_once(':').is_some_and(|(host, port)| {
        !host.is_empty() && !host.contains('/') && port.parse::<u16>().is_ok()
    });
    if !ok {
        return bad("must be http://host:port (for example http://127.0.0.1:8265)");
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_and_bad_values_name_the_field() {
        let mut settings = None;
        let layer = RayLayer {
            address: Some("http://127.0.0.1:8265/".into()),
            relay_listen: Some("127.0.0.1:7070".into()),
            resources: Some([("node_w1".to_owned(), 0.001)].into()),
            ..RayLayer::default()
        };
        layer.apply_to(&mut settings).unwrap();
        let applied = settings.clone().unwrap();
        assert_eq!(applied.address, "http://127.0.0.1:8265");
        assert_eq!(applied.relay_listen.port(), 7070);
        assert_eq!(applied.wundr_command, "wundr");
        let back = RayLayer::from_settings(&applied);
        let mut again = None;
        back.apply_to(&mut again).unwrap();
        assert_eq!(again, settings);

        for (bad, field) in [
            (
                RayLayer {
                    address: Some("127.0.0.1:8265".into()),
                    ..RayLayer::default()
                },
                "ray.address",
            ),
            (
                RayLayer {
                    address: Some("https://ray:443".into()),
                    ..RayLayer::default()
                },
                "ray.address",
            ),
            (
                RayLayer {
                    relay_listen: Some("anywhere".into()),
                    ..RayLayer::default()
                },
                "ray.relayListen",
            ),
            (
                RayLayer {
                    relay_address: Some("nohost".into()),
                    ..RayLayer::default()
                },
                "ray.relayAddress",
            ),
            (
                RayLayer {
                    resources: Some([("w".to_owned(), f64::NAN)].into()),
                    ..RayLayer::default()
                },
                "ray.resources",
            ),
            (
                RayLayer {
                    resources: Some([("w".to_owned(), 0.0)].into()),
                    ..RayLayer::default()
                },
                "ray.resources",
            ),
            (
                RayLayer {
                    wundr_command: Some(" ".into()),
                    ..RayLayer::default()
                },
                "ray.wundrCommand",
            ),
        ] {
            let before = settings.clone();
            assert_eq!(bad.apply_to(&mut settings).unwrap_err().0, field);
            assert_eq!(settings, before, "a refused layer changes nothing");
        }
        let mut none = None;
        let err = RayLayer::default().apply_to(&mut none).unwrap_err();
        assert_eq!(err.0, "ray.address");
    }

    #[test]
    fn runner_names_round_trip() {
        for kind in [RunnerKind::Local, RunnerKind::Ray] {
            assert_eq!(RunnerKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(RunnerKind::parse("k8s"), None);
    }
}
