//! A private MariaDB server: `mariadb-install-db` into the instance
//! directory, then `mariadbd` on 127.0.0.1 with its socket beside the data.
//!
//! `--no-defaults` everywhere keeps the system's `/etc/mysql` configuration
//! (and the system service's socket) out of it. Root gets password-less
//! access over TCP from 127.0.0.1, which is what the admin URL uses.

use std::path::PathBuf;
use std::process::Command;

use super::{Instance, Launched, Service, Slot, install, process};
use crate::cmd;
use crate::error::{Error, Result};

/// The programs this service runs.
const PROGRAMS: [&str; 4] = ["mariadbd", "mariadb-install-db", "mariadb", "mariadb-admin"];

/// SQL run over the socket once the server is up: root over TCP, no password.
const GRANT_ROOT_TCP: &str = "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; \
     GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;";

/// MariaDB, from the Debian `mariadb-server` package.
pub struct MariaDb;

impl Service for MariaDb {
    fn name(&self) -> &'static str {
        "mariadb"
    }

    fn kind(&self) -> &'static str {
        "mariadb"
    }

    fn packages(&self) -> &'static [&'static str] {
        &["mariadb-server"]
    }

    fn installed(&self) -> bool {
        PROGRAMS.iter().all(|p| install::find_program(p).is_some())
    }

    fn start(&self, slot: &Slot) -> Result<Launched> {
        let data_dir = slot.dir.join("data");
        let socket = socket(slot.dir.clone());
        // Running as root needs an explicit `--user=root`; others run as themselves.
        let user = (process::euid() == Some(0)).then_some("--user=root");
        cmd::output(
            program("mariadb-install-db")?
                .arg("--no-defaults")
                .arg(format!("--datadir={}", data_dir.display()))
                .args(user)
                .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
                .arg("--skip-name-resolve"),
        )?;
        let pid = slot.spawn(
            program("mariadbd")?
                .arg("--no-defaults")
                .arg(format!("--datadir={}", data_dir.display()))
                .args(user)
                .args(["--bind-address=127.0.0.1", "--skip-networking=0"])
                .arg(format!("--port={}", slot.port))
                .arg(format!("--socket={}", socket.display()))
                .arg(format!(
                    "--pid-file={}",
                    slot.dir.join("mariadbd.pid").display()
                ))
                .args(["--skip-name-resolve", "--max-connections=300"])
                // Debian's server defaults, which `--no-defaults` skipped.
                .args([
                    "--character-set-server=utf8mb4",
                    "--collation-server=utf8mb4_general_ci",
                ])
                // A throw-away test server: durability only costs time.
                .arg("--innodb-flush-log-at-trx-commit=0"),
        )?;
        Ok(Launched { pid, data_dir })
    }

    fn ready(&self, instance: &Instance) -> bool {
        // `ping` succeeds as soon as the server answers, even if login is refused.
        program("mariadb-admin").is_ok_and(|mut command| {
            cmd::succeeds(
                command
                    .args([
                        "--no-defaults",
                        "--protocol=TCP",
                        "-h",
                        "127.0.0.1",
                        "-u",
                        "root",
                    ])
                    .arg(format!("--port={}", instance.port))
                    .args(["--connect-timeout=2", "ping"]),
            )
        })
    }

    fn prepare(&self, instance: &Instance) -> Result<()> {
        let socket = socket(instance.dir.clone());
        cmd::output(
            program("mariadb")?
                .args(["--no-defaults", "--protocol=SOCKET", "-u", "root"])
                .arg(format!("--socket={}", socket.display()))
                .args(["-e", GRANT_ROOT_TCP]),
        )?;
        cmd::output(
            program("mariadb")?
                .args([
                    "--no-defaults",
                    "--protocol=TCP",
                    "-h",
                    "127.0.0.1",
                    "-u",
                    "root",
                ])
                .arg(format!("--port={}", instance.port))
                .args(["-e", "SELECT 1"]),
        )
        .map(drop)
    }

    fn admin_url(&self, port: u16) -> String {
        format!("mysql://root@127.0.0.1:{port}/mysql")
    }
}

fn socket(dir: PathBuf) -> PathBuf {
    dir.join("mariadbd.sock")
}

fn program(name: &str) -> Result<Command> {
    install::find_program(name)
        .map(Command::new)
        .ok_or_else(|| Error::service("mariadb", format!("`{name}` not found")))
}
