//! The checked-in `packaging/man/orchestrator-daemon.1` (shipped by the `.deb`) is generated
//! from the binary's flags with clap_mangen; this test fails when it falls behind. Regenerate
//! with `WUNDR_REGENERATE=1 cargo test -p orchestrator-daemon --bin orchestrator-daemon`.

use clap::CommandFactory;

#[test]
fn the_checked_in_man_page_is_current() {
    let mut text = Vec::new();
    clap_mangen::Man::new(super::Args::command())
        .render(&mut text)
        .expect("render into memory");
    let page = String::from_utf8_lossy(&text);
    assert!(page.contains(".SH NAME") && page.contains("\\-\\-daemonize"));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../packaging/man/orchestrator-daemon.1");
    if std::env::var_os("WUNDR_REGENERATE").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    assert!(
        std::fs::read(&path).ok() == Some(text),
        "{} is out of date; regenerate: WUNDR_REGENERATE=1 cargo test -p orchestrator-daemon \
         --bin orchestrator-daemon",
        path.display()
    );
}
