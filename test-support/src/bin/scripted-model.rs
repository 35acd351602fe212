//! `scripted-model SCRIPT.json [--port PORT]`: serves a script (format: the
//! `wundr_test_support::script` doc) as an Anthropic Messages API on 127.0.0.1, prints
//! `ANTHROPIC_BASE_URL=http://127.0.0.1:PORT` on stdout, one line per call on stderr, and runs
//! until SIGINT or SIGTERM. Point a Claude Code process (or the daemon's
//! `agents.claude-code.env`) at it to try sessions without a Claude login.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use wundr_test_support::{ModelServer, Script};

const USAGE: &str = "usage: scripted-model SCRIPT.json [--port PORT]";

fn main() -> ExitCode {
    let (script_path, port) = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(why) => {
            eprintln!("scripted-model: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let script = match Script::from_json_file(&script_path) {
        Ok(script) => script,
        Err(e) => {
            let cause = std::error::Error::source(&e).map_or(String::new(), |c| format!(": {c}"));
            eprintln!("scripted-model: {e}{cause}");
            return ExitCode::FAILURE;
        }
    };
    let server = match ModelServer::bind(SocketAddr::from(([127, 0, 0, 1], port)), script) {
        Ok(server) => server,
        Err(e) => {
            eprintln!(
                "scripted-model: cannot listen on 127.0.0.1:{port}: {e} (choose another --port, or 0 for any)"
            );
            return ExitCode::FAILURE;
        }
    };
    server.log_calls();
    println!("ANTHROPIC_BASE_URL={}", server.url());
    let _ = std::io::stdout().flush();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime builds");
    runtime.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM can be watched");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    });
    eprintln!(
        "scripted-model: stopping after {} call(s)",
        server.requests().len()
    );
    ExitCode::SUCCESS
}

/// The script and port, or `None` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<(PathBuf, u16)>, String> {
    let mut script = None;
    let mut port = 0;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or("--port needs a number")?;
                port = value
                    .parse()
                    .map_err(|_| format!("--port {value} is not a port number (0-65535)"))?;
            }
            "-h" | "--help" => return Ok(None),
            _ if script.is_none() && !arg.starts_with('-') => script = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    Ok(Some((script.ok_or("no script file given")?, port)))
}
