//! `hub-server`: the Syncline daemon. Reads settings, starts logging, and hands over to `serve`,
//! `demo`, `migrate` or `apply`. Everything with behaviour lives in the library crates; this binary only
//! wires.

mod apply;
mod cli;
mod demo;
mod error;
mod extensions;
mod listener;
mod logging;
mod serve;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::ServerError;
use crate::settings::{Layers, Settings};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(code = %e.code(), error = %e, "hub-server stopped");
            eprintln!("{}", e.report());
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, ServerError> {
    let layers = Layers {
        file: cli.config.as_deref(),
        env: settings::environment(),
        flags: cli.flag_layer(),
    };
    let settings = Settings::load(&layers)?;
    let log_filter =
        logging::init(&settings.log_level, settings.log_format).map_err(ServerError::Logging)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("hub")
        .build()
        .map_err(|e| ServerError::Logging(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve::run(settings, log_filter, false)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Demo => serve::run(settings, log_filter, true)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Migrate => migrate(settings).await.map(|()| ExitCode::SUCCESS),
            Command::Apply(args) => apply::run(settings, args).await,
        }
    })
}

async fn migrate(settings: Settings) -> Result<(), ServerError> {
    let (store, me) = serve::open_store(&settings).await?;
    let status = store.migration_status().await?;
    println!(
        "store {}: {} migrations applied, schema current",
        store.display_url(),
        status.applied.len()
    );
    store.release_lock(&me).await?;
    store.close().await?;
    Ok(())
}
