//! The fault-injection suite: what the daemon promises when things go wrong around it — a
//! full or read-only disk, `kill -9` mid-request, damaged tables, other users, floods — each
//! shown against the real daemon with real faults (mounts, immutable files, signals).

#[path = "../common/mod.rs"]
mod common;

mod durability;
mod storage;
