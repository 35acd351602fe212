//! [`large_charter`]: a big but realistic charter file — many shell patterns and prose entries
//! in every list that validation checks and the policy compiles — for the fault tests and the
//! charter bench (which includes this file with `#[path]`); [`readme_charter`]: the README's
//! example charter with settings added, for the permission tests and benches.

/// The README's example charter (`tests/fixtures/charters/readme-example-charter.yaml`:
/// autoApprove "Read file operations", "Run test suites"; alwaysReject "rm -rf /", "Force push
/// to main"; escalate "Production deployments") with `extra` YAML appended, written to
/// `dir/charter.yaml`; returns that path.
pub fn readme_charter(dir: &std::path::Path, extra: &str) -> std::path::PathBuf {
    let yaml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../charter/tests/fixtures/charters/readme-example-charter.yaml"
    ))
    .unwrap();
    let path = dir.join("charter.yaml");
    std::fs::write(&path, format!("{yaml}\n{extra}\n")).unwrap();
    path
}

/// A valid charter of at least `bytes` bytes (a little more: it ends on a whole entry). Its
/// `name` is `name`, so a test can tell which file is in force.
pub fn large_charter(name: &str, bytes: usize) -> String {
    let mut text = format!(
        "name: {name}\nrole: Tier1-Orchestrator\ntier: 1\nidentity:\n  name: Large\n  email: large@example.com\n\
         resourceLimits:\n  maxSessions: 8\n  tokenBudget:\n    subscription: 70%\n    api: 30%\n    daily: 5000000\n\
         defaultDecision: ask\napprovalTimeoutSeconds: 120\n"
    );
    // Each round adds one entry to every list, so the lists grow together.
    let mut lists: [(&str, String); 5] = [
        ("responsibilities", String::new()),
        ("hardConstraints", String::new()),
        ("  alwaysReject", String::new()),
        ("  escalate", String::new()),
        ("  autoApprove", String::new()),
    ];
    let header = text.len() + 200;
    let mut size = header;
    let mut i = 0usize;
    while size < bytes {
        let entries = [
            format!("Review the rollout plan of service {i} with its owners"),
            format!("Never deploy service-{i} to production without a review"),
            match i % 3 {
                0 => format!("rm -rf /srv/data/shard-{i}"),
                1 => format!("kubectl delete namespace prod-{i}"),
                _ => format!("git push --force origin release-{i}*"),
            },
            match i % 3 {
                0 => format!("Deploy billing-{i} to production"),
                1 => format!("terraform apply -target=module.region_{i}*"),
                _ => format!("Credential changes for vault path team-{i}"),
            },
            match i % 3 {
                0 => format!("npm run test:unit-{i}"),
                1 => format!("Read the logs of worker {i}"),
                _ => format!("cargo test -p crate-{i}"),
            },
        ];
        for ((_, list), entry) in lists.iter_mut().zip(entries) {
            let line = format!("    - \"{entry}\"\n");
            size += line.len();
            list.push_str(&line);
        }
        i += 1;
    }
    for (key, list) in &lists[..2] {
        text.push_str(&format!("{key}:\n{}", list.replace("    - ", "  - ")));
    }
    text.push_str("safetyHeuristics:\n");
    for (key, list) in &lists[2..] {
        text.push_str(&format!("{key}:\n{list}"));
    }
    text
}
