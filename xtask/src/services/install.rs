//! Finding server programs and installing them from Debian packages when
//! they are missing, so a fresh machine needs no manual setup.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;
use crate::error::{Error, Result};

/// Looks for `program` on `PATH`, then in the sbin directories that are
/// often missing from a non-root `PATH`.
pub fn find_program(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

/// True for an existing regular file with an execute bit.
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// Debconf answers given before installing a package, so that its maintainer
/// scripts do nothing beyond installing files (`package question type value`).
const DEBCONF_SELECTIONS: &[&str] = &[
    // Redmine: no system-wide database; each instance brings its own.
    "redmine redmine/dbconfig-install boolean false",
    "redmine redmine/instances/default/dbconfig-install boolean false",
];

/// Installs Debian `packages` with apt-get. `apt-get update` runs only when
/// the first attempt fails because the package lists are missing or stale.
pub fn apt_install(packages: &[&str]) -> Result<()> {
    if super::process::euid() != Some(0) {
        return Err(Error::Other(format!(
            "missing server programs; install them first: sudo apt-get install -y {}",
            packages.join(" ")
        )));
    }
    preseed(packages)?;
    let install = || {
        let mut command = Command::new("apt-get");
        command
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y"])
            .args(packages);
        command
    };
    let mut first = install();
    cmd::announce(&first);
    let output = cmd::capture(&mut first)?;
    eprint!("{}", String::from_utf8_lossy(&output.stdout));
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lists_missing = [
        "Unable to locate package",
        "has no installation candidate",
        "404",
    ]
    .iter()
    .any(|needle| stderr.contains(needle));
    if !lists_missing {
        return Err(Error::Command {
            command: cmd::display(&first),
            code: output.status.code(),
        });
    }
    cmd::run(Command::new("apt-get").arg("update"))?;
    cmd::run(&mut install())
}

/// Feeds the [`DEBCONF_SELECTIONS`] of `packages` to `debconf-set-selections`.
fn preseed(packages: &[&str]) -> Result<()> {
    let selections: Vec<&str> = DEBCONF_SELECTIONS
        .iter()
        .copied()
        .filter(|line| packages.iter().any(|p| line.split(' ').next() == Some(*p)))
        .collect();
    if selections.is_empty() {
        return Ok(());
    }
    let mut command = Command::new("debconf-set-selections");
    cmd::announce(&command);
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(|err| Error::Spawn {
            program: "debconf-set-selections".into(),
            reason: err.to_string(),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all((selections.join("\n") + "\n").as_bytes())?;
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Command {
            command: cmd::display(&command),
            code: status.code(),
        })
    }
}
