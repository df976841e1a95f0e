//! All-or-nothing output directories.
//!
//! [`StagedDir::begin`] makes a hidden sibling `.<name>.staging-<random>` of the destination;
//! everything is written there. [`StagedDir::commit`] fsyncs every file and directory in it and
//! then swaps it in: on Linux with one `renameat2(RENAME_EXCHANGE)` when the destination exists
//! (after which the staging name holds the old directory, which is deleted), a plain `rename`
//! when it does not. Dropping a `StagedDir` without committing deletes the staging directory.
//! On Linux, at every instant the destination is either entirely the old directory or entirely
//! the new one; a crash can at worst leave a hidden staging directory behind.
//!
//! Elsewhere (and on Linux filesystems without `RENAME_EXCHANGE`) there is no atomic exchange
//! of two directories, so the swap is three renames: old aside, new in, old to the staging
//! name. The destination is then never half-written, but it is absent between the first two
//! renames; a crash there leaves the complete old directory under a hidden `.….old` name, and
//! a failed second rename puts it back.
//!
//! Every directory written this way holds an empty marker file [`MARKER`]. An existing
//! destination is replaced only if it is empty or carries the marker, so that `--out ~/Documents`
//! is refused instead of deleting someone's files.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StagedError {
    #[error("{op} {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} exists and is not a directory; refusing to replace it")]
    NotADirectory(PathBuf),
    #[error("{0} has no file name to write a directory under")]
    NoName(PathBuf),
    #[error(
        "{0} is a directory with files that tvaers did not write; refusing to replace it \
         (choose a new or empty directory)"
    )]
    NotOurs(PathBuf),
    #[error(
        "the output folder {out} and {what} {other} overlap (the same folder, or one inside the \
         other); writing there could destroy it — choose an output folder apart from it"
    )]
    Overlaps {
        out: PathBuf,
        what: &'static str,
        other: PathBuf,
    },
}

/// Refuses an output folder that is, contains or lies inside `other` (an input folder, a key
/// file's folder, another output): replacing `out` would otherwise delete or bury `other`. Call
/// before anything is written. Symbolic links are followed as far as the paths exist.
pub fn check_apart(out: &Path, what: &'static str, other: &Path) -> Result<(), StagedError> {
    let (o, x) = (resolve(out), resolve(other));
    if o.starts_with(&x) || x.starts_with(&o) {
        return Err(StagedError::Overlaps {
            out: out.to_path_buf(),
            what,
            other: other.to_path_buf(),
        });
    }
    Ok(())
}

/// Canonicalises the longest existing ancestor of `p` and appends the rest.
pub(crate) fn resolve(p: &Path) -> PathBuf {
    use std::path::Component;
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let comps: Vec<Component<'_>> = abs.components().collect();
    for cut in (0..=comps.len()).rev() {
        let prefix: PathBuf = comps[..cut].iter().collect();
        if let Ok(mut out) = prefix.canonicalize() {
            // What does not exist cannot be a symbolic link, so `..` there is lexical.
            for c in &comps[cut..] {
                match c {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other),
                }
            }
            return out;
        }
    }
    abs
}

/// The marker file in every directory a [`StagedDir`] wrote.
pub const MARKER: &str = ".tvaers-output";

/// Whether `dir` may be replaced: it is empty or was written by a [`StagedDir`].
fn replaceable(dir: &Path) -> Result<bool, StagedError> {
    if dir.join(MARKER).is_file() {
        return Ok(true);
    }
    let mut entries = std::fs::read_dir(dir).map_err(io("list", dir))?;
    Ok(entries.next().is_none())
}

fn io<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> StagedError + 'a {
    move |source| StagedError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

/// A directory being written that replaces `final` only when committed.
#[derive(Debug)]
pub struct StagedDir {
    staging: PathBuf,
    target: PathBuf,
    parent: PathBuf,
    done: bool,
}

