//! `cargo xtask`: the project's developer tasks, written in Rust so they run
//! the same on every machine and need nothing beyond cargo to start.
//!
//! The tasks are: private database servers for tests (`services`), the full
//! test run that CI executes (`test`), a shortcut to the server's own
//! migration command (`migrate`), and the benchmarks (`bench`).

mod bench;
mod cmd;
mod demo;
mod error;
mod migrate;
mod services;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Developer tasks for the Syncline workspace.
#[derive(Parser)]
#[command(name = "xtask", bin_name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Manage private, throw-away database servers for tests.
    Services(services::Args),
    /// The full test run: fmt, clippy, deny, nextest, real-database suites.
    Test(test::Args),
    /// Run the server's migrations (`cargo run -p hub-server -- migrate`).
    Migrate(migrate::Args),
    /// A Redmine and a Trac kept in step by the hub, until Ctrl-C.
    Demo(demo::Args),
    /// Measure throughput, store size and memory; write docs/benchmarks.md.
    Bench(bench::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Services(args) => services::run(&args),
        Task::Test(args) => test::run(&args),
        Task::Migrate(args) => migrate::run(&args),
        Task::Bench(args) => bench::run(&args),
        Task::Demo(args) => demo::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: error: {err}");
            err.exit_code()
        }
    }
}

/// The workspace root: xtask lives one directory below it.
fn workspace_root() -> std::path::PathBuf {
    let manifest_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}
