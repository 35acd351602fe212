//! Which local user opened a TCP connection to the public port: [`PeerLookup`] asks the
//! kernel for the uid owning the connection's other end, once per accepted connection, and
//! yields a [`PeerUid`]. On Linux it uses sock_diag (`sock_diag`, an exact O(1) lookup by
//! the 4-tuple) and falls back to scanning `/proc/net/tcp` (`proc_net`) where sock_diag is
//! missing; [`PeerLookup::probe`] decides which works at start by finding the daemon's own
//! listener. Where neither works (other systems, restricted sandboxes) every peer is
//! [`PeerUid::Unknown`] and only the owner's token admits it (see [`super::owner`]).
//!
//! A socket only counts while a process still holds it open (a non-zero inode) and it is a
//! full connection: time-wait and request sockets report uid 0, which must never pass for
//! root's.

#[cfg(target_os = "linux")]
mod proc_net;
#[cfg(target_os = "linux")]
mod sock_diag;

use std::net::{IpAddr, SocketAddr};

/// The hidden switch that forces one lookup method, for tests and diagnosis: `sock-diag`,
/// `proc` or `off`. `off` makes every peer [`PeerUid::Unknown`], so it can only ever admit
/// fewer clients (those without the token are refused), never more.
pub const LOOKUP_ENV: &str = "WUNDR_WS_PEER_LOOKUP";

/// The user behind one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerUid {
    /// The uid owning the peer's socket.
    Known(u32),
    /// It could not be told.
    Unknown,
}

/// One socket as the kernel describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketInfo {
    /// The TCP state (`TCP_ESTABLISHED` = 1, …).
    pub state: u8,
    /// The uid that created the socket.
    pub uid: u32,
    /// Its inode; 0 when no process holds it any more.
    pub inode: u32,
}

const TCP_SYN_RECV: u8 = 3;
const TCP_TIME_WAIT: u8 = 6;
const TCP_LISTEN: u8 = 10;

impl SocketInfo {
    /// The uid, if this is a live connection some process still holds.
    fn live_uid(self) -> Option<u32> {
        let full = !matches!(self.state, TCP_SYN_RECV | TCP_TIME_WAIT | TCP_LISTEN);
        (full && self.inode != 0).then_some(self.uid)
    }
}

/// How peers are identified.
#[derive(Debug)]
enum Method {
    #[cfg(target_os = "linux")]
    SockDiag(sock_diag::SockDiag),
    #[cfg(target_os = "linux")]
    ProcNet,
    Unavailable,
}

/// Finds the uid behind connections.
#[derive(Debug)]
pub struct PeerLookup {
    method: Method,
}

impl PeerLookup {
    /// Picks the first method that finds `listener` (the daemon's own listening socket,
    /// owned by `own_uid`), honouring [`LOOKUP_ENV`]. `Err` says why none works.
    pub fn probe(listener: SocketAddr, own_uid: u32) -> (Self, Result<&'static str, String>) {
        let forced = std::env::var(LOOKUP_ENV).ok();
        let forced = forced.as_deref().filter(|v| !v.is_empty());
        let unavailable = |why: String| {
            (
                Self {
                    method: Method::Unavailable,
                },
                Err(why),
            )
        };
        if forced == Some("off") {
            return unavailable(format!("{LOOKUP_ENV}=off"));
        }
        #[cfg(target_os = "linux")]
        {
            let unspecified = SocketAddr::new(
                match listener.ip() {
                    IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
                    IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
                },
                0,
            );
            let owns_listener = |info: Option<SocketInfo>| {
                info.is_some_and(|i| i.uid == own_uid && i.state == TCP_LISTEN)
            };
            let mut failures = Vec::new();
            if forced.is_none() || forced == Some("sock-diag") {
                match sock_diag::SockDiag::open() {
                    Ok(mut diag) => match diag.find(listener, unspecified) {
                        Ok(info) if owns_listener(info) => {
                            let method = Method::SockDiag(diag);
                            return (Self { method }, Ok("sock_diag"));
                        }
                        Ok(_) => failures.push("sock_diag does not list the listener".to_owned()),
                        Err(errno) => failures.push(format!("sock_diag lookup failed: {errno}")),
                    },
                    Err(errno) => failures.push(format!("no sock_diag socket: {errno}")),
                }
            }
            if forced.is_none() || forced == Some("proc") {
                match proc_net::find(listener, unspecified) {
                    Ok(info) if owns_listener(info) => {
                        let method = Method::ProcNet;
                        return (Self { method }, Ok("/proc/net/tcp"));
                    }
                    Ok(_) => failures.push("/proc/net/tcp does not list the listener".to_owned()),
                    Err(err) => failures.push(format!("cannot read /proc/net/tcp: {err}")),
                }
            }
            if failures.is_empty() {
                failures.push(format!(
                    "{LOOKUP_ENV}={} is not sock-diag, proc or off",
                    forced.unwrap_or_default()
                ));
            }
            unavailable(failures.join("; "))
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = (listener, own_uid);
            unavailable("this system offers no lookup of a TCP peer's user".to_owned())
        }
    }

