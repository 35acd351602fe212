//! The daemon's integration tests, one binary: each module is one area, against the real
//! daemon (in this process, or its binary), real sockets, real SQLite files and real agent
//! processes (the fixture agent, and the real Claude Code CLI in `real_claude`). Helpers are
//! in `common` (daemons, homes, WebSocket clients, charters) and `process_support` (the
//! runner's processes). `faults` injects faults; `real_claude` needs npm (it skips loudly
//! without it). A test that must see every child of the test process runs alone in a process
//! of its own (`process_support::alone`).

mod common;
mod faults;
mod process_support;
mod real_claude;

mod binary;
mod charter_limits;
mod charter_reload;
mod config_example;
mod daemon_death;
mod fixture_agent;
mod json_across_doors;
mod lifecycle;
mod memory_daemon;
mod notify;
mod permissions;
mod python_grpc;
mod ray_cluster;
mod runner;
mod runner_cycles;
mod service_notify;
mod session_agents;
mod session_cycles;
mod sessions;
mod stalls;
mod stream_json_fixtures;
mod ws_api;
mod ws_doors;
mod ws_limits;
mod ws_security;
