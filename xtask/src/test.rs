//! `cargo xtask test`: the one full test run, identical locally and in CI.
//!
//! Cheap checks come first so they fail fast; then every suite on SQLite;
//! then the suites that must also pass on real PostgreSQL and MariaDB,
//! against private servers from `services` (stopped again afterwards if
//! this run started them, also on failure).

use std::time::{Duration, Instant};

use crate::error::Result;
use crate::{cmd, services};

/// Packages whose suites also run against each real database backend.
pub const DB_SUITE_PACKAGES: &[&str] = &["hub-store"];

/// The services the real-database suites run against.
const DB_BACKENDS: &[&str] = &["postgres", "mariadb"];

/// Services the workspace tests use live (trackers, directory, mail): started
/// before the workspace run, their [`services::Service::test_env`] passed to it.
pub const LIVE_SERVICES: &[&str] = &["trac-a", "trac-b", "redmine-a", "redmine-b", "slapd"];

/// The variable through which tests receive a backend's admin URL.
const DATABASE_URL_VAR: &str = "SYNCLINE_TEST_DATABASE_URL";

/// `cargo xtask test [--quick]`
#[derive(clap::Args)]
pub struct Args {
    /// Skip fmt, clippy and cargo-deny.
    #[arg(long)]
    quick: bool,
}

/// Runs every step in order, stopping at the first failure.
pub fn run(args: &Args) -> Result<()> {
    let mut summary = Summary::default();
    let result = run_steps(args, &mut summary);
    summary.print();
    result
}

fn run_steps(args: &Args, summary: &mut Summary) -> Result<()> {
    if !args.quick {
        summary.step("fmt", || {
            cmd::run(cmd::cargo().args(["fmt", "--all", "--", "--check"]))
        })?;
        summary.step("clippy", || {
            cmd::run(cmd::cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        })?;
        summary.step("deny", || {
            ensure_cargo_tool("deny", "cargo-deny")?;
            // `--offline` needs every platform's crates, not just the ones
            // clippy built; fetching is a no-op once they are cached.
            cmd::run(cmd::cargo().arg("fetch"))?;
            cmd::run(cmd::cargo().args([
                "deny",
                "--offline",
                "check",
                "licenses",
                "bans",
                "sources",
            ]))
        })?;
    }
    let mut started = Vec::new();
    let result = workspace_suites(summary, &mut started);
    let stopped = stop_started(summary, &started);
    result.and(stopped)
}

/// Starts the live services, then runs every workspace suite on SQLite and
/// the store suites on each real database backend.
fn workspace_suites(summary: &mut Summary, started: &mut Vec<String>) -> Result<()> {
    let mut env = Vec::new();
    if !LIVE_SERVICES.is_empty() {
        summary.step("live services up", || {
            for name in LIVE_SERVICES {
                for up in services::up(&[(*name).to_owned()])? {
                    if up.fresh {
                        started.push(up.instance.name.clone());
                    }
                    let service = services::find(name).expect("LIVE_SERVICES are registered");
                    env.extend(service.test_env(&up.instance));
                }
            }
            Ok(())
        })?;
    }
    summary.step("nextest (sqlite)", || {
        ensure_cargo_tool("nextest", "cargo-nextest")?;
        let mut command = cmd::cargo();
        command
            .args(["nextest", "run", "--workspace", "--no-fail-fast"])
            .env_remove(DATABASE_URL_VAR)
            .envs(env.iter().map(|(key, value)| (key, value)));
        cmd::run(&mut command)
    })?;
    real_database_suites(summary, started)
}

/// Stops only what this run started; a developer's running instances stay.
fn stop_started(summary: &mut Summary, started: &[String]) -> Result<()> {
    if started.is_empty() {
        Ok(())
    } else {
        summary.step("services down", || services::down(started))
    }
}

fn real_database_suites(summary: &mut Summary, started: &mut Vec<String>) -> Result<()> {
    let mut running = Vec::new();
    summary
        .step("services up", || {
            for backend in DB_BACKENDS {
                for up in services::up(&[(*backend).to_owned()])? {
                    if up.fresh {
                        started.push(up.instance.name.clone());
                    }
                    running.push(up.instance);
                }
            }
            Ok(())
        })
        .and_then(|()| {
            running.iter().try_for_each(|instance| {
                summary.step(&format!("nextest ({})", instance.name), || {
                    let mut command = cmd::cargo();
                    command.args(["nextest", "run", "--no-fail-fast"]);
                    for package in DB_SUITE_PACKAGES {
                        command.args(["-p", package]);
                    }
                    cmd::run(command.env(DATABASE_URL_VAR, &instance.admin_url))
                })
            })
        })
}

/// Installs `cargo-<sub>` with `cargo install --locked` unless it already works.
fn ensure_cargo_tool(sub: &str, krate: &str) -> Result<()> {
    if cmd::succeeds(cmd::cargo().args([sub, "--version"])) {
        return Ok(());
    }
    cmd::run(cmd::cargo().args(["install", krate, "--locked"]))
}

/// Step names, outcomes and durations, printed at the end.
#[derive(Default)]
struct Summary {
    steps: Vec<(String, bool, Duration)>,
}

impl Summary {
    fn step<T>(&mut self, name: &str, body: impl FnOnce() -> Result<T>) -> Result<T> {
        eprintln!("\n==> {name}");
        let start = Instant::now();
        let result = body();
        self.steps
            .push((name.to_owned(), result.is_ok(), start.elapsed()));
        result
    }

    fn print(&self) {
        eprintln!("\nsummary:");
        let mut total = Duration::ZERO;
        for (name, ok, elapsed) in &self.steps {
            total += *elapsed;
            let outcome = if *ok { "ok" } else { "FAILED" };
            eprintln!("  {outcome:<7} {name:<20} {:>7.1}s", elapsed.as_secs_f64());
        }
        eprintln!("  {:<28} {:>7.1}s", "total", total.as_secs_f64());
    }
}
