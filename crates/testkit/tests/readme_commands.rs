//! The README's two commands are the ones the quick start shows and CI runs: the quick start's
//! first command is the main job (`cargo run --release -- demo`), its second the test command,
//! and `.ci/run` runs exactly that test command and no other `cargo test`.

use std::fs;

const MAIN_COMMAND: &str = "cargo run --release -- demo";

/// The `sh` code blocks of the README's "## Quick start" section, one entry per block.
fn quick_start_blocks(readme: &str) -> Vec<String> {
    let start = readme
        .find("\n## Quick start\n")
        .expect("README.md has a \"## Quick start\" section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in section.lines() {
        match (&mut current, line.trim()) {
            (None, "```sh") => current = Some(Vec::new()),
            (Some(lines), "```") => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), l) => lines.push(l),
            (None, _) => {}
        }
    }
    blocks
}

/// The commands of a shell script (comments, blank lines and `echo`s left out).
fn script_commands(script: &str) -> Vec<&str> {
    script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("echo "))
        .collect()
}

#[test]
fn the_readme_commands_are_the_ones_ci_and_the_quick_start_use() {
    let root = tvaers_testkit::workspace_root();
    let readme = fs::read_to_string(root.join("README.md")).expect("README.md");
    let ci = fs::read_to_string(root.join(".ci/run")).expect(".ci/run");

    let blocks = quick_start_blocks(&readme);
    assert_eq!(
        blocks.len(),
        2,
        "the quick start has two commands, the main job and the tests: {blocks:?}"
    );
    assert_eq!(blocks[0], MAIN_COMMAND, "the quick start's main command");
    let test_command = &blocks[1];

    let commands = script_commands(&ci);
    let tests: Vec<&&str> = commands
        .iter()
        .filter(|c| c.contains("cargo test") || c.contains("cargo nextest"))
        .collect();
    assert_eq!(
        tests,
        [&test_command.as_str()],
        ".ci/run runs exactly the README's test command, once"
    );
    assert_eq!(
        commands.last(),
        Some(&test_command.as_str()),
        ".ci/run ends with the README's test command (its result is CI's result)"
    );
}

#[test]
fn the_parsers_read_what_they_should() {
    let readme = "# T\n\n## Quick start\n\nx\n\n```sh\na b\n```\n\n```sh\nc\n```\n\n## Next\n\n```sh\nd\n```\n";
    assert_eq!(quick_start_blocks(readme), ["a b", "c"]);
    assert_eq!(
        script_commands("#!/bin/sh\n# c\necho \"== x\"\n\nset -e\n  cargo test --workspace\n"),
        ["set -e", "cargo test --workspace"]
    );
}
