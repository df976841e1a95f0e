//! Shared helpers for the integration tests: the register builder and reading every byte the
//! report wrote (xlsx entries unzipped).

#![allow(dead_code)]

#[path = "../../src/testkit.rs"]
pub mod testkit;

use std::io::Read;
use std::path::Path;

/// Every output file as (name, bytes); an xlsx contributes each of its zip entries, inflated.
pub fn output_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            if name.ends_with(".xlsx") {
                let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
                for i in 0..z.len() {
                    let mut f = z.by_index(i).unwrap();
                    let mut buf = Vec::new();
                    f.read_to_end(&mut buf).unwrap();
                    out.push((format!("{name}/{}", f.name().unwrap()), buf));
                }
            } else {
                out.push((name, bytes));
            }
        }
    }
    out.sort();
    out
}

pub fn contains(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    !n.is_empty() && hay.windows(n.len()).any(|w| w == n)
}

/// Looks up a JSON Pointer, panicking with the pointer when it does not resolve.
pub fn at<'a>(v: &'a serde_json::Value, ptr: &str) -> &'a serde_json::Value {
    v.pointer(ptr)
        .unwrap_or_else(|| panic!("no {ptr} in summary"))
}
