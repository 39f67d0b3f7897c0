//! Private, throw-away servers for tests (`cargo xtask services up|down|status`).
//!
//! Tests must never touch a developer's real databases, so each instance is a
//! fresh server in its own temp directory, listening only on 127.0.0.1 on a
//! free port, recorded in a small JSON state file. Everything specific to a
//! server lives behind the [`Service`] trait; the lifecycle (install, pick a
//! port, spawn, wait, record, stop, clean up) is shared, so further services
//! (Redmine, Trac, several instances of each) only implement the trait and
//! join [`registry`].

mod install;
mod lifecycle;
mod mariadb;
mod postgres;
mod process;
mod redmine;
mod slapd;
mod state;
mod trac;

use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::error::Result;

pub use lifecycle::{down, up};
pub use state::Instance;

/// One kind of server that xtask can run privately.
pub trait Service {
    /// Instance name: the CLI argument and state file name (`postgres`, `redmine-a`).
    fn name(&self) -> &'static str;
    /// Server kind; several instances (`redmine-a`, `redmine-b`) share one.
    fn kind(&self) -> &'static str;
    /// Debian packages providing the programs, installed when missing.
    fn packages(&self) -> &'static [&'static str];
    /// Whether the programs the service needs are present.
    fn installed(&self) -> bool;
    /// Initialises a fresh instance in `slot.dir` and spawns the server
    /// (with [`Slot::spawn`]) listening on 127.0.0.1:`slot.port`.
    fn start(&self, slot: &Slot) -> Result<Launched>;
    /// Whether the instance accepts connections; polled while starting and
    /// used to decide whether a recorded instance can be reused.
    fn ready(&self, instance: &Instance) -> bool;
    /// One-off setup once ready (users, grants); the default does nothing.
    fn prepare(&self, _instance: &Instance) -> Result<()> {
        Ok(())
    }
    /// The URL with administrator rights for an instance on `port`.
    fn admin_url(&self, port: u16) -> String;
    /// Environment variables through which tests find this instance
    /// (`SYNCLINE_TEST_…`); `cargo xtask test` passes them to the test run.
    fn test_env(&self, _instance: &Instance) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// Where a new instance goes: its fresh directory, port and log file.
pub struct Slot {
    /// The instance's private temp directory.
    pub dir: PathBuf,
    /// The free TCP port to listen on (127.0.0.1 only).
    pub port: u16,
    /// The log file that receives the server's output.
    pub log: PathBuf,
}

impl Slot {
    /// Spawns the server process detached, output appended to the log.
    pub fn spawn(&self, command: &mut std::process::Command) -> Result<u32> {
        process::spawn(command, &self.log)
    }
}

/// What [`Service::start`] reports back.
pub struct Launched {
    /// The server's process id.
    pub pid: u32,
    /// Its data directory (inside the slot's directory).
    pub data_dir: PathBuf,
}

/// Every service xtask knows, in start order.
pub fn registry() -> Vec<Box<dyn Service>> {
    vec![
        Box::new(postgres::Postgres),
        Box::new(mariadb::MariaDb),
        Box::new(trac::Trac { name: "trac-a" }),
        Box::new(trac::Trac { name: "trac-b" }),
        Box::new(redmine::Redmine { name: "redmine-a" }),
        Box::new(redmine::Redmine { name: "redmine-b" }),
        Box::new(slapd::Slapd),
    ]
}

/// The service called `name`, if xtask knows it.
pub fn find(name: &str) -> Option<Box<dyn Service>> {
    registry()
        .into_iter()
        .find(|service| service.name() == name)
}

fn names() -> Vec<&'static str> {
    registry().iter().map(|service| service.name()).collect()
}

/// `cargo xtask services …`
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// Start the named services (default: all); reuses live instances.
    Up(Names),
    /// Stop the named services (default: all) and delete their directories.
    Down(Names),
    /// Show each service's state and admin URL.
    Status(Names),
}

#[derive(clap::Args)]
struct Names {
    /// Services to act on; none means all.
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(names()))]
    names: Vec<String>,
}

/// Runs `cargo xtask services …`.
pub fn run(args: &Args) -> Result<()> {
    match &args.action {
        Action::Up(names) => up(&names.names).map(drop),
        Action::Down(names) => down(&names.names),
        Action::Status(names) => status(&names.names),
    }
}

/// The services named (all when `names` is empty), in registry order.
fn select(names: &[String]) -> Vec<Box<dyn Service>> {
    registry()
        .into_iter()
        .filter(|service| names.is_empty() || names.iter().any(|n| n == service.name()))
        .collect()
}

fn status(names: &[String]) -> Result<()> {
    for service in select(names) {
        let name = service.name();
        match Instance::load(name)? {
            None => println!("{name:<10} down"),
            Some(instance) if is_live(service.as_ref(), &instance) => println!(
                "{name:<10} up     {}  (pid {}, {})",
                instance.admin_url,
                instance.pid,
                instance.dir.display()
            ),
            Some(instance) => println!(
                "{name:<10} stale  pid {} is gone or not answering; `cargo xtask services down {name}` cleans up",
                instance.pid
            ),
        }
    }
    Ok(())
}

fn is_live(service: &dyn Service, instance: &Instance) -> bool {
    process::running(instance.pid, &instance.dir) && service.ready(instance)
}

/// Gives `dir` and everything in it to `user`, for servers that refuse to
/// run as root.
fn chown_to(user: &str, dir: &Path) -> Result<()> {
    crate::cmd::run(
        std::process::Command::new("chown")
            .arg("-R")
            .arg(format!("{user}:{user}"))
            .arg(dir),
    )
}
