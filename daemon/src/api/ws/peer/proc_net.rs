//! The fallback where sock_diag is missing: [`find`] scans `/proc/net/tcp` (or `tcp6`) of the
//! daemon's network namespace for one connection. O(sockets) per lookup — the kernel formats
//! the whole table, time-wait sockets included: about 37 ms a connection with 25,000 sockets
//! on the bench machine, against microseconds for sock_diag — so it is used only when the
//! kernel's exact lookup ([`super::sock_diag`]) is unavailable.

use std::io::{self, BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};

use super::SocketInfo;

/// The TCP socket whose local address is `local` and remote address `remote`; `Ok(None)` when
/// the table has none. Both addresses must be of one family (see [`super::canonical_pair`]).
pub fn find(local: SocketAddr, remote: SocketAddr) -> io::Result<Option<SocketInfo>> {
    let table = match local.ip() {
        IpAddr::V4(_) => "/proc/net/tcp",
        IpAddr::V6(_) => "/proc/net/tcp6",
    };
    let file = std::fs::File::open(table)?;
    find_in(BufReader::new(file), local, remote)
}

fn find_in(
    table: impl BufRead,
    local: SocketAddr,
    remote: SocketAddr,
) -> io::Result<Option<SocketInfo>> {
    let (local, remote) = (encode(local), encode(remote));
    for line in table.lines().skip(1) {
        let line = line?;
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
        let fields: Vec<&str> = line.split_whitespace().take(10).collect();
        let [_, l, r, state, _, _, _, uid, _, inode] = fields.as_slice() else {
            continue;
        };
        if !l.eq_ignore_ascii_case(&local) || !r.eq_ignore_ascii_case(&remote) {
            continue;
        }
        let parsed = (
            u8::from_str_radix(state, 16),
            uid.parse::<u32>(),
            inode.parse::<u32>(),
        );
        return match parsed {
            (Ok(state), Ok(uid), Ok(inode)) => Ok(Some(SocketInfo { state, uid, inode })),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("unreadable line in the TCP table: {line}"),
            )),
        };
    }
    Ok(None)
}

/// An address as the table prints it: each 32-bit word of the address in the host's byte
/// order, in hex, then the port in hex (`0100007F:1F90` is 127.0.0.1:8080 on little endian).
fn encode(address: SocketAddr) -> String {
    let octets = match address.ip() {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    let mut text = String::with_capacity(38);
    for word in octets.chunks_exact(4) {
        let word = u32::from_ne_bytes([word[0], word[1], word[2], word[3]]);
        text.push_str(&format!("{word:08X}"));
    }
    text.push_str(&format!(":{:04X}", address.port()));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_connection_by_both_ends() {
        let local: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let remote: SocketAddr = "127.0.0.1:8787".parse().unwrap();
        let (l, r) = (encode(local), encode(remote));
        let table = format!(
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
             \x20  0: {r} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0\n\
             \x20  1: {l} {r} 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0 20 4 30 10 -1\n"
        );
        let found = find_in(table.as_bytes(), local, remote).unwrap();
        assert_eq!(
            found,
            Some(SocketInfo {
                state: 1,
                uid: 1000,
                inode: 222
            })
        );
        assert_eq!(find_in(table.as_bytes(), remote, local).unwrap(), None);
    }

    #[test]
    fn encodes_like_the_kernel() {
        if cfg!(target_endian = "little") {
            assert_eq!(encode("127.0.0.1:8080".parse().unwrap()), "0100007F:1F90");
            assert_eq!(
                encode("[::1]:8080".parse().unwrap()),
                "00000000000000000000000001000000:1F90"
            );
        }
    }

    #[test]
    fn finds_this_processs_own_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let found = find(client.local_addr().unwrap(), client.peer_addr().unwrap())
            .unwrap()
            .expect("listed");
        assert_eq!(found.uid, nix::unistd::geteuid().as_raw());
        assert_ne!(found.inode, 0);
    }
}
