//! The `orchestrator-daemon` binary: parses flags, resolves the configuration (defaults <
//! config file < environment < flags), optionally detaches (`--daemonize`, before any tokio
//! runtime exists), and runs [`OrchestratorDaemon`] until SIGTERM/SIGINT or a `Shutdown` call.
//!
//! Exit codes: 0 stopped cleanly; 1 failed to start or crashed; 2 bad flags or configuration.
//! With `--daemonize` the launching process exits only once the detached daemon is ready
//! (exit 0, pid on stdout) or has failed to start (its reason on stderr), so scripts and
//! `wundr orchestrator start` learn the outcome without polling.
//!
//! SIGHUP re-reads the charter in a task of its own, so the signal loop stays free: a SIGTERM
//! during a long reload is acted on at once (the reload is abandoned and changes nothing).

#[cfg(test)]
mod man_page;
mod readiness;
mod service_manager;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use orchestrator_config::load as config_load;
use orchestrator_daemon::core::Core;
use orchestrator_daemon::{ConfigLayer, DaemonConfig, OrchestratorDaemon, error_chain, logging};
use readiness::Readiness;
use tokio::sync::Notify;

/// Supervises Claude Code and Claude Flow agent sessions.
#[derive(Debug, Parser)]
#[command(
    name = "orchestrator-daemon",
    version,
    after_help = "Environment: ORCHESTRATOR_DAEMON_PORT, ORCHESTRATOR_DAEMON_HOST, \
ORCHESTRATOR_MAX_SESSIONS, ORCHESTRATOR_VERBOSE, ORCHESTRATOR_CHARTER (DAEMON_PORT/DAEMON_HOST also accepted), \
WUNDR_ORCHESTRATOR_SOCKET, RUST_LOG.\n\
Precedence: defaults < config file < environment < flags.\n\
Exit codes: 0 stopped cleanly, 1 start failure or crash, 2 bad flags or configuration."
)]
struct Args {
    /// Detach from the terminal and run in the background (the launcher waits until ready).
    #[arg(long)]
    daemonize: bool,
    /// Public WebSocket/HTTP port (0 picks a free one) [default: 8787].
    #[arg(short, long, value_name = "PORT", allow_negative_numbers = true)]
    port: Option<i64>,
    /// Address of the public port; loopback only [default: 127.0.0.1].
    #[arg(long, value_name = "HOST")]
    host: Option<String>,
    /// Maximum concurrently running sessions [default: 100].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    max_sessions: Option<i64>,
    /// YAML configuration file [default: $XDG_CONFIG_HOME/wundr/orchestrator.yaml if present].
    #[arg(short, long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// gRPC control socket [default: $XDG_RUNTIME_DIR/wundr/orchestrator.sock].
    #[arg(long, value_name = "PATH", env = "WUNDR_ORCHESTRATOR_SOCKET")]
    socket: Option<PathBuf>,
    /// Charter file [default: ~/orchestrator-daemon/orchestrator-charter.yaml; built-in
    /// defaults when that does not exist].
    #[arg(long, value_name = "FILE")]
    charter: Option<PathBuf>,
    /// Debug logging.
    #[arg(short, long)]
    verbose: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = match resolve_config(&args) {
        Ok(config) => config,
        Err(err) => {
            readiness::print_failure(&err.to_string(), err.remedy());
            return ExitCode::from(2);
        }
    };
    let daemon = match OrchestratorDaemon::new(config) {
        Ok(daemon) => daemon,
        Err(err) => {
            readiness::print_failure(&error_chain(&err), err.remedy());
            return ExitCode::from(2);
        }
    };
    let readiness = if args.daemonize {
        match readiness::daemonize() {
            Ok(Some(readiness)) => readiness,
            // The launching process: the detached daemon reported; its outcome is ours.
            Ok(None) => unreachable!("the launcher exits inside daemonize()"),
            Err(err) => {
                eprintln!("error: cannot detach: {err}");
                return ExitCode::from(1);
            }
        }
    } else {
        Readiness::foreground()
    };
    run(daemon, readiness, !args.daemonize)
}

