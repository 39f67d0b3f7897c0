//! `cargo xtask bench engine`: the sync engine's throughput, store size and memory, measured
//! and written down next to their targets.
//!
//! The measuring is done by the engine's bench harness (`crates/hub-engine/benches/engine`, a
//! `harness = false` target built in release by `cargo bench`), one process per measurement so
//! memory figures start clean: updates on a SQLite file, updates on a fresh database of a private
//! PostgreSQL (from `services`, stopped again if this run started it), store size at a million
//! pairs, and memory during a full scan over that store. Each writes its figures as JSON; this
//! task adds the date, the machine and the commit and rewrites the engine section of
//! `docs/benchmarks.md` between its markers, leaving the rest of the file to people.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Subcommand;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::{cmd, services};

/// The file the figures go to, relative to the workspace root.
const DOC: &str = "docs/benchmarks.md";
/// Markers around the generated engine section.
const START: &str = "<!-- bench:engine:start -->";
const END: &str = "<!-- bench:engine:end -->";

/// Targets, on the 2-core reference machine. Sizes read "KB" and "MB" as 10^3 and 10^6
/// bytes, the stricter reading.
const UPDATES_SQLITE: f64 = 10_000.0;
const UPDATES_POSTGRES: f64 = 5_000.0;
const BYTES_PER_PAIR: f64 = 2_000.0;
const PEAK_SCAN_MB: f64 = 500.0;
const IDLE_MB: f64 = 150.0;

/// `cargo xtask bench <suite>`
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    suite: Suite,
}

#[path = "bench_extensions.rs"]
mod extensions;
#[path = "bench_trackers.rs"]
mod trackers;

#[derive(Subcommand)]
enum Suite {
    /// Sync engine memory↔memory: update rates (SQLite, PostgreSQL), store bytes per pair,
    /// idle and full-scan memory; rewrites docs/benchmarks.md.
    Engine(EngineArgs),
    /// Extension host: data transformation calls per second, cold start; rewrites its
    /// section of docs/benchmarks.md.
    Extensions(extensions::Args),
    /// Redmine↔Trac through the hub: updates per second beside the trackers' raw rates, edit
    /// latency; rewrites its section of docs/benchmarks.md.
    Trackers(trackers::Args),
}

#[derive(clap::Args)]
struct EngineArgs {
    /// Artifacts seeded, created and updated by each throughput run.
    #[arg(long, default_value_t = 20_000)]
    artifacts: usize,
    /// Pairs in the store whose size is measured.
    #[arg(long, default_value_t = 1_000_000)]
    pairs: usize,
    /// How those pairs are made: `direct` (the engine syncs a sample, the rest are recorded
    /// through the store's creation call with the sample's snapshots) or `engine` (all synced).
    #[arg(long, default_value = "direct", value_parser = ["direct", "engine"])]
    size_method: String,
    /// Artifacts per tracker side in the full-scan memory run.
    #[arg(long, default_value_t = 1_000_000)]
    scan_artifacts: usize,
    /// Skip the PostgreSQL run.
    #[arg(long)]
    skip_postgres: bool,
    /// Print the section instead of writing it to docs/benchmarks.md.
    #[arg(long)]
    no_doc: bool,
}

/// Runs `cargo xtask bench …`.
pub fn run(args: &Args) -> Result<()> {
    match &args.suite {
        Suite::Engine(engine) => run_engine(engine),
        Suite::Extensions(args) => extensions::run(args),
        Suite::Trackers(args) => trackers::run(args),
    }
}

/// The outcome of one measurement: its figures, or why there are none.
type Figures = std::result::Result<Value, String>;

/// Every measurement of one run.
struct Run {
    machine: Machine,
    sqlite: Figures,
    postgres: Option<Figures>,
    size: Figures,
    memory: Figures,
}