impl StagedDir {
    /// Creates the staging directory beside `target` (creating `target`'s parent if needed).
    pub fn begin(target: &Path) -> Result<StagedDir, StagedError> {
        let name = target
            .file_name()
            .ok_or_else(|| StagedError::NoName(target.to_path_buf()))?
            .to_string_lossy()
            .into_owned();
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if let Ok(meta) = std::fs::symlink_metadata(target) {
            if !meta.is_dir() {
                return Err(StagedError::NotADirectory(target.to_path_buf()));
            }
            if !replaceable(target)? {
                return Err(StagedError::NotOurs(target.to_path_buf()));
            }
        }
        std::fs::create_dir_all(&parent).map_err(io("create", &parent))?;
        remove_leftovers(&parent, &name);
        loop {
            let staging = parent.join(format!(".{name}.staging-{:016x}", fastrand::u64(..)));
            match std::fs::create_dir(&staging) {
                Ok(()) => {
                    let dir = StagedDir {
                        staging,
                        target: target.to_path_buf(),
                        parent,
                        done: false,
                    };
                    std::fs::write(dir.staging.join(MARKER), "")
                        .map_err(io("create", &dir.staging))?;
                    return Ok(dir);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io("create", &staging)(e)),
            }
        }
    }

    /// Where to write.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The directory that `commit` replaces.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Makes the staged contents durable and swaps them in for the target.
    pub fn commit(mut self) -> Result<(), StagedError> {
        sync_tree(&self.staging)?;
        // Checked again: the target may have appeared since `begin`.
        let exists = match std::fs::symlink_metadata(&self.target) {
            Ok(meta) if meta.is_dir() => {
                if !replaceable(&self.target)? {
                    return Err(StagedError::NotOurs(self.target.clone()));
                }
                true
            }
            Ok(_) => return Err(StagedError::NotADirectory(self.target.clone())),
            Err(_) => false,
        };
        if exists {
            replace(&self.staging, &self.target)?;
            // The staging name now holds the old directory.
            self.done = true;
            sync_dir(&self.parent)?;
            if let Err(e) = std::fs::remove_dir_all(&self.staging) {
                tracing::warn!(path = %self.staging.display(), error = %e, "could not remove the replaced directory");
            }
        } else {
            std::fs::rename(&self.staging, &self.target).map_err(io("rename", &self.target))?;
            self.done = true;
        }
        sync_dir(&self.parent)
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Atomically exchanges `staging` and `target` (both existing directories).
#[cfg(target_os = "linux")]
fn replace(staging: &Path, target: &Path) -> Result<(), StagedError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // Filesystems without RENAME_EXCHANGE: fall back to two renames.
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
            replace_by_two_renames(staging, target)
        }
        Err(e) => Err(io("exchange", target)(e.into())),
    }
}

#[cfg(not(target_os = "linux"))]
fn replace(staging: &Path, target: &Path) -> Result<(), StagedError> {
    replace_by_two_renames(staging, target)
}

/// The portable exchange. Not atomic: between the first two renames the target is absent
/// (never half-written); if the new directory cannot be moved in, the old one is moved back.
/// Leaves the old directory at `staging`, as the exchange does.
fn replace_by_two_renames(staging: &Path, target: &Path) -> Result<(), StagedError> {
    let aside = staging.with_extension("old");
    std::fs::rename(target, &aside).map_err(io("rename", target))?;
    if let Err(e) = std::fs::rename(staging, target) {
        // Best effort: the error reported is the one that stopped the swap.
        let _ = std::fs::rename(&aside, target);
        return Err(io("rename", staging)(e));
    }
    std::fs::rename(&aside, staging).map_err(io("rename", &aside))
}

fn sync_dir(dir: &Path) -> Result<(), StagedError> {
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(io("fsync", dir))
}

/// fsyncs every file below `dir`, then the directories themselves.
fn sync_tree(dir: &Path) -> Result<(), StagedError> {
    for entry in std::fs::read_dir(dir).map_err(io("list", dir))? {
        let entry = entry.map_err(io("list", dir))?;
        let path = entry.path();
        let ft = entry.file_type().map_err(io("stat", &path))?;
        if ft.is_dir() {
            sync_tree(&path)?;
        } else if ft.is_file() {
            owner_only(&path, 0o600)?;
            std::fs::File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(io("fsync", &path))?;
        }
    }
    owner_only(dir, 0o700)?;
    sync_dir(dir)
}

