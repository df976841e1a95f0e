//! Turns `messages.toml` into the `Key` enum and one text table per language, so that a key
//! used in code but missing from the catalogue, or a message without both languages, fails the
//! build instead of panicking at run time.

use std::fmt::Write as _;

fn main() {
    println!("cargo::rerun-if-changed=messages.toml");
    let source = std::fs::read_to_string("messages.toml").expect("read messages.toml");
    let table: toml::Table = match source.parse() {
        Ok(t) => t,
        Err(e) => panic!("messages.toml is not valid TOML: {e}"),
    };
    let mut keys = Vec::new();
    let mut problems = Vec::new();
    for (key, entry) in &table {
        let text = |lang: &str| entry.get(lang).and_then(|v| v.as_str()).map(str::to_string);
        match (text("da"), text("en")) {
            (Some(da), Some(en)) if !da.trim().is_empty() && !en.trim().is_empty() => {
                if entry.as_table().map_or(0, |t| t.len()) != 2 {
                    problems.push(format!("[{key}] has keys other than da and en"));
                }
                // Code fills `{}` in order; both languages must take the same arguments.
                if da.matches("{}").count() != en.matches("{}").count() {
                    problems.push(format!(
                        "[{key}] has a different number of {{}} in da and en"
                    ));
                }
                keys.push((key.clone(), da, en));
            }
            _ => problems.push(format!("[{key}] needs a non-empty da and en text")),
        }
    }
    if !problems.is_empty() {
        panic!("messages.toml:\n  {}", problems.join("\n  "));
    }
    let mut out = String::new();
    out.push_str("/// A message key; its name in `messages.toml` is the variant name.\n");
    out.push_str("#[allow(non_camel_case_types)]\n");
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Key {\n");
    for (k, _, _) in &keys {
        writeln!(out, "    {k},").unwrap();
    }
    out.push_str("}\n\nimpl Key {\n    /// Every key, in catalogue order.\n    pub const ALL: &'static [Key] = &[\n");
    for (k, _, _) in &keys {
        writeln!(out, "        Key::{k},").unwrap();
    }
    out.push_str("    ];\n\n    /// The key's name in `messages.toml`.\n    pub fn name(self) -> &'static str {\n        NAMES[self as usize]\n    }\n}\n\n");
    let array = |name: &str, pick: &dyn Fn(&(String, String, String)) -> &String| {
        let mut s = format!("const {name}: [&str; {}] = [\n", keys.len());
        for k in &keys {
            writeln!(s, "    {:?},", pick(k)).unwrap();
        }
        s.push_str("];\n\n");
        s
    };
    out.push_str(&array("NAMES", &|k| &k.0));
    out.push_str(&array("DA", &|k| &k.1));
    out.push_str(&array("EN", &|k| &k.2));
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("keys.rs");
    std::fs::write(dest, out).expect("write keys.rs");
}
