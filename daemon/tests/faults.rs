//! Trust under faults and other users (issue #12): each area's tests against real daemons,
//! real sockets and real processes. One test binary; one module per area.

mod common;

#[path = "faults/charter.rs"]
mod charter;