/// Outputs hold pseudonymised data or statistics before anyone chose to share them: readable by
/// the owner only, whatever the umask (0600 files, 0700 folders).
#[cfg(unix)]
fn owner_only(path: &Path, mode: u32) -> Result<(), StagedError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(io("chmod", path))
}

/// Elsewhere the folder's inherited access rights apply.
#[cfg(not(unix))]
fn owner_only(_: &Path, _: u32) -> Result<(), StagedError> {
    Ok(())
}

/// Staging folders of `name` under `parent` that a killed run left behind: they carry the marker
/// and it is older than [`LEFTOVER_AGE`] (a running write touches its folder, so a live one
/// is younger). Removed at the next `begin`.
fn remove_leftovers(parent: &Path, name: &str) {
    let prefix = format!(".{name}.staging-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let leftover = e.file_name().to_string_lossy().starts_with(&prefix)
            && std::fs::metadata(e.path().join(MARKER))
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > LEFTOVER_AGE);
        if leftover {
            match std::fs::remove_dir_all(e.path()) {
                Ok(()) => tracing::info!(path = %e.path().display(), "removed a staging leftover"),
                Err(err) => {
                    tracing::warn!(path = %e.path().display(), %err, "cannot remove a staging leftover")
                }
            }
        }
    }
}

/// How old a staging folder must be to count as left behind.
pub const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(60 * 60);

#[cfg(test)]
mod tests {

