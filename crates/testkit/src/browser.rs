//! The web application's browser test needs headless Chromium, chromedriver and axe-core.
//! Chromium and chromedriver come from the system (Debian: `apt-get install -y chromium
//! chromium-driver`, which `.ci/run` does); axe-core is provisioned by the test itself from npm
//! into `target/tvaers-peers/axe-core-<version>/` (pinned here), under a file lock.

use crate::policy::{Absence, Service, require};
use crate::python::{say, target_dir};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned axe-core release.
pub const AXE_CORE_VERSION: &str = "4.10.3";

/// What the browser test runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    /// `axe.min.js`, to inject into each page.
    pub axe_js: PathBuf,
}

/// The browser for the calling test, under the policy of [`require`].
pub fn browser() -> Option<Browser> {
    require(&probe_browser())
}

fn which(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    names
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .map(Path::to_path_buf)
}

/// Finds Chromium (`TVAERS_CHROMIUM`, else `/usr/bin/chromium`) and chromedriver
/// (`TVAERS_CHROMEDRIVER`, else `/usr/bin/chromedriver`), and provisions axe-core.
pub fn probe_browser() -> Result<Browser, Absence> {
    let apt = "apt-get install -y chromium chromium-driver".to_owned();
    let chromium = which(
        "TVAERS_CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
    )
    .ok_or_else(|| Absence {
        service: Service::Chromium,
        because: "there is no /usr/bin/chromium (and TVAERS_CHROMIUM is unset)".into(),
        fix: apt.clone(),
    })?;
    let chromedriver =
        which("TVAERS_CHROMEDRIVER", &["/usr/bin/chromedriver"]).ok_or_else(|| Absence {
            service: Service::Chromium,
            because: "there is no /usr/bin/chromedriver (and TVAERS_CHROMEDRIVER is unset)".into(),
            fix: apt.clone(),
        })?;
    let axe_js = axe_core()?;
    Ok(Browser {
        chromium,
        chromedriver,
        axe_js,
    })
}

fn axe_core() -> Result<PathBuf, Absence> {
    let root = crate::workspace_root();
    let dir = target_dir(&root)
        .join("tvaers-peers")
        .join(format!("axe-core-{AXE_CORE_VERSION}"));
    let js = dir.join("node_modules/axe-core/axe.min.js");
    let fix = format!(
        "npm install --prefix {} axe-core@{AXE_CORE_VERSION}",
        dir.display()
    );
    let absent = |because: String| Absence {
        service: Service::AxeCore,
        because,
        fix: fix.clone(),
    };
    fs::create_dir_all(&dir).map_err(|e| absent(format!("{}: {e}", dir.display())))?;
    let lock_path = dir.with_extension("lock");
    let _lock = File::create(&lock_path)
        .and_then(|f| f.lock().map(|()| f))
        .map_err(|e| absent(format!("cannot lock {}: {e}", lock_path.display())))?;
    if js.is_file() {
        return Ok(js);
    }
    say(&format!(
        "installing axe-core {AXE_CORE_VERSION} from npm into {}",
        dir.display()
    ));
    let out = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(format!("axe-core@{AXE_CORE_VERSION}"))
        .output()
        .map_err(|e| absent(format!("npm cannot be run: {e}")))?;
    if !out.status.success() || !js.is_file() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(3).collect();
        return Err(absent(format!(
            "npm install failed ({}): {}",
            out.status,
            tail.join(" | ")
        )));
    }
    Ok(js)
}