fn resolve_config(args: &Args) -> Result<DaemonConfig, orchestrator_daemon::ConfigError> {
    let file = config_load::config_file(args.config.as_deref(), args.socket.as_deref());
    let flags = ConfigLayer {
        port: args.port,
        host: args.host.clone(),
        max_sessions: args.max_sessions,
        socket: args.socket.clone(),
        charter: args.charter.clone(),
        verbose: args.verbose.then_some(true),
        origin: Some("command-line flags".to_owned()),
        ..ConfigLayer::default()
    };
    config_load::resolve(file.as_deref(), |name| std::env::var(name).ok(), flags)
}

fn run(daemon: OrchestratorDaemon, readiness: Readiness, to_stderr: bool) -> ExitCode {
    let hub = match daemon.open_log_file() {
        Ok(hub) => hub,
        Err(err) => {
            readiness.failed(&err.to_string(), &err.remedy());
            return ExitCode::from(1);
        }
    };
    logging::init(&hub, daemon.config().verbose, to_stderr);
    // Before anything opens descriptors in bulk; the public port sizes its caps by it.
    orchestrator_daemon::fd_limit::raise_and_log();
    std::panic::set_hook(Box::new(|info| {
        tracing::error!(panic = %info, "the daemon panicked");
    }));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("orchestrator")
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            readiness.failed(&format!("cannot start the async runtime: {err}"), "");
            return ExitCode::from(1);
        }
    };
    let core = daemon.core().clone();
    let code = runtime.block_on(serve(daemon, readiness));
    // The stop's grace, shortened when the request asked for less (`stop -t N`).
    let grace = core.shutdown_grace();
    // Dropping a runtime waits for its blocking tasks without limit; one still running (a
    // client's call the daemon no longer answers) gets the shutdown timeout, then the process
    // ends anyway.
    runtime.shutdown_timeout(grace);
    code
}

async fn serve(daemon: OrchestratorDaemon, readiness: Readiness) -> ExitCode {
    use tokio::signal::unix::{SignalKind, signal};
    // Installed before start() so a SIGTERM during start is held and acted on right after.
    let signals = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    );
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = signals else {
        readiness.failed("cannot install signal handlers", "");
        return ExitCode::from(1);
    };
    if let Err(err) = daemon.start().await {
        tracing::error!(error = %err, "start failed");
        readiness.failed(&error_chain(&err), &err.remedy());
        return ExitCode::from(1);
    }
    readiness.ready();
    let ws = daemon
        .status()
        .endpoints
        .map_or_else(String::new, |e| format!(", WebSocket on port {}", e.port));
    service_manager::ready(&format!("running{ws}"));
    let reload_requests = Arc::new(Notify::new());
    let reloader = tokio::spawn(reload_on_request(
        daemon.core().clone(),
        reload_requests.clone(),
    ));
    let reason = loop {
        tokio::select! {
            reason = daemon.shutdown_requested() => break reason,
            _ = term.recv() => break "SIGTERM".to_owned(),
            _ = int.recv() => break "SIGINT".to_owned(),
            _ = hup.recv() => reload_requests.notify_one(),
        }
    };
    // A reload still running is abandoned: it installs nothing and does not hold the stop.
    reloader.abort();
    daemon.core().request_shutdown(&reason);
    service_manager::stopping();
    daemon.stop().await;
    ExitCode::SUCCESS
}

/// Re-reads the charter each time SIGHUP asks; a bad file keeps the previous one (and the log
/// says why). SIGHUPs arriving during a reload ask for one more reload, not one each.
async fn reload_on_request(core: Arc<Core>, requests: Arc<Notify>) {
    loop {
        requests.notified().await;
        tracing::info!("SIGHUP: re-reading the charter file");
        match core.reload_charter().await {
            Ok(active) => tracing::info!(
                charter = %active.source.as_deref().map(|p| p.display().to_string()).unwrap_or_default(),
                defaults = active.source.is_none(),
                "SIGHUP: charter reloaded"
            ),
            Err(err) => tracing::error!(
                error = %error_chain(&err),
                "SIGHUP: charter not reloaded; the previous charter stays in force"
            ),
        }
    }
}
