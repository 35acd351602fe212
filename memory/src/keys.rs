//! What identifies a memory entry: its id ([`new_id`]) and the hash of its content that
//! merges duplicates ([`content_hash`]).

use std::cell::Cell;

use sha2::{Digest, Sha256};

thread_local! {
    /// xorshift64* state, seeded once per thread from the OS (a v4 UUID). Ids must be unique,
    /// not secret: one `getrandom` call per id was 3% of a bulk insert.
    static ID_RANDOM: Cell<u64> = Cell::new(uuid::Uuid::new_v4().as_u64_pair().0 | 1);
}

fn next_random() -> u64 {
    ID_RANDOM.with(|state| {
        let mut x = state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// `mem_<ms>_<9 base36 chars>` (upstream's shape); the suffix is random.
pub(crate) fn new_id(now_ms: i64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut random = next_random();
    let mut suffix = String::with_capacity(9);
    for _ in 0..9 {
        suffix.push(char::from(DIGITS[(random % 36) as usize]));
        random /= 36;
    }
    format!("mem_{now_ms}_{suffix}")
}

/// First 128 bits of SHA-256 in hex. A cryptographic hash rather than `std`'s: the value is
/// stored and compared across daemon versions, and `DefaultHasher`'s output is not stable
/// across Rust releases; SHA-256 of a few KiB costs microseconds, far below the insert.
pub(crate) fn content_hash(content: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(content.as_bytes());
    let mut hex = String::with_capacity(32);
    for byte in &digest[..16] {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn ids_have_upstreams_shape_and_do_not_repeat() {
        let ids: HashSet<String> = (0..10_000).map(|_| new_id(1_700_000_000_000)).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(20) {
            let suffix = id.strip_prefix("mem_1700000000000_").unwrap();
            assert_eq!(suffix.len(), 9);
            assert!(
                suffix
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
            );
        }
    }

    #[test]
    fn the_hash_is_the_first_half_of_sha256_in_hex() {
        // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 ...
        assert_eq!(content_hash("abc"), "ba7816bf8f01cfea414140de5dae2223");
    }
}
