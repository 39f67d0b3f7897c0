//! Store bytes per artifact pair on SQLite, at `--pairs N` pairs.
//!
//! Two methods (`--method`):
//! - `direct` (default): `--sample S` artifacts are synchronized by the engine; the snapshots it
//!   stored are the templates. The other `N - S` pairs are recorded through the store call the
//!   engine's creation path ends with (`complete_creation`, one transaction per pair), each with
//!   the snapshot of a sample pair in turn. Then the completed-activity history is brought to
//!   what the engine keeps (`EngineOptions::completed_history`, 100,000) through the queue calls
//!   (`enqueue_changes`, `claim_activities`, `complete_activity`) and pruned as housekeeping does.
//! - `engine`: all `N` artifacts are seeded and synchronized by the engine; then housekeeping's
//!   pruning runs.
//!
//! Either way the store is closed (which checkpoints the WAL into the database file) and the
//! file measured; with the `sqlite3` program installed, `dbstat` splits it by table and index.
//! Pair `i` beyond the sample pairs left and right artifact id `i`, so a tracker seeded with N
//! artifacts matches the store (the memory measurement reuses it with `--dir`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use hub_domain::pair::{ArtifactPair, ArtifactRef, PairSide};
use hub_engine::EngineOptions;
use serde_json::{Value, json};

use crate::setup::{self, Bench, PROJECT};
use crate::{Args, Result, Ticker, rate, seconds};

/// Runs the measurement.
pub async fn run(args: &Args) -> Result<Value> {
    let pairs = args.number("pairs", 1_000_000)?;
    let sample = args.number("sample", 2_000)?.clamp(1, pairs);
    let history = args.number(
        "history",
        usize::try_from(EngineOptions::default().completed_history)?,
    )?;
    let method = args.text("method").unwrap_or("direct");
    let temp;
    let dir: PathBuf = match args.path("dir") {
        Some(dir) => {
            std::fs::create_dir_all(&dir)?;
            dir
        }
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_owned()
        }
    };
    if dir.join("syncline.db").exists() {
        return Err(format!("{} already holds a store", dir.display()).into());
    }
    let store = setup::open(&dir, None).await?;
    let bench = setup::create(store).await?;

    let engine_pairs = if method == "engine" { pairs } else { sample };
    eprintln!("size: {engine_pairs} pairs through the engine");
    bench.left.seed(PROJECT, engine_pairs, 1)?;
    let right = bench.right.clone();
    let ticker = Ticker::start("engine", move || {
        format!("{} twins on the right", right.counts().artifacts)
    });
    let started = Instant::now();
    bench.engine.run_until_idle(20).await?;
    let engine_time = started.elapsed();
    drop(ticker);
    let made = bench.store.count_pairs(bench.integration).await?;
    if made != engine_pairs as u64 {
        return Err(format!("the engine made {made} pairs of {engine_pairs}").into());
    }
    eprintln!(
        "  {made} pairs in {:.1}s ({:.0}/s)",
        engine_time.as_secs_f64(),
        rate(engine_pairs, engine_time)
    );

    let mut direct = Value::Null;
    if method == "direct" {
        direct = insert_directly(&bench, sample, pairs).await?;
        let added = add_history(&bench, sample, pairs, history).await?;
        direct["history_added"] = json!(added);
    } else if method != "engine" {
        return Err(format!("unknown method '{method}' (direct or engine)").into());
    }
    let pruned = bench.store.prune_completed(history as u64).await?;
    let states = crate::updates::activity_states(&bench).await?;
    let total = bench.store.count_pairs(bench.integration).await?;

    let store = bench.store.clone();
    drop(bench);
    store.close().await?;
    let (db, wal, shm) = setup::sqlite_files(&dir)?;
    let per_pair = db / total.max(1);
    eprintln!(
        "size: {total} pairs, database {db} bytes ({per_pair} per pair), WAL {wal}, shm {shm}"
    );
    Ok(json!({
        "measurement": "size",
        "method": method,
        "pairs": total,
        "engine_pairs": engine_pairs,
        "engine_seconds": seconds(engine_time),
        "engine_per_second": rate(engine_pairs, engine_time).round(),
        "direct": direct,
        "pruned": pruned,
        "activity_states": states,
        "db_bytes": db,
        "wal_bytes": wal,
        "shm_bytes": shm,
        "bytes_per_pair": per_pair,
        "tables": dbstat(&dir.join("syncline.db")),
    }))
}

