//! The `notify:` table of the daemon's configuration: [`NotifySettings`] (resolved),
//! [`NotifyLayer`] (one layer of the config file, applied by `DaemonConfig` like its other
//! tables), [`NotifyEvent`] (what can be notified) and [`WebhookTarget`] (a checked webhook
//! URL).
//!
//! The webhook is plain `http://` for now: the daemon has no TLS client (one would add rustls,
//! ring and a root store to a daemon that otherwise only talks to loopback), so an `https://`
//! URL is refused at start with the remedy: the command channel with `curl`, or a local relay.

use std::time::Duration;

use serde::Deserialize;

/// The events that can be notified, in the config file's spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NotifyEvent {
    /// An agent action waits for a person's approval.
    ApprovalRequired,
    /// A session ended `completed`.
    SessionCompleted,
    /// A session ended `failed` or `terminated`.
    SessionFailed,
    /// A running session has shown no progress for a while.
    SessionStalled,
}

impl NotifyEvent {
    /// Every event, in the documented order (the default of `notify.events`).
    pub const ALL: [NotifyEvent; 4] = [
        Self::ApprovalRequired,
        Self::SessionCompleted,
        Self::SessionFailed,
        Self::SessionStalled,
    ];

    /// The config, metrics and `WUNDR_EVENT` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApprovalRequired => "approval_required",
            Self::SessionCompleted => "session_completed",
            Self::SessionFailed => "session_failed",
            Self::SessionStalled => "session_stalled",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

/// The notification settings the daemon runs with. Nothing is sent while neither `webhook`
/// nor `command` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySettings {
    /// `webhook`: POST each event as JSON here (`http://` only).
    pub webhook: Option<String>,
    /// `command`: run this program with its arguments (no shell) for each event.
    pub command: Option<Vec<String>>,
    /// `events`: which events are sent.
    pub events: Vec<NotifyEvent>,
    /// `timeout`: one delivery attempt (request, or command run) may take this long.
    pub timeout: Duration,
    /// `attempts`: tries per event and channel, with 1 s, 2 s, 4 s … between them.
    pub attempts: u32,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            webhook: None,
            command: None,
            events: NotifyEvent::ALL.to_vec(),
            timeout: Duration::from_secs(10),
            attempts: 5,
        }
    }
}

impl NotifySettings {
    /// Whether any channel is configured.
    pub fn enabled(&self) -> bool {
        self.webhook.is_some() || self.command.is_some()
    }
}

/// `command` as the config file spells it: a list of arguments, or one string split at
/// whitespace.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum CommandLine {
    /// `command: [notify-send, wundr]`: the program and its arguments, exactly.
    List(Vec<String>),
    /// `command: notify-send wundr`: split at whitespace; no quotes, no shell.
    Line(String),
}

/// The `notify:` table as the config file spells it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotifyLayer {
    /// `webhook`
    pub webhook: Option<String>,
    /// `command`
    pub command: Option<CommandLine>,
    /// `events`
    pub events: Option<Vec<String>>,
    /// `timeout`, milliseconds
    pub timeout: Option<i64>,
    /// `attempts`
    pub attempts: Option<i64>,
}

