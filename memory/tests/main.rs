//! The memory store's integration tests, one binary: `api` (adding, searching, the scratchpad,
//! exports and imports), `retention` (expiry, compaction, concurrent writers, and the labelled
//! relevance set), against real SQLite files in temp dirs. Helpers in `common`.

mod common;

mod api;
mod retention;
