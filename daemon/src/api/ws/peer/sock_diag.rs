//! The kernel's socket diagnostics ([`SockDiag`]): one `NETLINK_SOCK_DIAG` socket, kept for
//! the daemon's life, and one exact `inet_diag` lookup by a connection's 4-tuple per call —
//! O(1), no scan of the socket table, no file descriptor opened per connection.
//!
//! Hand-written rather than a crate: it is one fixed-layout request and two fixed-offset
//! fields of the reply (`linux/netlink.h`, `linux/inet_diag.h`), in safe code over nix's
//! socket calls. The netlink crates (`netlink-packet-sock-diag` with `netlink-packet-core`
//! and `netlink-sys`) would add three dependencies and a generic message model for that.

use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsRawFd, OwnedFd};

use nix::errno::Errno;
use nix::sys::socket::{
    self, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
};

use super::SocketInfo;

/// `SOCK_DIAG_BY_FAMILY`: the request (and reply) type of `inet_diag` lookups.
const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// `NLM_F_REQUEST` without `NLM_F_DUMP`: an exact lookup of one socket.
const NLM_F_REQUEST: u16 = 1;
/// `NLMSG_ERROR`: the kernel's answer when the lookup failed (`ENOENT`: no such socket).
const NLMSG_ERROR: u16 = 2;
/// `struct nlmsghdr`.
const HEADER_LEN: usize = 16;
/// `struct inet_diag_req_v2`: family, protocol, ext, pad, states, then the socket id.
const REQUEST_BODY_LEN: usize = 56;
/// `struct inet_diag_msg` up to and including `idiag_inode`.
const REPLY_BODY_LEN: usize = 72;
/// Offsets in `struct inet_diag_msg`.
const REPLY_STATE: usize = 1;
const REPLY_UID: usize = 64;
const REPLY_INODE: usize = 68;
const IPPROTO_TCP: u8 = 6;

/// An open sock_diag socket. Lookups are answered synchronously while the request is sent
/// (the kernel runs the handler in the sender's context), so the socket is non-blocking and a
/// missing reply is a failed lookup, never a wait.
#[derive(Debug)]
pub struct SockDiag {
    fd: OwnedFd,
    seq: u32,
    buffer: Vec<u8>,
}

impl SockDiag {
    /// Opens the netlink socket.
    pub fn open() -> Result<Self, Errno> {
        let fd = socket::socket(
            AddressFamily::Netlink,
            SockType::Datagram,
            SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
            SockProtocol::NetlinkSockDiag,
        )?;
        socket::connect(fd.as_raw_fd(), &NetlinkAddr::new(0, 0))?;
        Ok(Self {
            fd,
            seq: 0,
            buffer: vec![0; 8192],
        })
    }

