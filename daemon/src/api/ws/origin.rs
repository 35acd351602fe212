//! Who may open a WebSocket: [`origin_allowed`] (cross-site WebSocket hijacking: a web page
//! in the user's browser must not drive the daemon unless its origin is trusted) and
//! [`host_allowed`] (DNS rebinding: a foreign name that resolves to 127.0.0.1 arrives with its
//! own `Host`). Both are pure; the handshake refuses with 403 when either says no.

use orchestrator_config::is_loopback_host;

/// Whether a browser `Origin` may connect: loopback web origins on any port
/// (`http(s)://localhost`, `127.0.0.1`, `[::1]`) and the configured ones, compared exactly
/// (ASCII case-insensitive, a trailing `/` ignored). `null` (sandboxed iframes, `file://`) is
/// trusted only when configured literally.
pub fn origin_allowed(origin: &str, configured: &[String]) -> bool {
    let origin = origin.trim().trim_end_matches('/');
    if configured
        .iter()
        .any(|c| c.trim().trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let lower = origin.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))
    else {
        return false;
    };
    let host = split_port(rest);
    host.is_some_and(is_loopback_host)
}

/// Whether a request's `Host` header names this daemon: a loopback name, or the host it was
/// configured to bind (any port). `any_host` admits every name: for a daemon bound to all
/// interfaces with authentication, where the credential, not the name, is the protection.
pub fn host_allowed(host: Option<&str>, bound: &str, any_host: bool) -> bool {
    let Some(host) = host else {
        return false;
    };
    if any_host {
        return true;
    }
    let lower = host.trim().to_ascii_lowercase();
    let Some(name) = split_port(&lower) else {
        return false;
    };
    let bound = bound.to_ascii_lowercase();
    is_loopback_host(name) || name == bound.trim_start_matches('[').trim_end_matches(']')
}

/// The host part of `host[:port]` / `[v6][:port]`, without brackets; `None` if malformed.
fn split_port(authority: &str) -> Option<&str> {
    if authority.contains('/') || authority.contains('@') || authority.is_empty() {
        return None;
    }
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return (after.is_empty() || valid_port(after.strip_prefix(':')?)).then_some(host);
    }
    match authority.split_once(':') {
        Some((host, port)) if valid_port(port) => Some(host),
        Some(_) => None,
        None => Some(authority),
    }
}

fn valid_port(port: &str) -> bool {
    port.parse::<u16>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_configured_origins_only() {
        let configured = vec!["https://Neolith.example.com/".to_owned()];
        for (origin, ok) in [
            ("http://localhost:3000", true),
            ("https://localhost", true),
            ("http://127.0.0.1:8080", true),
            ("http://[::1]:3000", true),
            ("https://neolith.example.com", true),
            ("null", false),
            ("file://", false),
            ("http://localhost.evil.com", false),
            ("http://evil.com", false),
            ("http://127.0.0.1.evil.com:80", false),
            ("http://localhost@evil.com", false),
            ("ws://localhost:3000", false),
            ("http://localhost:notaport", false),
            ("", false),
        ] {
            assert_eq!(origin_allowed(origin, &configured), ok, "{origin}");
        }
        assert!(origin_allowed("null", &["null".to_owned()]));
    }

    #[test]
    fn hosts_must_name_this_daemon() {
        for (host, ok) in [
            (Some("127.0.0.1:8787"), true),
            (Some("localhost:8787"), true),
            (Some("LOCALHOST"), true),
            (Some("[::1]:8787"), true),
            (Some("evil.com:8787"), false),
            (Some("attacker.example"), false),
            (Some("127.0.0.1:99999"), false),
            (None, false),
        ] {
            assert_eq!(host_allowed(host, "127.0.0.1", false), ok, "{host:?}");
        }
        assert!(host_allowed(Some("box.lan:8787"), "box.lan", false));
        assert!(host_allowed(Some("anything"), "0.0.0.0", true));
    }
}
