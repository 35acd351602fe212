//! The fault-injection suite (one test binary, one module per area): what the daemon promises
//! when things go wrong around it — a full or read-only disk, `kill -9` mid-request, damaged
//! tables, other local users, connection floods, malformed frames — each shown against the
//! real daemon with real faults (mounts, immutable files, signals, a second uid).

mod charter;
mod durability;
mod fds;
mod processes;
mod storage;
mod transcripts;
mod ws_frames;
mod ws_users;