fn run_engine(args: &EngineArgs) -> Result<()> {
    let started = Instant::now();
    let machine = Machine::probe();
    eprintln!("\n==> build the harness (release)");
    cmd::run(cargo().args(["bench", "-p", "hub-engine", "--bench", "engine", "--no-run"]))?;
    let out = tempfile::Builder::new()
        .prefix("syncline-bench-")
        .tempdir()?;
    let mut steps = Vec::new();
    let artifacts = args.artifacts.to_string();

    let sqlite = step(&mut steps, "updates (sqlite)", || {
        harness(out.path(), "updates", &["--artifacts", &artifacts])
    });
    let postgres = (!args.skip_postgres).then(|| {
        step(&mut steps, "updates (postgres)", || {
            on_postgres(|url| {
                harness(
                    out.path(),
                    "updates",
                    &["--artifacts", &artifacts, "--database-url", url],
                )
            })
        })
    });
    let store_dir = out.path().join("size-store");
    let size = step(&mut steps, "store size", || {
        harness(
            out.path(),
            "size",
            &[
                "--pairs",
                &args.pairs.to_string(),
                "--method",
                &args.size_method,
                "--dir",
                &store_dir.to_string_lossy(),
            ],
        )
    });
    let memory = step(&mut steps, "memory (full scan)", || {
        let mut extra = vec!["--artifacts".to_owned(), args.scan_artifacts.to_string()];
        // Over the store of the size run when it has one, so the scan has its pairs.
        if store_dir.join("syncline.db").exists() {
            extra.extend(["--dir".to_owned(), store_dir.to_string_lossy().into_owned()]);
        }
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        harness(out.path(), "memory", &extra)
    });

    let run = Run {
        machine,
        sqlite,
        postgres,
        size,
        memory,
    };
    let section = render(&run);
    if args.no_doc {
        println!("{section}");
    } else {
        let path = crate::workspace_root().join(DOC);
        write_section(&path, &section)?;
        eprintln!("\nwrote the engine section of {}", path.display());
    }
    eprintln!("\nsummary:");
    for (name, outcome, elapsed) in &steps {
        eprintln!("  {outcome:<7} {name:<20} {:>7.1}s", elapsed.as_secs_f64());
    }
    eprintln!(
        "  {:<28} {:>7.1}s",
        "total",
        started.elapsed().as_secs_f64()
    );
    let failed: Vec<&str> = steps
        .iter()
        .filter(|(_, outcome, _)| *outcome != "ok")
        .map(|(name, _, _)| name.as_str())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::Other(format!(
            "measurements failed: {}",
            failed.join(", ")
        )))
    }
}

/// Runs one measurement, recording its outcome and duration; a failure is kept as its message
/// so the other measurements still run and the document says what is missing.
fn step(
    steps: &mut Vec<(String, &'static str, Duration)>,
    name: &str,
    body: impl FnOnce() -> Result<Value>,
) -> Figures {
    eprintln!("\n==> {name}");
    let started = Instant::now();
    let result = body().map_err(|err| err.to_string());
    let outcome = if result.is_ok() { "ok" } else { "FAILED" };
    if let Err(err) = &result {
        eprintln!("{name}: {err}");
    }
    steps.push((name.to_owned(), outcome, started.elapsed()));
    result
}

/// [`cmd::cargo`] without the package variables `cargo run` gave this process. Build scripts
/// such as ring's ask to be re-run when `CARGO_PKG_NAME` and its like change, so with them the
/// release build here and a `cargo bench` typed by hand would rebuild each other's
/// dependencies every time.
fn cargo() -> Command {
    let mut command = cmd::cargo();
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let from_cargo_run = key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_MANIFEST_")
            || [
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
            ]
            .contains(&&*key);
        if from_cargo_run {
            command.env_remove(&*key);
        }
    }
    command
}

