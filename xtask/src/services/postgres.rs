//! A private PostgreSQL server: `initdb` with trust authentication, then
//! `postgres` on 127.0.0.1 with its socket inside the instance directory.
//!
//! PostgreSQL refuses to run as root, so when xtask is root the instance
//! directory is given to the `postgres` user and the programs run as that
//! user through `setpriv` (which execs, keeping the recorded pid the server's).

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use super::{Instance, Launched, Service, Slot, chown_to, install, process};
use crate::cmd;
use crate::error::{Error, Result};

/// The OS user that owns the data directory when xtask runs as root.
const OS_USER: &str = "postgres";

/// PostgreSQL, from the Debian `postgresql` package.
pub struct Postgres;

impl Service for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn packages(&self) -> &'static [&'static str] {
        &["postgresql"]
    }

    fn installed(&self) -> bool {
        bin_dir().is_some()
    }

    fn start(&self, slot: &Slot) -> Result<Launched> {
        let bin = bin_dir().ok_or_else(|| Error::service(self.name(), "programs not found"))?;
        let data_dir = slot.dir.join("data");
        let socket_dir = slot.dir.join("socket");
        fs::create_dir(&socket_dir)?;
        let as_root = process::euid() == Some(0);
        if as_root {
            chown_to(OS_USER, &slot.dir)?;
        }
        let program = |name: &str| {
            let mut command = if as_root {
                let mut setpriv = Command::new("setpriv");
                setpriv.args(["--reuid", OS_USER, "--regid", OS_USER, "--init-groups"]);
                setpriv.arg(bin.join(name));
                setpriv
            } else {
                Command::new(bin.join(name))
            };
            // The invoking directory (e.g. /root) may be unreadable for `postgres`.
            command.current_dir(&slot.dir);
            command
        };
        cmd::output(
            program("initdb")
                .arg("--pgdata")
                .arg(&data_dir)
                .args(["--username=postgres", "--auth=trust", "--encoding=UTF8"])
                .args(["--locale=C.UTF-8", "--no-sync"]),
        )?;
        let pid = slot.spawn(
            program("postgres")
                .arg("-D")
                .arg(&data_dir)
                .args(["-h", "127.0.0.1", "-p", &slot.port.to_string(), "-k"])
                .arg(&socket_dir)
                // A throw-away test server: durability only costs time.
                .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
                .args(["-c", "full_page_writes=off", "-c", "max_connections=200"]),
        )?;
        Ok(Launched { pid, data_dir })
    }

    fn ready(&self, instance: &Instance) -> bool {
        let Some(bin) = bin_dir() else { return false };
        cmd::succeeds(
            Command::new(bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres"])
                .args(["-p", &instance.port.to_string()]),
        )
    }

    fn admin_url(&self, port: u16) -> String {
        format!("postgres://postgres@127.0.0.1:{port}/postgres")
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding the programs we run.
fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            ["initdb", "postgres", "pg_isready"]
                .iter()
                .all(|program| install::is_executable(&bin.join(program)))
                .then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}
