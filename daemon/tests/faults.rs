//! Trust under faults and other users (issue #12): each area's tests against real daemons,
//! real sockets and real second users. One test binary; one module per area.

mod common;

#[path = "faults/fds.rs"]
mod fds;
#[path = "faults/ws_frames.rs"]
mod ws_frames;
#[path = "faults/ws_users.rs"]
mod ws_users;
