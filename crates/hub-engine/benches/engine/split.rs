//! Where an update's time goes: the work of one update activity, replayed piece by piece over
//! existing pairs, each piece alone and sequentially, through the same public calls the engine
//! makes (see `runtime/process.rs` and `runtime/worker.rs`):
//!
//! - store: queueing the change (`enqueue_changes`, a page of 500 at a time like detection),
//!   claiming it (`claim_activities`, batches of 64), reading the pair (`pair_record`), saving
//!   the snapshot (`update_pair_sync`) and completing it (`complete_activity`);
//! - connector: reading both artifacts, the comments and attachments of both, and writing one
//!   field on the right;
//! - planning: decoding the snapshot, projecting both artifacts into the model, planning,
//!   translating the change back, encoding the snapshot.
//!
//! The sum is not the engine's time per activity (the engine overlaps activities on two cores
//! and adds its own scheduling); it shows which piece dominates.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use hub_connector::Registry;
use hub_connector::types::Artifact;
use hub_domain::model::FieldValue;
use hub_domain::pair::{ArtifactPair, ArtifactRef};
use hub_engine::runtime::IntegrationRuntime;
use hub_engine::runtime::snapshot::PairSnapshot;
use hub_engine::sync::plan::{SideView, plan};
use hub_engine::sync::transform::{from_model, to_model};
use serde_json::{Value, json};

use crate::Result;
use crate::setup::Bench;

/// Replays `count` update activities; returns microseconds per activity for each piece.
pub async fn measure(bench: &Bench, count: usize) -> Result<Value> {
    let config = bench
        .store
        .integrations()
        .await?
        .into_iter()
        .find(|i| i.id == Some(bench.integration))
        .ok_or("integration vanished")?;
    let detection =
        hub_engine::effective_change_detection(&Default::default(), &config.change_detection);
    let rt =
        IntegrationRuntime::load(&bench.store, &Registry::builtin(), config, detection).await?;
    let pairs = bench
        .store
        .pairs_after(bench.integration, 0, count as u64)
        .await?;
    let count = pairs.len().max(1);

    // Planning first: the connector piece writes on the right, which would make the planned
    // change a conflict.
    let planning = planning_piece(bench, &rt, &pairs).await?;
    let connector = connector_piece(&rt, &pairs).await?;
    let store = store_piece(bench, &pairs).await?;
    let per = |d: Duration| (d.as_secs_f64() * 1e6 / count as f64).round();
    eprintln!(
        "  per activity: store {:.0} µs, connector {:.0} µs, planning {:.0} µs",
        per(store.total),
        per(connector),
        per(planning)
    );
    Ok(json!({
        "activities": count,
        "store_us": per(store.total),
        "store_enqueue_us": per(store.enqueue),
        "store_claim_us": per(store.claim),
        "store_pair_record_us": per(store.pair_record),
        "store_update_pair_us": per(store.update_pair),
        "store_complete_us": per(store.complete),
        "connector_us": per(connector),
        "planning_us": per(planning),
    }))
}

async fn connector_piece(rt: &IntegrationRuntime, pairs: &[ArtifactPair]) -> Result<Duration> {
    let started = Instant::now();
    for pair in pairs {
        let left = rt.left.connector.fetch(&pair.left.artifact.id).await?;
        let right = rt.right.connector.fetch(&pair.right.artifact.id).await?;
        rt.left.connector.comments(&left.id).await?;
        rt.right.connector.comments(&right.id).await?;
        rt.left.connector.attachments(&left.id).await?;
        rt.right.connector.attachments(&right.id).await?;
        let summary = format!("{} (replayed)", text(&right, "summary"));
        let fields = BTreeMap::from([("summary".to_owned(), FieldValue::Text(summary))]);
        rt.right
            .connector
            .update(&right.id, Some(&right.version), &fields)
            .await?;
    }
    Ok(started.elapsed())
}