    /// A lookup that identifies nobody (every peer [`PeerUid::Unknown`]).
    pub fn unavailable() -> Self {
        Self {
            method: Method::Unavailable,
        }
    }

    /// The uid behind the connection accepted on `local` from `peer`.
    pub async fn uid(&mut self, local: SocketAddr, peer: SocketAddr) -> PeerUid {
        // The peer's socket has the connection's addresses the other way round.
        let (theirs, ours) = canonical_pair(peer, local);
        let found = match &mut self.method {
            #[cfg(target_os = "linux")]
            Method::SockDiag(diag) => diag.find(theirs, ours).map_err(|e| e.to_string()),
            // A scan of the whole table (milliseconds with tens of thousands of sockets):
            // off the runtime's workers, so the other doors keep being served meanwhile.
            #[cfg(target_os = "linux")]
            Method::ProcNet => tokio::task::spawn_blocking(move || proc_net::find(theirs, ours))
                .await
                .map_err(|e| e.to_string())
                .and_then(|found| found.map_err(|e| e.to_string())),
            Method::Unavailable => return PeerUid::Unknown,
        };
        match found {
            Ok(info) => info
                .and_then(SocketInfo::live_uid)
                .map_or(PeerUid::Unknown, PeerUid::Known),
            Err(err) => {
                tracing::debug!(%peer, %err, "cannot tell which user opened a connection");
                PeerUid::Unknown
            }
        }
    }
}

/// Both ends in one family: a dual-stack listener sees IPv4 peers as `::ffff:a.b.c.d`, while
/// the peer's own socket is plain IPv4.
fn canonical_pair(a: SocketAddr, b: SocketAddr) -> (SocketAddr, SocketAddr) {
    let (ca, cb) = (a.ip().to_canonical(), b.ip().to_canonical());
    if ca.is_ipv4() == cb.is_ipv4() {
        (SocketAddr::new(ca, a.port()), SocketAddr::new(cb, b.port()))
    } else {
        (a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_live_full_connections_name_a_user() {
        let info = |state, inode| SocketInfo {
            state,
            uid: 0,
            inode,
        };
        assert_eq!(info(1, 5).live_uid(), Some(0));
        assert_eq!(info(TCP_TIME_WAIT, 0).live_uid(), None);
        assert_eq!(info(5, 0).live_uid(), None, "closed by its process");
        assert_eq!(info(TCP_SYN_RECV, 5).live_uid(), None);
        assert_eq!(info(TCP_LISTEN, 5).live_uid(), None);
    }

    #[test]
    fn mapped_addresses_are_looked_up_as_ipv4() {
        let (a, b) = canonical_pair(
            "[::ffff:127.0.0.1]:4000".parse().unwrap(),
            "[::ffff:127.0.0.1]:8787".parse().unwrap(),
        );
        assert_eq!(a, "127.0.0.1:4000".parse().unwrap());
        assert_eq!(b, "127.0.0.1:8787".parse().unwrap());
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn this_process_is_found_as_the_owner() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let own = nix::unistd::geteuid().as_raw();
        let (mut lookup, method) = PeerLookup::probe(listener.local_addr().unwrap(), own);
        assert!(method.is_ok(), "{method:?}");
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, peer) = listener.accept().unwrap();
        assert_eq!(
            lookup.uid(accepted.local_addr().unwrap(), peer).await,
            PeerUid::Known(own)
        );
        drop(client);
    }
}