/// A refused value: `(field, value, rule)`, worded by `DaemonConfig` with its origin.
pub type Refusal = (&'static str, String, String);

/// Characters a shell would treat specially: a `command` string holding one is refused, since
/// no shell runs it and the user almost certainly meant one to.
const SHELL_CHARACTERS: &[char] = &[
    '"', '\'', '`', '$', '\\', '|', '&', ';', '<', '>', '(', ')', '*', '?', '~', '#',
];

impl NotifyLayer {
    /// The layer that reproduces `settings` (for `DaemonConfig::validate`).
    pub fn from_settings(settings: &NotifySettings) -> Self {
        Self {
            webhook: settings.webhook.clone(),
            command: settings.command.clone().map(CommandLine::List),
            events: Some(
                settings
                    .events
                    .iter()
                    .map(|e| e.as_str().to_owned())
                    .collect(),
            ),
            timeout: i64::try_from(settings.timeout.as_millis()).ok(),
            attempts: Some(i64::from(settings.attempts)),
        }
    }

    /// Applies this layer over `target`; on a bad value returns what is wrong with it and
    /// leaves `target` as it was.
    pub fn apply_to(&self, target: &mut NotifySettings) -> Result<(), Refusal> {
        let mut next = target.clone();
        if let Some(url) = &self.webhook {
            WebhookTarget::parse(url).map_err(|rule| ("notify.webhook", url.clone(), rule))?;
            next.webhook = Some(url.trim().to_owned());
        }
        if let Some(command) = &self.command {
            next.command = Some(command_argv(command)?);
        }
        if let Some(names) = &self.events {
            next.events = event_list(names)?;
        }
        if let Some(ms) = self.timeout {
            next.timeout = u64::try_from(ms)
                .ok()
                .filter(|ms| (100..=600_000).contains(ms))
                .map(Duration::from_millis)
                .ok_or_else(|| {
                    (
                        "notify.timeout",
                        ms.to_string(),
                        "must be 100–600000 ms".to_owned(),
                    )
                })?;
        }
        if let Some(n) = self.attempts {
            next.attempts = u32::try_from(n)
                .ok()
                .filter(|n| (1..=10).contains(n))
                .ok_or_else(|| ("notify.attempts", n.to_string(), "must be 1–10".to_owned()))?;
        }
        *target = next;
        Ok(())
    }
}

fn command_argv(command: &CommandLine) -> Result<Vec<String>, Refusal> {
    let refuse = |value: String, rule: &str| ("notify.command", value, rule.to_owned());
    let argv = match command {
        CommandLine::List(list) => {
            if list.first().is_none_or(|p| p.trim().is_empty()) {
                return Err(refuse(
                    format!("{list:?}"),
                    "the first element must be the program to run",
                ));
            }
            list.clone()
        }
        CommandLine::Line(line) => {
            if line.contains(SHELL_CHARACTERS) {
                return Err(refuse(
                    line.clone(),
                    "no shell runs it, so quotes, $, |, ;, & and the like would be passed \
                     literally; write it as a list ([program, arg, …]), and run \
                     [sh, -c, 'script'] yourself if you need a shell (the event is in \
                     $WUNDR_EVENT_JSON)",
                ));
            }
            line.split_whitespace().map(str::to_owned).collect()
        }
    };
    if argv.is_empty() {
        return Err(refuse(String::new(), "must name a program to run"));
    }
    Ok(argv)
}

fn event_list(names: &[String]) -> Result<Vec<NotifyEvent>, Refusal> {
    let known = || {
        NotifyEvent::ALL
            .iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if names.is_empty() {
        return Err((
            "notify.events",
            "[]".to_owned(),
            format!(
                "must name at least one of {}; to send nothing, remove webhook and command",
                known()
            ),
        ));
    }
    let mut events = Vec::new();
    for name in names {
        let event = NotifyEvent::parse(name.trim()).ok_or_else(|| {
            (
                "notify.events",
                name.clone(),
                format!("is not an event; the events are {}", known()),
            )
        })?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    Ok(events)
}

/// Where a webhook's requests go: `http://host[:port][/path][?query]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    /// The host as written (brackets removed from an IPv6 literal), for connecting.
    pub host: String,
    /// The port (80 when not written).
    pub port: u16,
    /// The request target: path and query, at least `/`.
    pub path: String,
    /// The `Host` header: the authority as written.
    pub authority: String,
}

impl WebhookTarget {
    /// Parses and checks `url`; the error says what is wrong with it.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        let uri: http::Uri = url
            .parse()
            .map_err(|err| format!("is not a URL ({err}); write it as http://host:port/path"))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") => {
                return Err(
                    "https is not supported: the daemon has no TLS client; use an \
                     http:// URL (a relay on this machine, for example), or the notify.command \
                     channel with curl: [sh, -c, 'curl -fsS -H \"Content-Type: application/json\" \
                     --data \"$WUNDR_EVENT_JSON\" https://…']"
                        .to_owned(),
                );
            }
            Some(other) => {
                return Err(format!(
                    "the scheme {other}: is not supported; webhooks are http:// URLs"
                ));
            }
            None => return Err("has no scheme; write it as http://host:port/path".to_owned()),
        }
        let authority = uri
            .authority()
            .ok_or_else(|| "has no host; write it as http://host:port/path".to_owned())?;
        if authority.as_str().contains('@') {
            return Err("holds a user name or password, which is not supported".to_owned());
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        if host.is_empty() {
            return Err("has no host; write it as http://host:port/path".to_owned());
        }
        Ok(Self {
            host,
            port: authority.port_u16().unwrap_or(80),
            path: uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            authority: authority.as_str().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests;
