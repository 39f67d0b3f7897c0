//! The engine's benchmark harness: throughput, store size and memory of the engine between two
//! memory trackers. `cargo xtask bench engine` runs it and writes `docs/benchmarks.md`; by hand:
//!
//! ```text
//! cargo bench -p hub-engine --bench engine -- updates [--artifacts N] [--database-url URL]
//! cargo bench -p hub-engine --bench engine -- size    [--pairs N] [--sample N] [--dir DIR]
//! cargo bench -p hub-engine --bench engine -- memory  [--artifacts N] [--dir DIR]
//! ```
//!
//! These are throughput, size and memory figures of whole runs, not micro-benchmarks, so there is
//! no statistics framework: each measurement runs once, in a process of its own (memory figures
//! must not carry what an earlier measurement left on the heap), prints progress on stderr and
//! writes its figures as one JSON object to `--json FILE` (stdout without it); a failed
//! measurement writes `{"error": "…"}` there instead.
//!
//! Map: [`setup`] builds the integration, [`updates`], [`size`] and [`memory`] are the
//! measurements, [`split`] replays one activity's work piece by piece to show where time goes,
//! [`proc`] reads the process's memory from `/proc`.

mod memory;
mod proc;
mod setup;
mod size;
mod split;
mod updates;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Errors of the harness: any failure ends the measurement with a message.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
/// Result of the harness.
pub type Result<T, E = Error> = std::result::Result<T, E>;

const USAGE: &str = "usage: engine <updates|size|memory> [--json FILE] [--key value]...
  updates  --artifacts N (20000) [--database-url URL]   creation and update rates
  size     --pairs N (1000000) --sample N (2000) [--dir DIR]   store bytes per pair
  memory   --artifacts N (1000000) [--dir DIR]   idle RSS, peak RSS of a full scan";

/// The command line: a measurement name and `--key value` options.
pub struct Args {
    measurement: String,
    options: BTreeMap<String, String>,
}

impl Args {
    fn parse() -> Result<Self> {
        // `cargo bench` passes `--bench` to every bench target; it means nothing here.
        let mut words = std::env::args().skip(1).filter(|w| w != "--bench");
        let measurement = words.next().ok_or(USAGE)?;
        let mut options = BTreeMap::new();
        while let Some(word) = words.next() {
            let key = word
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument '{word}'\n{USAGE}"))?;
            let value = words
                .next()
                .ok_or_else(|| format!("--{key} needs a value\n{USAGE}"))?;
            options.insert(key.to_owned(), value);
        }
        Ok(Self {
            measurement,
            options,
        })
    }

    /// A numeric option, `default` when absent.
    pub fn number(&self, key: &str, default: usize) -> Result<usize> {
        match self.options.get(key) {
            Some(text) => text
                .replace('_', "")
                .parse()
                .map_err(|e| format!("--{key} {text}: {e}").into()),
            None => Ok(default),
        }
    }

    /// A text option.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.options.get(key).map(String::as_str)
    }

    /// A path option.
    pub fn path(&self, key: &str) -> Option<PathBuf> {
        self.text(key).map(PathBuf::from)
    }
}

fn main() -> ExitCode {
    let args = match Args::parse() {
        Ok(args) => args,
        Err(err) => {
            eprintln!("engine bench: {err}");
            return ExitCode::FAILURE;
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("engine bench: error: {err}");
            // The caller reads the reason from the figures file.
            if let Some(file) = args.path("json") {
                let text = serde_json::json!({ "error": err.to_string() }).to_string();
                let _ = std::fs::write(file, text + "\n");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<()> {
    // Two worker threads whatever the machine: the targets are for a 2-core hub.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // The machine is shared: the load around a measurement says how alone it ran.
    let load_at_start = proc::load_average();
    let mut figures = runtime.block_on(async {
        match args.measurement.as_str() {
            "updates" => updates::run(args).await,
            "size" => size::run(args).await,
            "memory" => memory::run(args).await,
            other => Err(format!("unknown measurement '{other}'\n{USAGE}").into()),
        }
    })?;
    figures["load_at_start"] = load_at_start.into();
    figures["load_at_end"] = proc::load_average().into();
    let text = serde_json::to_string_pretty(&figures)?;
    match args.path("json") {
        Some(file) => std::fs::write(&file, text + "\n")?,
        None => println!("{text}"),
    }
    Ok(())
}

/// Prints a progress line every few seconds while a long step runs.
pub struct Ticker {
    task: tokio::task::JoinHandle<()>,
}

impl Ticker {
    /// Starts printing `label`, the elapsed time and `status()` every five seconds.
    pub fn start(label: &str, status: impl Fn() -> String + Send + 'static) -> Self {
        let label = label.to_owned();
        let started = Instant::now();
        let task = tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(5));
            every.tick().await;
            loop {
                every.tick().await;
                let elapsed = started.elapsed().as_secs_f64();
                eprintln!("  {label}: {elapsed:6.1}s {}", status());
            }
        });
        Self { task }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `count / seconds`, 0 for an empty interval.
pub fn rate(count: usize, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

/// Seconds with millisecond precision, for the JSON figures.
pub fn seconds(elapsed: Duration) -> f64 {
    (elapsed.as_secs_f64() * 1000.0).round() / 1000.0
}
