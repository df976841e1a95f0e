//! Checks a rules file and prints its rules or the first error: `cargo run --example check_rules -- FILE`.
fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "rules/standard.toml".into());
    let text = std::fs::read_to_string(&path).expect("readable file");
    match tvaers_rules::RuleSet::parse(&text, &path) {
        Ok(r) => {
            for rule in r.rules() {
                println!(
                    "{:<34} {:<12} {:<8} {}",
                    rule.id,
                    rule.kind.code(),
                    rule.severity.code(),
                    rule.name_da
                );
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