fn text(artifact: &Artifact, field: &str) -> String {
    match artifact.fields.get(field) {
        Some(FieldValue::Text(t)) => t.clone(),
        _ => String::new(),
    }
}

async fn planning_piece(
    bench: &Bench,
    rt: &IntegrationRuntime,
    pairs: &[ArtifactPair],
) -> Result<Duration> {
    // Inputs first, untimed: both artifacts (the left one with a changed summary) and the
    // stored snapshot.
    let mut inputs = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let mut left = rt.left.connector.fetch(&pair.left.artifact.id).await?;
        let right = rt.right.connector.fetch(&pair.right.artifact.id).await?;
        let summary = format!("{} (planned)", text(&left, "summary"));
        left.fields
            .insert("summary".to_owned(), FieldValue::Text(summary));
        let record = bench
            .store
            .pair_record(bench.integration, &pair.left.artifact)
            .await?
            .ok_or("pair vanished")?;
        inputs.push((left, right, record.snapshot));
    }
    let started = Instant::now();
    for (left, right, snapshot) in &inputs {
        let mut snapshot = PairSnapshot::decode(snapshot.as_deref())?;
        let left_values = to_model(
            &rt.left.mapping,
            &rt.model,
            &left.fields,
            &rt.left.field_types,
        )?;
        let right_values = to_model(
            &rt.right.mapping,
            &rt.model,
            &right.fields,
            &rt.right.field_types,
        )?;
        let planned = plan(
            SideView {
                snapshot: &snapshot.left,
                current: &left_values,
                updated_at: left.updated_at,
            },
            SideView {
                snapshot: &snapshot.right,
                current: &right_values,
                updated_at: right.updated_at,
            },
            &rt.integration.field_flows,
            rt.integration.conflict_strategy,
        );
        let out = from_model(
            &rt.right.mapping,
            &rt.model,
            &planned.to_right,
            &rt.right.field_types,
        )?;
        if out.is_empty() {
            return Err("the replayed plan wrote nothing".into());
        }
        snapshot.left = planned.left_snapshot;
        snapshot.right = planned.right_snapshot;
        std::hint::black_box(snapshot.encode());
    }
    Ok(started.elapsed())
}

#[derive(Default)]
struct StoreTimes {
    enqueue: Duration,
    claim: Duration,
    pair_record: Duration,
    update_pair: Duration,
    complete: Duration,
    total: Duration,
}

async fn store_piece(bench: &Bench, pairs: &[ArtifactPair]) -> Result<StoreTimes> {
    let store = &bench.store;
    let mut times = StoreTimes::default();
    let refs: Vec<ArtifactRef> = pairs.iter().map(|p| p.left.artifact.clone()).collect();
    let started = Instant::now();
    for page in refs.chunks(500) {
        store.enqueue_changes(bench.integration, page).await?;
    }
    times.enqueue = started.elapsed();
    let lease = Duration::from_secs(300);
    loop {
        let t = Instant::now();
        let batch = store
            .claim_activities("bench-split", &[bench.integration], 64, lease)
            .await?;
        times.claim += t.elapsed();
        if batch.is_empty() {
            break;
        }
        for activity in batch {
            let t = Instant::now();
            let record = store
                .pair_record(bench.integration, &activity.artifact)
                .await?
                .ok_or("pair vanished")?;
            times.pair_record += t.elapsed();
            let pair = record.pair;
            let t = Instant::now();
            let saved = store
                .update_pair_sync(
                    pair.id.ok_or("pair without id")?,
                    record.revision,
                    pair.left.version.as_deref(),
                    pair.right.version.as_deref(),
                    record.snapshot.as_deref().unwrap_or("{}"),
                )
                .await?;
            times.update_pair += t.elapsed();
            if !saved {
                return Err("replayed snapshot write lost its revision".into());
            }
            let t = Instant::now();
            store.complete_activity(activity.id).await?;
            times.complete += t.elapsed();
        }
    }
    times.total = started.elapsed();
    Ok(times)
}
