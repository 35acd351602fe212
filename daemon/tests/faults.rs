//! Trust under faults and other users (issue #12): the daemon and its sessions when processes
//! are killed, disks fill up and agents misbehave. One test binary; one module per area.

mod common;

#[path = "faults/processes.rs"]
mod processes;
#[path = "faults/transcripts.rs"]
mod transcripts;
