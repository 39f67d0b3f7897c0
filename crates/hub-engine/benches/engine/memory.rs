//! Resident memory: idle, and at the peak of a full scan of `--artifacts N` artifacts per side.
//!
//! The trackers live in this process (the memory connector is in-process), so their memory is
//! measured on its own and reported apart from the hub's:
//! 1. open the store (`--dir` from the size measurement, with its pairs; else a fresh one), load
//!    the integration, start the engine and let it idle for a few seconds with empty trackers:
//!    idle RSS;
//! 2. stop the engine and create N artifacts: their growth of RSS is the trackers' share. The
//!    right repository is pointed at the left one's tracker, so both sides read the same N
//!    artifacts: the engine does the work of N artifacts per side (it keys everything by
//!    repository) while the tracker memory is paid once. A full scan reads only each artifact's
//!    id, time and version, so by default the artifacts carry just a summary
//!    (`--content minimal`, about 5.6 KB of tracker memory each); `--content sample` seeds the
//!    tracker's varied sample data (about 7 KB each);
//! 3. reset the peak (`/proc/self/clear_refs`), run `Engine::detect(id, true)`: the full scan
//!    re-reads every artifact of both sides and queues an activity for each; the peak RSS minus
//!    the trackers' share is the hub's peak.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use hub_domain::model::FieldValue;
use serde_json::{Value, json};

use crate::proc::{self, mb};
use crate::setup::{self, PROJECT};
use crate::{Args, Result, Ticker, rate, seconds};

/// How long the started engine idles before idle RSS is read.
const IDLE: Duration = Duration::from_secs(5);

/// Runs the measurement.
pub async fn run(args: &Args) -> Result<Value> {
    let n = args.number("artifacts", 1_000_000)?;
    let content = args.text("content").unwrap_or("minimal");
    if !["minimal", "sample"].contains(&content) {
        return Err(format!("unknown --content '{content}' (minimal or sample)").into());
    }
    let at_start = proc::memory()?;
    let temp = tempfile::tempdir()?;
    let (dir, reused) = match args.path("dir") {
        Some(dir) => (dir, true),
        None => (temp.path().to_owned(), false),
    };
    if reused && !dir.join("syncline.db").exists() {
        return Err(format!("no store in {}", dir.display()).into());
    }
    let store = setup::open(&dir, None).await?;
    if !reused {
        drop(setup::create(store.clone()).await?);
    }
    setup::share_left_tracker(&store).await?;
    let bench = setup::load(store).await?;
    let pairs = bench.store.count_pairs(bench.integration).await?;
    let states = crate::updates::activity_states(&bench).await?;
    if states["pending"].as_u64() != Some(0) || states["processing"].as_u64() != Some(0) {
        return Err(
            format!("the store has open activities, so it would not idle: {states}").into(),
        );
    }

    eprintln!("memory: engine started over {pairs} pairs, idling {IDLE:?}");
    let handle = bench.engine.clone().start().await?;
    tokio::time::sleep(IDLE).await;
    let idle = proc::memory()?;
    handle.stop().await;
    eprintln!("  idle RSS {:.1} MB", mb(idle.rss_kib));

    eprintln!("memory: creating {n} artifacts ({content}) on the tracker both sides read");
    if !Arc::ptr_eq(&bench.left, &bench.right) {
        return Err("the sides do not share one tracker".into());
    }
    let before_seed = proc::memory()?;
    let started = Instant::now();
    if content == "sample" {
        bench.left.seed(PROJECT, n, 1)?;
    } else {
        for i in 0..n {
            let summary = FieldValue::Text(format!("Artifact {i}"));
            let fields = BTreeMap::from([("summary".to_owned(), summary)]);
            bench.left.user_create(PROJECT, "bug", fields)?;
        }
    }
    let seeding = started.elapsed();
    let seeded = proc::memory()?;
    let trackers_kib = seeded.rss_kib.saturating_sub(before_seed.rss_kib);
    eprintln!(
        "  seeded in {:.1}s; RSS {:.1} -> {:.1} MB: trackers {:.1} MB",
        seeding.as_secs_f64(),
        mb(before_seed.rss_kib),
        mb(seeded.rss_kib),
        mb(trackers_kib)
    );

    eprintln!("memory: full scan of both sides");
    proc::reset_peak()?;
    let base = proc::memory()?;
    let sampler = proc::Sampler::start();
    let ticker = {
        let max = sampler.max_handle();
        Ticker::start("scan", move || {
            format!("max RSS so far {:.1} MB", mb(max.load(Ordering::Relaxed)))
        })
    };
    let started = Instant::now();
    let queued = bench.engine.detect(bench.integration, true).await?;
    let scan = started.elapsed();
    drop(ticker);
    let sampled_kib = sampler.finish();
    let after = proc::memory()?;
    let hub_peak_kib = after.peak_kib.saturating_sub(trackers_kib);
    eprintln!(
        "  {queued} activities queued in {:.1}s; peak RSS {:.1} MB, hub's share {:.1} MB",
        scan.as_secs_f64(),
        mb(after.peak_kib),
        mb(hub_peak_kib)
    );
    let states = crate::updates::activity_states(&bench).await?;
    if queued != 2 * n {
        return Err(format!("the full scan queued {queued} activities for {n} per side").into());
    }

    Ok(json!({
        "measurement": "memory",
        "artifacts_per_side": n,
        "content": content,
        "pairs_in_store": pairs,
        "store_reused": reused,
        "rss_at_start_kib": at_start.rss_kib,
        "idle_seconds": IDLE.as_secs(),
        "idle_rss_kib": idle.rss_kib,
        "before_seeding_rss_kib": before_seed.rss_kib,
        "seeding_seconds": seconds(seeding),
        "seeded_rss_kib": seeded.rss_kib,
        "trackers_kib": trackers_kib,
        "scan_start_rss_kib": base.rss_kib,
        "scan_seconds": seconds(scan),
        "scan_queued": queued,
        "scan_per_second": rate(queued, scan).round(),
        "scan_peak_rss_kib": after.peak_kib,
        "scan_sampled_max_rss_kib": sampled_kib,
        "after_scan_rss_kib": after.rss_kib,
        "hub_peak_kib": hub_peak_kib,
        "hub_after_scan_kib": after.rss_kib.saturating_sub(trackers_kib),
        "activity_states": states,
    }))
}