/// Records pairs `sample + 1 ..= pairs` with the engine's snapshots of the sample pairs.
async fn insert_directly(bench: &Bench, sample: usize, pairs: usize) -> Result<Value> {
    let store = &bench.store;
    let mut templates = Vec::new();
    for pair in store
        .pairs_after(bench.integration, 0, sample as u64)
        .await?
    {
        let record = store
            .pair_record(bench.integration, &pair.left.artifact)
            .await?
            .ok_or("sample pair vanished")?;
        templates.push((pair, record.snapshot.unwrap_or_default()));
    }
    let mean = templates.iter().map(|(_, s)| s.len()).sum::<usize>() / templates.len().max(1);
    let example = templates
        .iter()
        .min_by_key(|(_, s)| s.len().abs_diff(mean))
        .map(|(_, s)| s.clone())
        .unwrap_or_default();
    eprintln!(
        "size: recording {} more pairs directly; sample snapshots average {mean} bytes",
        pairs - sample
    );
    let [left_repo, right_repo] = bench.repositories;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let ticker = {
        let done = done.clone();
        Ticker::start("direct", move || {
            format!(
                "{} pairs",
                done.load(std::sync::atomic::Ordering::Relaxed) + sample
            )
        })
    };
    let started = Instant::now();
    for (n, i) in (sample + 1..=pairs).enumerate() {
        let (template, snapshot) = &templates[n % templates.len()];
        let id = i.to_string();
        let side = |repository, template: &PairSide| PairSide {
            artifact: ArtifactRef {
                repository,
                id: id.clone(),
            },
            formatted_id: format!("{PROJECT}-{id}"),
            // Versions of the size the tracker reports at this many artifacts.
            version: template.version.as_ref().map(|_| (i * 4).to_string()),
        };
        let now = Utc::now();
        let pair = ArtifactPair {
            id: None,
            integration: bench.integration,
            left: side(left_repo, &template.left),
            right: side(right_repo, &template.right),
            created_at: now,
            synchronized_at: now,
        };
        store
            .complete_creation(&pair, &pair.left.artifact, snapshot)
            .await?;
        done.store(n + 1, std::sync::atomic::Ordering::Relaxed);
    }
    let elapsed = started.elapsed();
    drop(ticker);
    Ok(json!({
        "pairs": pairs - sample,
        "seconds": seconds(elapsed),
        "per_second": rate(pairs - sample, elapsed).round(),
        "templates": templates.len(),
        "snapshot_mean_bytes": mean,
        "snapshot_example": example,
    }))
}

/// Brings the completed activities up to `history` through the queue, as if the engine had
/// processed changes of the directly recorded pairs; returns how many were added.
async fn add_history(bench: &Bench, sample: usize, pairs: usize, history: usize) -> Result<usize> {
    let store = &bench.store;
    let completed = crate::updates::activity_states(bench).await?["completed"]
        .as_u64()
        .unwrap_or(0);
    let missing = history.saturating_sub(usize::try_from(completed)?);
    eprintln!("size: adding {missing} completed activities ({completed} already)");
    let [left_repo, right_repo] = bench.repositories;
    let refs: Vec<ArtifactRef> = (0..missing)
        .map(|n| ArtifactRef {
            // Alternate sides, like creation (left) and its echo (right).
            repository: if n % 2 == 0 { left_repo } else { right_repo },
            id: (sample + 1 + (n / 2) % (pairs - sample).max(1)).to_string(),
        })
        .collect();
    let lease = Duration::from_secs(300);
    for chunk in refs.chunks(1_000) {
        store.enqueue_changes(bench.integration, chunk).await?;
        loop {
            let batch = store
                .claim_activities("bench-size", &[bench.integration], 1_000, lease)
                .await?;
            if batch.is_empty() {
                break;
            }
            for activity in batch {
                store.complete_activity(activity.id).await?;
            }
        }
    }
    Ok(missing)
}

/// Bytes per table and index from SQLite's `dbstat`, when the `sqlite3` program can tell.
fn dbstat(db: &Path) -> Value {
    let output = std::process::Command::new("sqlite3")
        .arg("-readonly")
        .arg(db)
        .arg("SELECT name, SUM(pgsize), COUNT(*) FROM dbstat GROUP BY name ORDER BY 2 DESC;")
        .output();
    let Some(output) = output.ok().filter(|o| o.status.success()) else {
        return Value::Null;
    };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut parts = line.split('|');
            let name = parts.next()?;
            let bytes: u64 = parts.next()?.parse().ok()?;
            Some(json!({ "name": name, "bytes": bytes }))
        })
        .collect()
}
