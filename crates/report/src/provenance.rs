//! Where a publication comes from: a fingerprint of the input files, so that two reports can be
//! told apart (and a report matched to the files it was made from) without naming anything
//! inside them.

use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// SHA-256 (lower-case hex) over every regular file under `dir`, in the order of their paths
/// relative to `dir` (`/`-separated): for each file its relative path, a 0 byte, its length
/// (8 bytes, little-endian) and its content. The same files give the same fingerprint wherever
/// the folder lies; any changed byte, renamed or added file gives another. A single file is
/// fingerprinted as a folder holding only it.
pub fn input_fingerprint(dir: &Path) -> std::io::Result<String> {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    if dir.is_file() {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push((name, dir.to_path_buf()));
    } else {
        collect(dir, "", &mut files)?;
    }
    files.sort();
    let mut h = Sha256::new();
    for (rel, path) in files {
        let bytes = fs::read(&path)?;
        h.update(rel.as_bytes());
        h.update([0u8]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(&entry.path(), &rel, out)?;
        } else if kind.is_file() {
            out.push((rel, entry.path()));
        }
    }
    Ok(())
}

/// The short form shown in a report's footer: the first 12 hex digits.
pub fn short(fingerprint: &str) -> &str {
    &fingerprint[..fingerprint.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_changes_with_content_and_names_but_not_location() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        for d in [a.path(), b.path()] {
            fs::write(d.join("personer.csv"), "x;y\n1;2\n").unwrap();
            fs::create_dir(d.join("sub")).unwrap();
            fs::write(d.join("sub/posteringer.csv"), "z\n").unwrap();
        }
        let fa = input_fingerprint(a.path()).unwrap();
        assert_eq!(fa.len(), 64);
        assert_eq!(fa, input_fingerprint(b.path()).unwrap());
        fs::write(b.path().join("sub/posteringer.csv"), "z\r\n").unwrap();
        assert_ne!(fa, input_fingerprint(b.path()).unwrap());
        fs::write(b.path().join("sub/posteringer.csv"), "z\n").unwrap();
        fs::rename(b.path().join("personer.csv"), b.path().join("p.csv")).unwrap();
        assert_ne!(fa, input_fingerprint(b.path()).unwrap());
        assert_eq!(short(&fa).len(), 12);
    }
}
