//! Creation and update throughput memory↔memory.
//!
//! `--artifacts N` artifacts are seeded on the left (varied fields, comments, attachments, the
//! tracker's deterministic sample data) and synchronized until idle: the creation pass. Then one
//! field (`summary`) of every left artifact is changed as a user would and the engine is run
//! until idle again: the update pass. `Engine::run_until_idle` is called once with one round
//! (detect, then process until nothing is due: afterwards the right side holds every new value,
//! which is checked) and once more until idle (the engine's own writes on the right come back as
//! changes and are processed as no-ops), so both "until the right side holds the values" and
//! "until idle" are timed. The store is a SQLite file in a temp dir, or `--database-url`.

use std::collections::BTreeMap;
use std::time::Instant;

use hub_domain::activity::ActivityState;
use hub_domain::model::FieldValue;
use serde_json::{Value, json};

use crate::setup::{self, Bench, PROJECT};
use crate::{Args, Result, Ticker, proc, rate, seconds, split};

/// Rounds of `run_until_idle` before giving up (tests use the same).
const ROUNDS: usize = 20;

/// Runs the measurement.
pub async fn run(args: &Args) -> Result<Value> {
    let n = args.number("artifacts", 20_000)?;
    let url = args.text("database-url");
    let dir = tempfile::tempdir()?;
    let store = setup::open(dir.path(), url).await?;
    let backend = format!("{:?}", store.backend()).to_lowercase();
    let bench = setup::create(store).await?;

    eprintln!("updates ({backend}): seeding {n} artifacts on the left tracker");
    let started = Instant::now();
    bench.left.seed(PROJECT, n, 1)?;
    let seeding = started.elapsed();

    eprintln!("updates ({backend}): creation pass");
    let right = bench.right.clone();
    let ticker = Ticker::start("creation", move || {
        format!("{} twins on the right", right.counts().artifacts)
    });
    let cpu = proc::cpu_seconds()?;
    let started = Instant::now();
    let created = bench.engine.run_until_idle(ROUNDS).await?;
    let creation = started.elapsed();
    let creation_cpu = proc::cpu_seconds()? - cpu;
    drop(ticker);
    let pairs = bench.store.count_pairs(bench.integration).await?;
    if pairs != n as u64 {
        return Err(format!("creation pass made {pairs} pairs of {n} artifacts").into());
    }
    eprintln!(
        "  {n} pairs in {:.1}s: {:.0} creations/s ({created} activities)",
        creation.as_secs_f64(),
        rate(n, creation)
    );

    eprintln!("updates ({backend}): changing the summary of every left artifact");
    let ids: Vec<String> = bench
        .left
        .snapshot()
        .into_iter()
        .map(|s| s.artifact.id)
        .collect();
    for id in &ids {
        let fields = BTreeMap::from([("summary".to_owned(), FieldValue::Text(edited(id)))]);
        bench.left.user_update(id, fields)?;
    }

    eprintln!("updates ({backend}): update pass");
    let ticker = Ticker::start("update", String::new);
    let cpu = proc::cpu_seconds()?;
    let started = Instant::now();
    let first = bench.engine.run_until_idle(1).await?;
    let to_right = started.elapsed();
    let to_right_cpu = proc::cpu_seconds()? - cpu;
    drop(ticker);
    let behind = lagging(&bench).await?;
    if behind > 0 {
        return Err(format!("after the first round {behind} right artifacts lack the edit").into());
    }
    let ticker = Ticker::start("update (echoes)", String::new);
    let cpu = proc::cpu_seconds()?;
    let started = Instant::now();
    let rest = bench.engine.run_until_idle(ROUNDS).await?;
    let echoes = started.elapsed();
    let echoes_cpu = proc::cpu_seconds()? - cpu;
    drop(ticker);
    let to_idle = to_right + echoes;
    eprintln!(
        "  {n} updates: right side in step after {:.1}s ({:.0}/s), idle after {:.1}s ({:.0}/s)",
        to_right.as_secs_f64(),
        rate(n, to_right),
        to_idle.as_secs_f64(),
        rate(n, to_idle)
    );
    let states = activity_states(&bench).await?;
    let open = states["pending"].as_u64().unwrap_or(0)
        + states["processing"].as_u64().unwrap_or(0)
        + states["failed"].as_u64().unwrap_or(0);
    if open > 0 {
        return Err(format!("activities left open after the run: {states}").into());
    }

    eprintln!("updates ({backend}): replaying one activity's work piece by piece");
    let split = split::measure(&bench, n.min(2_000)).await?;

    let store = bench.store.clone();
    drop(bench);
    let files = if url.is_none() {
        store.close().await?;
        let (db, wal, shm) = setup::sqlite_files(dir.path())?;
        json!({ "db_bytes": db, "wal_bytes": wal, "shm_bytes": shm,
                "bytes_per_pair": db / n.max(1) as u64 })
    } else {
        store.close().await?;
        Value::Null
    };

    Ok(json!({
        "measurement": "updates",
        "backend": backend,
        "artifacts": n,
        "seeding_seconds": seconds(seeding),
        "creation": {
            "seconds": seconds(creation),
            "activities": created,
            "per_second": rate(n, creation).round(),
            "cpu_seconds": creation_cpu,
        },
        "update": {
            "seconds_until_right_in_step": seconds(to_right),
            "activities_until_right_in_step": first,
            "per_second_until_right_in_step": rate(n, to_right).round(),
            "cpu_seconds_until_right_in_step": to_right_cpu,
            "seconds_until_idle": seconds(to_idle),
            "activities_until_idle": first + rest,
            "per_second_until_idle": rate(n, to_idle).round(),
            "cpu_seconds_until_idle": to_right_cpu + echoes_cpu,
        },
        "activity_states": states,
        "sqlite_files": files,
        "split": split,
    }))
}

fn edited(id: &str) -> String {
    format!("Edited summary of {id}")
}

/// How many pairs' right artifact does not carry its left artifact's edited summary.
async fn lagging(bench: &Bench) -> Result<usize> {
    let pairs = bench
        .store
        .pairs_after(bench.integration, 0, 10_000_000)
        .await?;
    let right: BTreeMap<String, FieldValue> = bench
        .right
        .snapshot()
        .into_iter()
        .map(|s| {
            let summary = s.artifact.fields.get("summary").cloned();
            (s.artifact.id, summary.unwrap_or(FieldValue::Null))
        })
        .collect();
    Ok(pairs
        .iter()
        .filter(|p| {
            right.get(&p.right.artifact.id) != Some(&FieldValue::Text(edited(&p.left.artifact.id)))
        })
        .count())
}

/// Activities of the integration per state.
pub async fn activity_states(bench: &Bench) -> Result<Value> {
    let counts = bench.store.activity_counts(bench.integration).await?;
    let map: serde_json::Map<String, Value> = counts
        .into_iter()
        .map(|(state, n)| (state.as_str().to_owned(), json!(n)))
        .collect();
    for state in [
        ActivityState::Pending,
        ActivityState::Processing,
        ActivityState::Failed,
    ] {
        if !map.contains_key(state.as_str()) {
            return Err(format!("no count for {}", state.as_str()).into());
        }
    }
    Ok(Value::Object(map))
}
