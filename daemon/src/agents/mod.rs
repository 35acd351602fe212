//! What a session runs, and how its output becomes typed events.
//!
//! Key types: [`stream_json::StreamEvent`] (one parsed line of `claude --output-format
//! stream-json`), [`TurnTracker`] (stream events → turns), [`AgentEvent`] (what the daemon
//! broadcasts) and [`Usage`] (token counts; [`Usage::total`] is "tokens used").

pub mod control;
pub mod events;
pub mod stream_json;
pub mod turn_tracker;

pub use events::AgentEvent;
pub use stream_json::{ParsedLine, StreamEvent, Usage, parse_line};
pub use turn_tracker::TurnTracker;