/// `cargo bench -p hub-engine --bench engine -- <measurement> … --json FILE`, read back.
fn harness(out: &Path, measurement: &str, extra: &[&str]) -> Result<Value> {
    let json = out.join(format!("{measurement}-{}.json", unique()));
    let mut command = cargo();
    command
        .args(["bench", "-p", "hub-engine", "--bench", "engine", "--"])
        .arg(measurement)
        .args(extra)
        .arg("--json")
        .arg(&json);
    let ran = cmd::run(&mut command);
    // A failed measurement leaves `{"error": …}`: its reason says more than the exit code.
    let figures: Option<Value> = std::fs::read_to_string(&json)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    match (ran, figures) {
        (_, Some(figures)) if figures.get("error").is_some() => Err(Error::Other(
            figures["error"].as_str().unwrap_or("failed").to_owned(),
        )),
        (Ok(()), Some(figures)) => Ok(figures),
        (Ok(()), None) => Err(Error::Other(format!(
            "{} is missing or not JSON",
            json.display()
        ))),
        (Err(err), _) => Err(err),
    }
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Runs `body` with the URL of a fresh database on the private PostgreSQL, which is started
/// if needed (and then stopped again); the database is dropped afterwards.
fn on_postgres(body: impl FnOnce(&str) -> Result<Value>) -> Result<Value> {
    let up = services::up(&["postgres".to_owned()])?;
    let instance = &up
        .first()
        .ok_or_else(|| Error::Other("postgres did not come up".into()))?
        .instance;
    let fresh = up.iter().any(|u| u.fresh);
    let name = format!(
        "syncline_bench_{}_{}",
        std::process::id(),
        unique() % 1_000_000
    );
    let psql = |sql: &str| {
        cmd::output(Command::new("psql").arg(&instance.admin_url).args([
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-c",
            sql,
        ]))
        .map(drop)
    };
    let result = psql(&format!("CREATE DATABASE {name}")).and_then(|()| {
        let base = instance
            .admin_url
            .rsplit_once('/')
            .map_or(instance.admin_url.as_str(), |(base, _)| base);
        body(&format!("{base}/{name}"))
    });
    // Best effort: the measurement's outcome is what matters.
    let _ = psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    if fresh {
        let _ = services::down(&["postgres".to_owned()]);
    }
    result
}

/// Where and on what the figures were measured.
struct Machine {
    date: String,
    cores: String,
    memory: String,
    cpu: String,
    kernel: String,
    load: String,
    commit: String,
}

impl Machine {
    fn probe() -> Self {
        let output = |program: &str, args: &[&str]| {
            let mut command = Command::new(program);
            command.args(args).current_dir(crate::workspace_root());
            cmd::capture(&mut command)
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
                .unwrap_or_else(|| "unknown".to_owned())
        };
        let memory = output("free", &["-h"])
            .lines()
            .find(|l| l.starts_with("Mem:"))
            .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
            .unwrap_or_else(|| "unknown".to_owned());
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned());
        let mut commit = output("git", &["rev-parse", "--short=12", "HEAD"]);
        if !output("git", &["status", "--porcelain"]).is_empty() {
            commit.push_str(" with uncommitted changes in the working tree");
        }
        Self {
            date: output("date", &["-u"]),
            cores: output("nproc", &[]),
            memory,
            cpu,
            kernel: output("uname", &["-r"]),
            load: std::fs::read_to_string("/proc/loadavg")
                .ok()
                .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
                .unwrap_or_else(|| "unknown".to_owned()),
            commit,
        }
    }
}

/// A figure from the JSON by pointer (`/update/per_second_until_idle`).
fn num(figures: &Value, pointer: &str) -> Option<f64> {
    figures.pointer(pointer).and_then(Value::as_f64)
}

/// 12345.6 as `12,346`.
fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 { format!("-{out}") } else { out }
}

/// "Load average 1.2 0.9 0.7 at its start, 2.0 1.1 0.8 at its end." from a measurement.
fn load(figures: &Value) -> String {
    format!(
        "Load average {} at its start, {} at its end.",
        figures["load_at_start"].as_str().unwrap_or("unknown"),
        figures["load_at_end"].as_str().unwrap_or("unknown")
    )
}

