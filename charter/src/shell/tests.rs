use super::*;

fn programs(src: &str) -> Vec<String> {
    parse_commands(src).into_iter().map(|c| c.program).collect()
}

#[test]
fn chains_wrappers_quotes_and_substitutions() {
    assert_eq!(
        programs("cd x && ls | grep y; echo z || true &"),
        ["cd", "ls", "grep", "echo", "true"]
    );
    let c = &parse_commands("sudo -u root env A=1 nohup /bin/rm -rf /")[0];
    assert_eq!(
        (c.wrappers.clone(), c.program.as_str(), c.args.clone()),
        (vec!["sudo".into()], "rm", vec!["-rf".into(), "/".into()])
    );
    assert_eq!(parse_commands("echo 'rm -rf /'")[0].args, ["rm -rf /"]);
    assert_eq!(
        programs("echo \"$(whoami)\" `id`"),
        ["echo", "whoami", "id"]
    );
    // Backquotes inside double quotes run too.
    assert_eq!(programs("echo \"at `hostname`\""), ["echo", "hostname"]);
    assert_eq!(programs("bash -lc 'git status'"), ["git", "bash"]);
    assert!(parse_commands("cat a > out.txt")[0].writes_file);
    assert!(!parse_commands("cat a 2>/dev/null 2>&1")[0].writes_file);
    assert_eq!(parse_commands("cat a 2>/dev/null")[0].args, ["a"]);
    assert_eq!(programs("# just a comment"), Vec::<String>::new());
}
