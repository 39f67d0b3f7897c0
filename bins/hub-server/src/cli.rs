//! The command line: `hub-server [serve|migrate|apply FILE] [flags]`. Flags are the last layer
//! of the settings (file < environment < flags); see `settings`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Syncline integration hub.
#[derive(Debug, Parser)]
#[command(name = "hub-server", version, about = "Syncline integration hub")]
pub struct Cli {
    /// Configuration file (TOML). Also SYNCLINE_CONFIG.
    #[arg(long, global = true, env = "SYNCLINE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (embedded store, backups). Also SYNCLINE_DATA_DIR.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address of the HTTP API, HOST:PORT. Also SYNCLINE_BIND.
    #[arg(long, global = true, value_name = "HOST:PORT")]
    pub bind: Option<String>,
    /// External store: postgres://… or mysql://…. Also SYNCLINE_DATABASE_URL.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Log filter (info, debug, info,hub_engine=debug…). Also SYNCLINE_LOG_LEVEL.
    #[arg(long, global = true)]
    pub log_level: Option<String>,
    /// Log format: pretty or json. Also SYNCLINE_LOG_FORMAT.
    #[arg(long, global = true)]
    pub log_format: Option<String>,
    /// Start with every integration stopped. Also SYNCLINE_SAFE_MODE.
    #[arg(long, global = true)]
    pub safe_mode: bool,
    /// Take the store's instance lock even from a hub that still holds it. Also
    /// SYNCLINE_OVERRIDE_LOCK.
    #[arg(long, global = true)]
    pub override_lock: bool,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the hub (the default).
    Serve,
    /// Run the hub with a demo integration between two seeded memory trackers.
    Demo,
    /// Bring the store's schema up to date and exit.
    Migrate,
    /// Apply a configuration file (repositories, models, collections, integrations): checked
    /// first, written in one transaction, the diff printed. Takes the store like `migrate`.
    Apply(ApplyArgs),
}

/// Arguments of `apply`.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// The configuration file (TOML) with [[repository]], [[model]], [[collection]] and
    /// [[integration]] tables.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Check everything and print the diff, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also delete the objects in the store that the file does not declare.
    #[arg(long)]
    pub prune: bool,
}

impl Cli {
    /// The flags given, as settings keys and values.
    pub fn flag_layer(&self) -> BTreeMap<&'static str, String> {
        let mut flags = BTreeMap::new();
        let mut put = |key: &'static str, value: Option<String>| {
            if let Some(value) = value {
                flags.insert(key, value);
            }
        };
        put(
            "data_dir",
            self.data_dir.as_ref().map(|p| p.display().to_string()),
        );
        put("bind", self.bind.clone());
        put("database_url", self.database_url.clone());
        put("log_level", self.log_level.clone());
        put("log_format", self.log_format.clone());
        put("safe_mode", self.safe_mode.then(|| "true".into()));
        put("override_lock", self.override_lock.then(|| "true".into()));
        flags
    }
}
