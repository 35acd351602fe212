//! The service files, rendered from the checked-in templates (the same files the `.deb`
//! ships): [`render_unit`] points the systemd unit's `ExecStart` at the daemon binary that was
//! found, [`render_plist`] fills the LaunchAgent's `@DAEMON@` and `@HOME@`. A `--socket`
//! given to `wundr` is passed on, so the service and the CLI agree on where to meet.

use std::path::Path;

/// The systemd user unit, as installed by the `.deb` (`ExecStart=/usr/bin/...`).
pub const UNIT_TEMPLATE: &str =
    include_str!("../../../../../packaging/systemd/wundr-orchestrator.service");
/// The LaunchAgent, with `@DAEMON@` and `@HOME@` placeholders.
pub const PLIST_TEMPLATE: &str =
    include_str!("../../../../../packaging/launchd/io.wundr.orchestrator.plist");
/// The unit's file name (and name for `systemctl --user`).
pub const UNIT_FILE: &str = "wundr-orchestrator.service";
/// The LaunchAgent's label.
pub const LABEL: &str = "io.wundr.orchestrator";
/// The LaunchAgent's file name.
pub const PLIST_FILE: &str = "io.wundr.orchestrator.plist";

const TEMPLATE_EXEC: &str = "ExecStart=/usr/bin/orchestrator-daemon";

/// One word of a systemd command line: quoted when it has spaces, `%` and `\` escaped.
fn systemd_word(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('%', "%%")
        .replace('"', "\\\"");
    if escaped.contains(char::is_whitespace) || escaped.is_empty() {
        format!("\"{escaped}\"")
    } else {
        escaped
    }
}

/// The unit with `ExecStart` running `daemon` (and `--socket`, when given).
pub fn render_unit(daemon: &Path, socket: Option<&Path>) -> String {
    let mut exec = format!("ExecStart={}", systemd_word(&daemon.to_string_lossy()));
    if let Some(socket) = socket {
        exec.push_str(&format!(
            " --socket {}",
            systemd_word(&socket.to_string_lossy())
        ));
    }
    UNIT_TEMPLATE.replacen(TEMPLATE_EXEC, &exec, 1)
}

fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The LaunchAgent running `daemon` (and `--socket`, when given) for the user at `home`.
pub fn render_plist(daemon: &Path, socket: Option<&Path>, home: &Path) -> String {
    let mut program = xml_text(&daemon.to_string_lossy());
    if let Some(socket) = socket {
        program.push_str(&format!(
            "</string>\n    <string>--socket</string>\n    <string>{}",
            xml_text(&socket.to_string_lossy())
        ));
    }
    PLIST_TEMPLATE
        .replace(
            "<string>@DAEMON@</string>",
            &format!("<string>{program}</string>"),
        )
        .replace("@HOME@", &xml_text(&home.to_string_lossy()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_runs_the_found_daemon_and_keeps_everything_else() {
        let unit = render_unit(
            Path::new("/home/a b/.cargo/bin/orchestrator-daemon"),
            Some(Path::new("/run/user/1000/w%.sock")),
        );
        assert!(unit.contains(
            "\nExecStart=\"/home/a b/.cargo/bin/orchestrator-daemon\" --socket /run/user/1000/w%%.sock\n"
        ));
        assert!(!unit.contains(TEMPLATE_EXEC));
        assert_eq!(
            unit.lines().count(),
            UNIT_TEMPLATE.lines().count(),
            "only ExecStart changes"
        );
        assert!(unit.contains("\nType=notify\n") && unit.contains("\nRestart=on-failure\n"));
    }

    /// The `<key>`/value pairs of the plist's top-level `<dict>`, parsed as XML.
    fn plist_entries(text: &str) -> Vec<(String, String)> {
        let doc = roxmltree::Document::parse_with_options(
            text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .expect("the plist is well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "plist");
        let dict = root.children().find(|n| n.is_element()).unwrap();
        assert_eq!(dict.tag_name().name(), "dict");
        let items: Vec<_> = dict.children().filter(|n| n.is_element()).collect();
        items
            .chunks(2)
            .map(|pair| {
                assert_eq!(pair[0].tag_name().name(), "key");
                let value = pair[1];
                let shown = match value.tag_name().name() {
                    "true" | "false" => value.tag_name().name().to_owned(),
                    "array" | "dict" => value
                        .descendants()
                        .filter(|n| n.is_text())
                        .filter_map(|n| n.text())
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .collect::<Vec<_>>()
                        .join(" "),
                    _ => value.text().unwrap_or_default().to_owned(),
                };
                (pair[0].text().unwrap_or_default().to_owned(), shown)
            })
            .collect()
    }

    #[test]
    fn the_plist_parses_and_says_what_launchd_needs() {
        let text = render_plist(
            Path::new("/Users/a&b/bin/orchestrator-daemon"),
            Some(Path::new("/tmp/o.sock")),
            Path::new("/Users/a&b"),
        );
        assert!(!text.contains('@'), "every placeholder is filled");
        let entries = plist_entries(&text);
        let get = |key: &str| {
            entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("{key} missing"))
        };
        assert_eq!(get("Label"), LABEL);
        assert_eq!(
            get("ProgramArguments"),
            "/Users/a&b/bin/orchestrator-daemon --socket /tmp/o.sock"
        );
        assert_eq!(get("RunAtLoad"), "true");
        assert_eq!(get("KeepAlive"), "SuccessfulExit");
        assert!(
            text.contains("<key>SuccessfulExit</key>\n    <false/>"),
            "restart only after a crash or an error exit"
        );
        assert_eq!(
            get("StandardOutPath"),
            "/Users/a&b/Library/Logs/wundr/orchestrator.log"
        );
        assert_eq!(get("StandardErrorPath"), get("StandardOutPath"));
        // The checked-in template is well-formed too.
        assert_eq!(plist_entries(PLIST_TEMPLATE).len(), entries.len());
    }
}
