//! The real Claude Code CLI 2.1.330 against the scripted model server, offline: real tool
//! loops (Bash, Write), the stdio permission prompt (allow, deny, AskUserQuestion answers),
//! usage, `--resume`, API errors, the `scripted-model` binary, and the server over plain HTTP.
//! One test binary; each module is one area. A test that needs the CLI skips loudly without npm
//! (see `real_claude`).

mod lab;
mod permissions;
mod scripted_model_binary;
mod server_alone;
mod tool_loop;
mod turns;
