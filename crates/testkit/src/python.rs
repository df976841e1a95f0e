//! The DuckDB peer's Python: a virtual environment under `target/` with the packages pinned in
//! `bench/requirements.txt`, created on first use (under a file lock, since test binaries run in
//! parallel) and reused.

use crate::policy::{Absence, Service, require};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The interpreter the environment is made from (default `python3`); it needs no packages.
pub const BASE_PYTHON_VAR: &str = "TVAERS_PYTHON";

/// A Python interpreter that imports the pinned `duckdb`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Python {
    program: PathBuf,
    /// Set where the packages were installed with `pip --target` (no `venv` module).
    pythonpath: Option<PathBuf>,
}

impl Python {
    /// The interpreter, for `tvaers bench --python`.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// A command running the interpreter in the provisioned environment.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        self.configure(&mut cmd);
        cmd
    }

    /// Sets the environment a process (or its Python children) needs to import the packages.
    pub fn configure<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        // The user's own site-packages must not shadow the pinned versions.
        cmd.env("PYTHONNOUSERSITE", "1");
        match &self.pythonpath {
            Some(path) => cmd.env("PYTHONPATH", path),
            None => cmd.env_remove("PYTHONPATH"),
        }
    }
}

/// The DuckDB peer for the calling test, provisioned on first use, under the policy of
/// [`require`].
pub fn duckdb() -> Option<Python> {
    static PROBE: OnceLock<Result<Python, Absence>> = OnceLock::new();
    require(PROBE.get_or_init(probe_duckdb))
}

/// Provisions (or finds already provisioned) the DuckDB peer's Python.
pub fn probe_duckdb() -> Result<Python, Absence> {
    let root = crate::workspace_root();
    let requirements_path = root.join("bench/requirements.txt");
    let requirements = fs::read_to_string(&requirements_path).map_err(|e| Absence {
        service: Service::DuckDb,
        because: format!("{} cannot be read: {e}", requirements_path.display()),
        fix: "git checkout -- bench/requirements.txt".to_owned(),
    })?;
    let base = std::env::var_os(BASE_PYTHON_VAR)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("python3"), PathBuf::from);
    let peers = target_dir(&root).join("tvaers-peers");
    // One environment per pinned set and base interpreter: changing either provisions anew.
    let key = fnv1a(format!("{}\n{requirements}", base.display()).as_bytes());
    let env_dir = peers.join(format!("python-{key:016x}"));
    provision(&base, &requirements_path, &peers, &env_dir)
}

