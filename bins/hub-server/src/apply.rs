//! `hub-server apply FILE [--dry-run] [--prune]`: configuration as files from the command line.
//!
//! The checks, the diff and the all-or-nothing write live in `hub_store::document`, shared with
//! the API, and the checks of extension scripts in `hub_extensions::library`; this only reads the
//! file, has its scripts checked, takes the store the way `migrate` does (instance lock
//! included, so it never writes beside a live hub), prints the diff on stdout and every problem
//! on stderr, and exits non-zero when anything was refused.

use std::process::ExitCode;

use hub_domain::ErrorCode;
use hub_extensions::{SandboxLimits, library};
use hub_store::document::{ApplyError, ApplyOptions, Document};

use crate::cli::ApplyArgs;
use crate::error::ServerError;
use crate::serve;
use crate::settings::Settings;

/// Applies (or, with `--dry-run`, checks) the file. A refused file is reported here and ends
/// in a failure exit code; store failures go back to `main` like those of `migrate`.
pub async fn run(settings: Settings, args: ApplyArgs) -> Result<ExitCode, ServerError> {
    // A file that does not parse is refused before the store is touched.
    let mut doc = match Document::read(&args.file) {
        Ok(doc) => doc,
        Err(e) => return Ok(refused(&e)),
    };
    // Every extension script is checked as it would be saved, before the store is touched.
    if let Err(e) = library::check_document(&mut doc, &SandboxLimits::default()) {
        return Ok(refused(&e));
    }
    let (store, me) = serve::open_store(&settings).await?;
    let options = ApplyOptions {
        prune: args.prune,
        dry_run: args.dry_run,
    };
    let outcome = store.apply_document(&doc, options).await;
    store.release_lock(&me).await?;
    store.close().await?;
    match outcome {
        Ok(plan) => {
            print!("{plan}");
            println!("{}", plan.summary());
            if args.dry_run {
                println!("dry run: nothing was written");
            } else if plan.is_noop() {
                println!("nothing to change");
            } else {
                println!("applied {}", doc.file());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ApplyError::Store(e)) => Err(ServerError::Store(e)),
        Err(e) => Ok(refused(&e)),
    }
}

/// Prints every problem with its code, then each code's user action once.
fn refused(e: &ApplyError) -> ExitCode {
    let problems = e.problems();
    tracing::error!(code = %e.code(), problems = problems.len(), "configuration file refused");
    for problem in problems {
        eprintln!("error {}: {problem}", problem.code);
    }
    let mut codes: Vec<ErrorCode> = problems.iter().map(|p| p.code).collect();
    codes.sort();
    codes.dedup();
    for code in codes {
        if let Some(action) = code.entry().map(|entry| entry.user_action) {
            eprintln!("  what to do ({code}): {action}");
        }
    }
    eprintln!("nothing was applied");
    ExitCode::FAILURE
}