    /// The TCP socket whose local address is `local` and remote address `remote`; `Ok(None)`
    /// when there is none. Both addresses must be of one family (see
    /// [`super::canonical_pair`]).
    pub fn find(
        &mut self,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> Result<Option<SocketInfo>, Errno> {
        self.seq = self.seq.wrapping_add(1);
        let request = encode_request(self.seq, local, remote);
        socket::send(self.fd.as_raw_fd(), &request, MsgFlags::empty())?;
        loop {
            let len = socket::recv(self.fd.as_raw_fd(), &mut self.buffer, MsgFlags::empty())?;
            // Replies to earlier requests (none are expected: each is read before the next
            // request) are skipped by their sequence number.
            if let Some(answer) = decode_reply(&self.buffer[..len], self.seq) {
                return answer;
            }
        }
    }
}

/// The request for the socket `local` → `remote`: the kernel looks up the socket that would
/// receive a packet from `remote` to `local`.
fn encode_request(
    seq: u32,
    local: SocketAddr,
    remote: SocketAddr,
) -> [u8; HEADER_LEN + REQUEST_BODY_LEN] {
    let mut message = [0u8; HEADER_LEN + REQUEST_BODY_LEN];
    let len = u32::try_from(message.len()).unwrap_or(u32::MAX);
    message[0..4].copy_from_slice(&len.to_ne_bytes());
    message[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    message[6..8].copy_from_slice(&NLM_F_REQUEST.to_ne_bytes());
    message[8..12].copy_from_slice(&seq.to_ne_bytes());
    // nlmsg_pid 0: the kernel fills in the sender.
    let body = &mut message[HEADER_LEN..];
    body[0] = match local.ip() {
        IpAddr::V4(_) => libc_af(AddressFamily::Inet),
        IpAddr::V6(_) => libc_af(AddressFamily::Inet6),
    };
    body[1] = IPPROTO_TCP;
    // idiag_ext 0 (no extensions), pad, then every TCP state.
    body[4..8].copy_from_slice(&u32::MAX.to_ne_bytes());
    // struct inet_diag_sockid: ports and addresses in network byte order.
    let id = &mut body[8..];
    id[0..2].copy_from_slice(&local.port().to_be_bytes());
    id[2..4].copy_from_slice(&remote.port().to_be_bytes());
    put_address(&mut id[4..20], local.ip());
    put_address(&mut id[20..36], remote.ip());
    // idiag_if 0 (any interface); idiag_cookie INET_DIAG_NOCOOKIE (all ones).
    id[40..48].fill(0xff);
    message
}

fn libc_af(family: AddressFamily) -> u8 {
    u8::try_from(family as i32).unwrap_or(0)
}

fn put_address(slot: &mut [u8], ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => slot[..4].copy_from_slice(&v4.octets()),
        IpAddr::V6(v6) => slot.copy_from_slice(&v6.octets()),
    }
}

/// The answer to request `seq` in one datagram, if it holds it.
fn decode_reply(datagram: &[u8], seq: u32) -> Option<Result<Option<SocketInfo>, Errno>> {
    let mut rest = datagram;
    while rest.len() >= HEADER_LEN {
        let len = usize::try_from(u32_at(rest, 0)).unwrap_or(usize::MAX);
        if len < HEADER_LEN || len > rest.len() {
            return Some(Err(Errno::EBADMSG));
        }
        let kind = u16::from_ne_bytes([rest[4], rest[5]]);
        let body = &rest[HEADER_LEN..len];
        if u32_at(rest, 8) == seq {
            return Some(match kind {
                NLMSG_ERROR if body.len() >= 4 => {
                    let code = i32::from_ne_bytes([body[0], body[1], body[2], body[3]]);
                    match Errno::from_raw(-code) {
                        Errno::ENOENT => Ok(None),
                        errno => Err(errno),
                    }
                }
                SOCK_DIAG_BY_FAMILY if body.len() >= REPLY_BODY_LEN => Ok(Some(SocketInfo {
                    state: body[REPLY_STATE],
                    uid: u32_at(body, REPLY_UID),
                    inode: u32_at(body, REPLY_INODE),
                })),
                _ => Err(Errno::EBADMSG),
            });
        }
        // Messages are padded to 4 bytes (NLMSG_ALIGN).
        let next = len.next_multiple_of(4).min(rest.len());
        rest = &rest[next..];
    }
    None
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_names_the_socket_in_network_byte_order() {
        let local: SocketAddr = "127.0.0.2:40000".parse().unwrap();
        let remote: SocketAddr = "127.0.0.1:8787".parse().unwrap();
        let message = encode_request(7, local, remote);
        assert_eq!(u32_at(&message, 0) as usize, message.len());
        assert_eq!(u32_at(&message, 8), 7);
        let id = &message[HEADER_LEN + 8..];
        assert_eq!(&id[0..2], &40000u16.to_be_bytes());
        assert_eq!(&id[2..4], &8787u16.to_be_bytes());
        assert_eq!(&id[4..8], &[127, 0, 0, 2]);
        assert_eq!(&id[20..24], &[127, 0, 0, 1]);
    }

    #[test]
    fn finds_this_processs_own_connection_and_nothing_else() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let mut diag = SockDiag::open().unwrap();
        let (ours, theirs) = (client.local_addr().unwrap(), client.peer_addr().unwrap());
        for _ in 0..3 {
            let found = diag.find(ours, theirs).unwrap().expect("found");
            assert_eq!(found.uid, nix::unistd::geteuid().as_raw());
            assert_eq!(found.state, 1, "established");
            assert_ne!(found.inode, 0);
        }
        let nobody: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert_eq!(diag.find(nobody, theirs), Ok(None));
    }

    #[test]
    fn finds_ipv6_connections() {
        let Ok(listener) = std::net::TcpListener::bind("[::1]:0") else {
            eprintln!("SKIPPED: no IPv6 loopback");
            return;
        };
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let mut diag = SockDiag::open().unwrap();
        let found = diag
            .find(client.local_addr().unwrap(), client.peer_addr().unwrap())
            .unwrap()
            .expect("found");
        assert_eq!(found.uid, nix::unistd::geteuid().as_raw());
    }

    #[test]
    fn replies_are_matched_by_sequence_number() {
        let reply = |seq: u32, kind: u16, body: &[u8]| {
            let mut message = Vec::new();
            let len = (HEADER_LEN + body.len()) as u32;
            message.extend_from_slice(&len.to_ne_bytes());
            message.extend_from_slice(&kind.to_ne_bytes());
            message.extend_from_slice(&[0, 0]);
            message.extend_from_slice(&seq.to_ne_bytes());
            message.extend_from_slice(&[0; 4]);
            message.extend_from_slice(body);
            message
        };
        let mut found = [0u8; REPLY_BODY_LEN];
        found[REPLY_STATE] = 1;
        found[REPLY_UID..REPLY_UID + 4].copy_from_slice(&1000u32.to_ne_bytes());
        found[REPLY_INODE..REPLY_INODE + 4].copy_from_slice(&42u32.to_ne_bytes());
        let answer = decode_reply(&reply(3, SOCK_DIAG_BY_FAMILY, &found), 3);
        assert_eq!(
            answer,
            Some(Ok(Some(SocketInfo {
                state: 1,
                uid: 1000,
                inode: 42
            })))
        );
        assert_eq!(
            decode_reply(&reply(2, SOCK_DIAG_BY_FAMILY, &found), 3),
            None
        );
        let enoent = (-(Errno::ENOENT as i32)).to_ne_bytes();
        assert_eq!(
            decode_reply(&reply(3, NLMSG_ERROR, &enoent), 3),
            Some(Ok(None))
        );
        let eperm = (-(Errno::EPERM as i32)).to_ne_bytes();
        assert_eq!(
            decode_reply(&reply(3, NLMSG_ERROR, &eperm), 3),
            Some(Err(Errno::EPERM))
        );
    }
}