fn provision(
    base: &Path,
    requirements: &Path,
    peers: &Path,
    env_dir: &Path,
) -> Result<Python, Absence> {
    let absent = |because: String, fix: String| Absence {
        service: Service::DuckDb,
        because,
        fix,
    };
    let pip_by_hand = format!(
        "{} -m pip install -r {}",
        base.display(),
        requirements.display()
    );
    fs::create_dir_all(peers).map_err(|e| {
        absent(
            format!("{} cannot be created: {e}", peers.display()),
            format!("mkdir -p {}", peers.display()),
        )
    })?;
    // Several test binaries may get here at once: one provisions, the others wait and reuse.
    let lock_path = env_dir.with_extension("lock");
    let lock = File::create(&lock_path).and_then(|f| f.lock().map(|()| f));
    let _lock = lock.map_err(|e| {
        absent(
            format!("cannot lock {}: {e}", lock_path.display()),
            format!("rm -f {}", lock_path.display()),
        )
    })?;

    let done = env_dir.join("provisioned");
    if let Ok(mode) = fs::read_to_string(&done) {
        let python = environment(base, env_dir, &mode);
        if imports_duckdb(&python).is_ok() {
            return Ok(python);
        }
    }
    // Absent, or left half-made by an interrupted run, or its base interpreter has gone.
    if env_dir.exists() {
        fs::remove_dir_all(env_dir).map_err(|e| {
            absent(
                format!("the stale {} cannot be removed: {e}", env_dir.display()),
                format!("rm -rf {}", env_dir.display()),
            )
        })?;
    }

    let version = run(Command::new(base).args(["-c", "import sys; print(sys.version)"]));
    if let Err(e) = version {
        return Err(absent(
            format!(
                "there is no working Python 3 interpreter `{}` ({e})",
                base.display()
            ),
            if std::env::var_os(BASE_PYTHON_VAR).is_some_and(|v| !v.is_empty()) {
                format!("unset {BASE_PYTHON_VAR}")
            } else {
                "apt-get install -y python3 python3-venv".to_owned()
            },
        ));
    }
    say(&format!(
        "provisioning the DuckDB peer from {} into {} (once; later runs reuse it)",
        requirements.display(),
        env_dir.display()
    ));
    let mode = match run(Command::new(base).arg("-m").arg("venv").arg(env_dir)) {
        Ok(_) => "venv",
        Err(venv_error) => {
            // No `venv`/`ensurepip` (Debian without python3-venv): install beside it instead.
            say(&format!(
                "`{} -m venv` failed, installing with pip --target instead: {venv_error}",
                base.display()
            ));
            let _ = fs::remove_dir_all(env_dir);
            "target"
        }
    };
    let python = environment(base, env_dir, mode);
    let mut pip = python.command();
    pip.args([
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--quiet",
    ]);
    if mode == "target" {
        pip.arg("--target").arg(env_dir.join("site-packages"));
    }
    pip.arg("-r").arg(requirements);
    if let Err(e) = run(&mut pip) {
        let fix = if mode == "venv" {
            format!(
                "{} -m pip install -r {}",
                python.program.display(),
                requirements.display()
            )
        } else {
            "apt-get install -y python3-venv".to_owned()
        };
        return Err(absent(
            format!(
                "installing {} failed (no network to PyPI?): {e}",
                requirements.display()
            ),
            fix,
        ));
    }
    if let Err(e) = imports_duckdb(&python) {
        return Err(absent(
            format!("duckdb was installed but does not import: {e}"),
            pip_by_hand,
        ));
    }
    fs::write(&done, mode).map_err(|e| {
        absent(
            format!("{} cannot be written: {e}", done.display()),
            format!("rm -rf {}", env_dir.display()),
        )
    })?;
    say("the DuckDB peer is provisioned");
    Ok(python)
}

/// The interpreter of an environment made in `mode` (`venv` or `target`).
fn environment(base: &Path, env_dir: &Path, mode: &str) -> Python {
    if mode.trim() == "target" {
        Python {
            program: base.to_owned(),
            pythonpath: Some(env_dir.join("site-packages")),
        }
    } else if cfg!(windows) {
        Python {
            program: env_dir.join("Scripts/python.exe"),
            pythonpath: None,
        }
    } else {
        Python {
            program: env_dir.join("bin/python"),
            pythonpath: None,
        }
    }
}

fn imports_duckdb(python: &Python) -> Result<Output, String> {
    run(python.command().args(["-c", "import duckdb"]))
}

/// Runs a command; an error says what failed, with the end of its stderr.
fn run(cmd: &mut Command) -> Result<Output, String> {
    let out = cmd.output().map_err(|e| format!("cannot start: {e}"))?;
    if out.status.success() {
        return Ok(out);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(format!("{}: {}", out.status, tail.join(" | ")))
}

/// A progress line on the process's stderr (past the harness's capture: provisioning is slow
/// and happens once).
pub(crate) fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "tvaers-testkit: {line}");
}

/// The Cargo target directory of the running test binary (the nearest ancestor with Cargo's
/// `CACHEDIR.TAG`), else `CARGO_TARGET_DIR`, else `target/` in the workspace.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    let from_exe = std::env::current_exe().ok().and_then(|exe| {
        exe.ancestors()
            .skip(1)
            .find(|dir| dir.join("CACHEDIR.TAG").is_file())
            .map(Path::to_path_buf)
    });
    from_exe
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from))
        .unwrap_or_else(|| root.join("target"))
}

/// FNV-1a, 64 bits: a name that stays the same across Rust versions (unlike `DefaultHasher`).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_name_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn a_pip_target_environment_runs_the_base_interpreter_with_pythonpath() {
        let p = environment(Path::new("python3"), Path::new("/t/env"), "target");
        assert_eq!(p.program(), Path::new("python3"));
        let cmd = p.command();
        let envs: Vec<_> = cmd.get_envs().collect();
        assert!(envs.contains(&(
            std::ffi::OsStr::new("PYTHONPATH"),
            Some(std::ffi::OsStr::new("/t/env/site-packages"))
        )));
    }
}
