//! `cargo xtask migrate`: a shortcut for the server's own migration command.
//! The server binary owns migrations; xtask only builds the command line.

use std::path::PathBuf;

use crate::cmd;
use crate::error::Result;

/// `cargo xtask migrate [--database-url URL] [--data-dir DIR]`
#[derive(clap::Args)]
pub struct Args {
    /// Database to migrate (passed through to `hub-server migrate`).
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Data directory (passed through to `hub-server migrate`).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

/// Runs `cargo run -p hub-server -- migrate` with the given flags.
pub fn run(args: &Args) -> Result<()> {
    let mut command = cmd::cargo();
    // Run where the user typed the command, so relative paths (a data
    // directory, a SQLite file in the URL) mean what they look like.
    command.current_dir(std::env::current_dir()?);
    command.args(["run", "-p", "hub-server", "--", "migrate"]);
    if let Some(url) = &args.database_url {
        command.arg("--database-url").arg(url);
    }
    if let Some(dir) = &args.data_dir {
        command.arg("--data-dir").arg(dir);
    }
    cmd::run(&mut command)
}