fn mb_of_kib(kib: f64) -> f64 {
    kib * 1024.0 / 1e6
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

/// The generated section, markers included.
fn render(run: &Run) -> String {
    let m = &run.machine;
    let mut s = String::new();
    let _ = writeln!(s, "{START}");
    let _ = writeln!(s, "## Engine, memory ↔ memory\n");
    let _ = writeln!(
        s,
        "Measured {} by `cargo xtask bench engine` on commit {}.  ",
        m.date, m.commit
    );
    let _ = writeln!(
        s,
        "Machine: {} cores ({}), {} memory, Linux {}; load average {} when the run began \
         (the machine is shared). The harness runs the engine on 2 tokio worker threads with \
         `EngineOptions::default()`; SQLite is a file in WAL mode as the hub opens it. KB and \
         MB are 10^3 and 10^6 bytes.\n",
        m.cores, m.cpu, m.memory, m.kernel, m.load
    );
    let _ = writeln!(s, "| Figure | Target | Measured | |");
    let _ = writeln!(s, "|---|---|---|---|");
    updates_rows(&mut s, "SQLite", &run.sqlite, UPDATES_SQLITE);
    match &run.postgres {
        Some(figures) => updates_rows(&mut s, "PostgreSQL", figures, UPDATES_POSTGRES),
        None => {
            let _ = writeln!(
                s,
                "| Artifact updates per second, PostgreSQL | ≥ {}/s | not measured (skipped) | |",
                grouped(UPDATES_POSTGRES)
            );
        }
    }
    size_row(&mut s, &run.size);
    memory_rows(&mut s, &run.memory);
    let _ = writeln!(s, "\n### How each figure was measured\n");
    updates_details(&mut s, "SQLite", &run.sqlite);
    if let Some(figures) = &run.postgres {
        updates_details(&mut s, "PostgreSQL", figures);
    }
    size_details(&mut s, &run.size);
    memory_details(&mut s, &run.memory);
    let _ = writeln!(s, "{END}");
    s
}

fn failed_row(s: &mut String, figure: &str, target: &str, error: &str) {
    let reason = error.lines().next().unwrap_or("failed").replace('|', "\\|");
    let _ = writeln!(
        s,
        "| {figure} | {target} | not measured: {reason} | **missed** |"
    );
}

fn updates_rows(s: &mut String, backend: &str, figures: &Figures, target: f64) {
    let figure = format!("Artifact updates per second, {backend}");
    let target_text = format!("≥ {}/s", grouped(target));
    let v = match figures {
        Ok(v) => v,
        Err(e) => return failed_row(s, &figure, &target_text, e),
    };
    let n = num(v, "/artifacts").unwrap_or(0.0);
    let idle = num(v, "/update/per_second_until_idle").unwrap_or(0.0);
    let right = num(v, "/update/per_second_until_right_in_step").unwrap_or(0.0);
    let _ = writeln!(
        s,
        "| {figure} ({} artifacts, until idle) | {target_text} | {}/s ({}/s until the right side held every new value) | {} |",
        grouped(n),
        grouped(idle),
        grouped(right),
        verdict(idle >= target)
    );
    let created = num(v, "/creation/per_second").unwrap_or(0.0);
    let _ = writeln!(
        s,
        "| Creation pass, {backend} ({} artifacts) | none | {} twins/s | |",
        grouped(n),
        grouped(created)
    );
}

fn size_row(s: &mut String, figures: &Figures) {
    let figure = "Store bytes per artifact pair, SQLite";
    let target = format!("≤ {} B at 1,000,000 pairs", grouped(BYTES_PER_PAIR));
    let v = match figures {
        Ok(v) => v,
        Err(e) => return failed_row(s, figure, &target, e),
    };
    let pairs = num(v, "/pairs").unwrap_or(0.0);
    let per_pair = num(v, "/bytes_per_pair").unwrap_or(f64::MAX);
    let _ = writeln!(
        s,
        "| {figure} ({} pairs, method `{}`) | {target} | {} B | {} |",
        grouped(pairs),
        v["method"].as_str().unwrap_or("?"),
        grouped(per_pair),
        verdict(per_pair <= BYTES_PER_PAIR && pairs >= 1_000_000.0)
    );
}

fn memory_rows(s: &mut String, figures: &Figures) {
    let peak_figure = "Peak RSS during a full scan, hub's share";
    let peak_target = format!("≤ {} MB", grouped(PEAK_SCAN_MB));
    let idle_figure = "Idle RSS";
    let idle_target = format!("≤ {} MB", grouped(IDLE_MB));
    let v = match figures {
        Ok(v) => v,
        Err(e) => {
            failed_row(s, peak_figure, &peak_target, e);
            return failed_row(s, idle_figure, &idle_target, e);
        }
    };
    let n = num(v, "/artifacts_per_side").unwrap_or(0.0);
    let pairs = num(v, "/pairs_in_store").unwrap_or(0.0);
    let hub_peak = mb_of_kib(num(v, "/hub_peak_kib").unwrap_or(f64::MAX));
    let total_peak = mb_of_kib(num(v, "/scan_peak_rss_kib").unwrap_or(0.0));
    let idle = mb_of_kib(num(v, "/idle_rss_kib").unwrap_or(f64::MAX));
    let _ = writeln!(
        s,
        "| {peak_figure} ({} artifacts per side, {} pairs in the store) | {peak_target} | {hub_peak:.1} MB (process {total_peak:.1} MB incl. the in-process trackers) | {} |",
        grouped(n),
        grouped(pairs),
        verdict(hub_peak <= PEAK_SCAN_MB && n >= 1_000_000.0)
    );
    let _ = writeln!(
        s,
        "| {idle_figure} (engine started, {} pairs in the store, nothing to do) | {idle_target} | {idle:.1} MB | {} |",
        grouped(pairs),
        verdict(idle <= IDLE_MB)
    );
}

fn updates_details(s: &mut String, backend: &str, figures: &Figures) {
    let Ok(v) = figures else { return };
    let f = |p: &str| num(v, p).unwrap_or(0.0);
    let _ = writeln!(
        s,
        "**Updates, {backend}.** {} artifacts of the memory tracker's sample data (varied fields, \
         0–2 comments, some attachments) seeded on the left, model of 10 fields (text, rich \
         text, select, multi-select, boolean, integer, decimal, date, date-time, duration), \
         comments and attachments flowing both ways. Creation pass: `run_until_idle` made the \
         pairs in {:.1} s ({} activities; the engine's own creations come back from the right \
         as changes and are processed too). Update pass: `user_update` changed `summary` on \
         every left artifact, then `run_until_idle(1)` took {:.1} s ({} activities; afterwards \
         every right artifact was checked to hold its new value) and `run_until_idle` until \
         idle {:.1} s more ({} activities in all, the echoes of the engine's writes). Process \
         CPU time in the update pass: {:.1} s over {:.1} s of wall time (2 cores: at most 2 \
         CPU-seconds per second). Activities left pending or failed: none (checked). {}",
        grouped(f("/artifacts")),
        f("/creation/seconds"),
        grouped(f("/creation/activities")),
        f("/update/seconds_until_right_in_step"),
        grouped(f("/update/activities_until_right_in_step")),
        f("/update/seconds_until_idle") - f("/update/seconds_until_right_in_step"),
        grouped(f("/update/activities_until_idle")),
        f("/update/cpu_seconds_until_idle"),
        f("/update/seconds_until_idle"),
        load(v),
    );
    let _ = writeln!(
        s,
        "\nWhere an update's time goes, replayed piece by piece over {} pairs after the run \
         (each piece alone, one call at a time, µs per activity): store {} (claim {}, queueing \
         {}, reading the pair {}, saving the snapshot {}, completing {}); connector {}; \
         planning {}.",
        grouped(f("/split/activities")),
        grouped(f("/split/store_us")),
        grouped(f("/split/store_claim_us")),
        grouped(f("/split/store_enqueue_us")),
        grouped(f("/split/store_pair_record_us")),
        grouped(f("/split/store_update_pair_us")),
        grouped(f("/split/store_complete_us")),
        grouped(f("/split/connector_us")),
        grouped(f("/split/planning_us")),
    );
    if let Some(per_pair) = num(v, "/sqlite_files/bytes_per_pair") {
        let _ = writeln!(
            s,
            "\nThe store this run left: {} B, {} B per pair ({} pairs made by the engine, with \
             all {} activities of the run as history).",
            grouped(f("/sqlite_files/db_bytes")),
            grouped(per_pair),
            grouped(f("/artifacts")),
            grouped(f("/activity_states/completed")),
        );
    }
    let _ = writeln!(s);
}

fn size_details(s: &mut String, figures: &Figures) {
    let Ok(v) = figures else { return };
    let f = |p: &str| num(v, p).unwrap_or(0.0);
    let method = v["method"].as_str().unwrap_or("?");
    let _ = write!(
        s,
        "**Store size.** Method `{method}`: the engine synchronized {} artifacts ({} pairs/s). ",
        grouped(f("/engine_pairs")),
        grouped(f("/engine_per_second")),
    );
    if method == "direct" {
        let _ = write!(
            s,
            "The other {} pairs were recorded with `Store::complete_creation` (the call that \
             ends the engine's creation path, one transaction per pair; {} pairs/s), each with \
             the snapshot the engine stored for one of the {} engine-made pairs in turn (mean \
             {} B of JSON). Completed activities were then brought to the engine's history \
             limit through `enqueue_changes`, `claim_activities` and `complete_activity` ({} \
             added) and pruned with `prune_completed(100000)` as housekeeping does. ",
            grouped(f("/direct/pairs")),
            grouped(f("/direct/per_second")),
            grouped(f("/direct/templates")),
            grouped(f("/direct/snapshot_mean_bytes")),
            grouped(f("/direct/history_added")),
        );
    }
    let _ = writeln!(
        s,
        "Then the store was closed (checkpointing the WAL) and the file measured: {} B for {} \
         pairs and {} completed activities; WAL {} B. {}",
        grouped(f("/db_bytes")),
        grouped(f("/pairs")),
        grouped(f("/activity_states/completed")),
        grouped(f("/wal_bytes")),
        load(v),
    );
    if let Some(tables) = v["tables"].as_array() {
        let pairs = f("/pairs").max(1.0);
        let parts: Vec<String> = tables
            .iter()
            .filter_map(|t| Some((t["name"].as_str()?, t["bytes"].as_f64()?)))
            .filter(|(_, bytes)| *bytes >= 1e6)
            .map(|(name, bytes)| {
                format!(
                    "`{name}` {:.1} MB ({:.0} B/pair)",
                    bytes / 1e6,
                    bytes / pairs
                )
            })
            .collect();
        if !parts.is_empty() {
            let _ = writeln!(
                s,
                "By table and index (SQLite `dbstat`, those over 1 MB): {}.",
                parts.join(", ")
            );
        }
    }
    if let Some(example) = v
        .pointer("/direct/snapshot_example")
        .and_then(Value::as_str)
    {
        let _ = writeln!(
            s,
            "\nA snapshot of about the mean size, as stored:\n\n```json\n{example}\n```"
        );
    }
    let _ = writeln!(s);
}

fn memory_details(s: &mut String, figures: &Figures) {
    let Ok(v) = figures else { return };
    let f = |p: &str| num(v, p).unwrap_or(0.0);
    let mb = |p: &str| mb_of_kib(f(p));
    let _ = writeln!(
        s,
        "**Memory.** One process: RSS {:.1} MB at start; store opened ({} pairs{}), engine \
         started and idle for {} s with empty trackers: {:.1} MB (the idle figure). Engine \
         stopped ({:.1} MB), {} artifacts (`{}` content) created in {:.1} s on one tracker \
         that both sides read (the right repository points at the left tracker, so the \
         engine handles that many artifacts per side while the in-process tracker memory is \
         paid once; a scan reads only ids, times and versions): {:.1} MB, so the tracker \
         holds {:.1} MB. Peak reset, then `Engine::detect(id, true)` read both sides and \
         queued {} activities in {:.1} s ({}/s): `VmHWM` {:.1} MB (sampled `VmRSS` max \
         {:.1} MB), {:.1} MB right after. Hub's share of the peak: {:.1} MB − {:.1} MB = \
         {:.1} MB; after the scan {:.1} MB. {}",
        mb("/rss_at_start_kib"),
        grouped(f("/pairs_in_store")),
        if v["store_reused"].as_bool() == Some(true) {
            ", the store of the size measurement"
        } else {
            ", a fresh store"
        },
        f("/idle_seconds"),
        mb("/idle_rss_kib"),
        mb("/before_seeding_rss_kib"),
        grouped(f("/artifacts_per_side")),
        v["content"].as_str().unwrap_or("?"),
        f("/seeding_seconds"),
        mb("/seeded_rss_kib"),
        mb("/trackers_kib"),
        grouped(f("/scan_queued")),
        f("/scan_seconds"),
        grouped(f("/scan_per_second")),
        mb("/scan_peak_rss_kib"),
        mb("/scan_sampled_max_rss_kib"),
        mb("/after_scan_rss_kib"),
        mb("/scan_peak_rss_kib"),
        mb("/trackers_kib"),
        mb("/hub_peak_kib"),
        mb("/hub_after_scan_kib"),
        load(v),
    );
}

/// Replaces the section between the markers, or appends it (creating the file with a title).
fn write_section(path: &PathBuf, section: &str) -> Result<()> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::from(
            "# Benchmarks\n\nFigures measured on a known machine, next to their targets. \
             `cargo xtask bench engine` rewrites the section between the `bench:engine` \
             markers; everything outside them is written by hand.\n\n",
        ),
        Err(err) => return Err(Error::Io(format!("{}: {err}", path.display()))),
    };
    let text = match (existing.find(START), existing.find(END)) {
        (Some(start), Some(end)) if start < end => format!(
            "{}{}{}",
            &existing[..start],
            section.trim_end(),
            &existing[end + END.len()..]
        ),
        _ => format!("{}\n\n{section}", existing.trim_end()),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text).map_err(|err| Error::Io(format!("{}: {err}", path.display())))
}