    #[cfg(unix)]
    #[test]
    fn outputs_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("ud");
        let staged = StagedDir::begin(&target).unwrap();
        std::fs::create_dir(staged.path().join("sub")).unwrap();
        std::fs::write(staged.path().join("sub/a.csv"), "x").unwrap();
        // As under umask 022.
        std::fs::set_permissions(
            staged.path().join("sub/a.csv"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        staged.commit().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&target), 0o700);
        assert_eq!(mode(&target.join("sub")), 0o700);
        assert_eq!(mode(&target.join("sub/a.csv")), 0o600);
    }

    #[test]
    fn staging_leftovers_of_a_killed_run_are_removed_by_the_next() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("ud");
        let old = tmp.path().join(".ud.staging-00000000000000aa");
        let young = tmp.path().join(".ud.staging-00000000000000bb");
        let foreign = tmp.path().join(".ud.staging-notours");
        for d in [&old, &young, &foreign] {
            std::fs::create_dir(d).unwrap();
        }
        for d in [&old, &young] {
            std::fs::write(d.join(MARKER), "").unwrap();
        }
        let two_hours_ago = std::time::SystemTime::now() - 2 * LEFTOVER_AGE;
        std::fs::File::options()
            .write(true)
            .open(old.join(MARKER))
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();
        let staged = StagedDir::begin(&target).unwrap();
        assert!(!old.exists(), "an old leftover is removed");
        assert!(young.exists(), "a running write is left alone");
        assert!(foreign.exists(), "a folder without the marker is not ours");
        staged.commit().unwrap();
    }

    #[test]
    fn output_that_is_contains_or_lies_inside_the_input_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("eksporter");
        std::fs::create_dir_all(input.join("sub")).unwrap();
        for out in [
            input.clone(),
            input.join("."),
            input.join("sub"),
            input.join("new/deeper"),
            tmp.path().to_path_buf(),
            input.join("sub/.."),
        ] {
            let err = check_apart(&out, "the input folder", &input).unwrap_err();
            assert!(matches!(err, StagedError::Overlaps { .. }), "{out:?}");
        }
        check_apart(&tmp.path().join("rapport"), "the input folder", &input).unwrap();
        check_apart(&tmp.path().join("eksporter2"), "the input folder", &input).unwrap();
    }
    use super::*;

    fn hidden_entries(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect()
    }

    #[test]
    fn commit_creates_the_target() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("sub/out");
        let s = StagedDir::begin(&out).unwrap();
        assert!(s.path().starts_with(tmp.path().join("sub")));
        std::fs::write(s.path().join("a.txt"), "new").unwrap();
        assert!(!out.exists(), "nothing is visible before commit");
        s.commit().unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "new");
        assert!(hidden_entries(&tmp.path().join("sub")).is_empty());
    }

    #[test]
    fn commit_replaces_an_existing_directory_wholly() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join(MARKER), "").unwrap();
        std::fs::write(out.join("old.txt"), "old").unwrap();
        std::fs::create_dir(out.join("olddir")).unwrap();
        let s = StagedDir::begin(&out).unwrap();
        std::fs::create_dir(s.path().join("nested")).unwrap();
        std::fs::write(s.path().join("nested/new.txt"), "new").unwrap();
        // Until commit the old contents are what is there.
        assert!(out.join("old.txt").exists());
        s.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("nested/new.txt")).unwrap(),
            "new"
        );
        assert!(!out.join("old.txt").exists());
        assert!(!out.join("olddir").exists());
        assert!(
            hidden_entries(tmp.path()).is_empty(),
            "old directory removed"
        );
    }

    #[test]
    fn drop_without_commit_leaves_the_old_directory_and_no_staging() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join(MARKER), "").unwrap();
        std::fs::write(out.join("old.txt"), "old").unwrap();
        {
            let s = StagedDir::begin(&out).unwrap();
            std::fs::write(s.path().join("half.txt"), "half-written").unwrap();
            assert_eq!(hidden_entries(tmp.path()).len(), 1);
        }
        assert_eq!(std::fs::read_to_string(out.join("old.txt")).unwrap(), "old");
        assert!(!out.join("half.txt").exists());
        assert!(hidden_entries(tmp.path()).is_empty());
    }

    #[test]
    fn written_directories_can_be_replaced_again_but_foreign_ones_not() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let s = StagedDir::begin(&out).unwrap();
        std::fs::write(s.path().join("v"), "1").unwrap();
        s.commit().unwrap();
        assert!(out.join(MARKER).is_file());
        let s = StagedDir::begin(&out).unwrap();
        std::fs::write(s.path().join("v"), "2").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read_to_string(out.join("v")).unwrap(), "2");
        // An empty directory may be replaced; one with someone's files may not.
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        StagedDir::begin(&empty).unwrap().commit().unwrap();
        let docs = tmp.path().join("docs");
        std::fs::create_dir(&docs).unwrap();
        std::fs::write(docs.join("letter.txt"), "keep me").unwrap();
        assert!(matches!(
            StagedDir::begin(&docs),
            Err(StagedError::NotOurs(_))
        ));
        assert_eq!(
            std::fs::read_to_string(docs.join("letter.txt")).unwrap(),
            "keep me"
        );
    }

    #[test]
    fn refuses_to_replace_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        std::fs::write(&out, "a file").unwrap();
        assert!(matches!(
            StagedDir::begin(&out),
            Err(StagedError::NotADirectory(_))
        ));
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "a file");
    }

    #[test]
    fn fallback_swap_leaves_old_at_staging_name() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join(".x.staging-1"), tmp.path().join("x"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join("new"), "").unwrap();
        std::fs::write(b.join("old"), "").unwrap();
        replace_by_two_renames(&a, &b).unwrap();
        assert!(b.join("new").exists());
        assert!(a.join("old").exists());
    }

    #[test]
    fn fallback_swap_puts_the_old_directory_back_when_the_new_cannot_move_in() {
        let tmp = tempfile::tempdir().unwrap();
        let (gone, b) = (tmp.path().join(".x.staging-2"), tmp.path().join("x"));
        std::fs::create_dir(&b).unwrap();
        std::fs::write(b.join("old"), "").unwrap();
        assert!(replace_by_two_renames(&gone, &b).is_err());
        assert!(b.join("old").exists(), "the old directory is back in place");
        assert!(hidden_entries(tmp.path()).is_empty());
    }
}
