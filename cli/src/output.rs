//! Writing to the terminal without panicking: [`stdout`] reports failures as
//! [`CliError::Stdout`] (so a closed pipe ends the command quietly), [`stderr`] and [`warn`]
//! ignore them, as there is nowhere left to report to.

use std::io::{self, Write};

use crate::error::CliError;

/// Writes `text` as-is to stdout and flushes it.
pub fn stdout(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::Stdout)
}

/// Writes `text` as-is to stderr.
pub fn stderr(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Writes `warning: <message>` as one line to stderr.
pub fn warn(message: &str) {
    stderr(&format!("warning: {message}\n"));
}
