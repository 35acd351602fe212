//! [`Spinner`]: a one-line progress indicator on stderr for anything that waits, drawn only
//! when stderr is a terminal so scripts and logs never see control characters.

use std::io::{self, IsTerminal, Write};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_INTERVAL: Duration = Duration::from_millis(80);

/// A running spinner; dropping it stops it and clears its line.
#[derive(Debug)]
pub struct Spinner {
    // A thread rather than a tokio task: it keeps turning even while the runtime's only
    // thread is blocked, and it needs no runtime at all.
    running: Option<(mpsc::Sender<()>, thread::JoinHandle<()>)>,
}

impl Spinner {
    /// Starts a spinner showing `message`, or a no-op one when stderr is not a terminal.
    pub fn start(message: impl Into<String>) -> Self {
        let dumb = std::env::var_os("TERM").is_some_and(|term| term == "dumb");
        if dumb || !io::stderr().is_terminal() {
            return Self { running: None };
        }
        let message = message.into();
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = thread::Builder::new()
            .name("spinner".into())
            .spawn(move || {
                for frame in FRAMES.iter().cycle() {
                    let mut err = io::stderr().lock();
                    let _ = write!(err, "\r{frame} {message}");
                    let _ = err.flush();
                    drop(err);
                    // Any message, or the sender being dropped, means stop.
                    if stopped.recv_timeout(FRAME_INTERVAL) != Err(mpsc::RecvTimeoutError::Timeout)
                    {
                        break;
                    }
                }
                // Carriage return, then erase the line.
                let _ = write!(io::stderr().lock(), "\r\x1b[2K");
            });
        // No thread, no spinner: progress display is not worth failing a command for.
        Self {
            running: thread.ok().map(|thread| (stop, thread)),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some((stop, thread)) = self.running.take() {
            drop(stop);
            let _ = thread.join();
        }
    }
}
