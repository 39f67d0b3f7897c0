//! `hub-server demo`: the hub with a live demo integration between two memory trackers.
//!
//! The trackers keep their state in the data directory and are seeded once from
//! `fixtures/demo/work-items.json`; the integration comes from `fixtures/demo/demo.toml`, applied
//! like any configuration file. While the hub runs, a narrator logs both sides converging and,
//! every few seconds, edits or comments on a work item as a user would, alternating sides, so
//! data visibly flows both ways. Pairs and activities are in the API (`/api/integrations`,
//! `/api/activities`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hub_connector::memory::{self, MemoryTracker};
use hub_domain::model::FieldValue;
use hub_store::Store;
use hub_store::document::{ApplyOptions, Document};
use serde::Deserialize;
use tokio::sync::watch;

use crate::error::ServerError;
use crate::settings::Settings;

const CONFIG: &str = include_str!("../../../fixtures/demo/demo.toml");
const ITEMS: &str = include_str!("../../../fixtures/demo/work-items.json");
const PROJECT: &str = "DEMO";
const PEOPLE: [(&str, &str, &str); 2] = [
    ("alice", "alice@example.com", "Alice Martin"),
    ("bob", "bob@example.com", "Bob Okafor"),
];

#[derive(Deserialize)]
struct Items {
    left: Vec<Item>,
    right: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(rename = "type")]
    artifact_type: String,
    summary: String,
    description: String,
    priority: String,
    labels: Vec<String>,
    story_points: i64,
    comments: Vec<String>,
}

/// The two demo trackers.
pub struct Trackers {
    left: Arc<MemoryTracker>,
    right: Arc<MemoryTracker>,
}

fn demo_error(what: &str, e: impl std::fmt::Display) -> ServerError {
    ServerError::Demo(format!("{what}: {e}"))
}

/// Opens (and on first run seeds) the trackers and applies the demo configuration.
pub async fn prepare(store: &Store, settings: &Settings) -> Result<Trackers, ServerError> {
    let data_dir =
        std::path::absolute(&settings.data_dir).map_err(|e| demo_error("data directory", e))?;
    let open = |name: &str| {
        memory::open_instance(name, Some(&data_dir.join(format!("{name}.json"))))
            .map_err(|e| demo_error(name, e))
    };
    let trackers = Trackers {
        left: open("demo-left")?,
        right: open("demo-right")?,
    };
    let items: Items =
        serde_json::from_str(ITEMS).map_err(|e| demo_error("work items fixture", e))?;
    seed(&trackers.left, &items.left)?;
    seed(&trackers.right, &items.right)?;
    let text = CONFIG.replace("{data_dir}", &data_dir.display().to_string());
    let doc = Document::parse("fixtures/demo/demo.toml", &text)
        .map_err(|e| demo_error("demo configuration", e))?;
    let plan = store
        .apply_document(&doc, ApplyOptions::default())
        .await
        .map_err(|e| demo_error("demo configuration", e))?;
    tracing::info!(changes = %plan.summary(), "demo configuration applied");
    Ok(trackers)
}

fn seed(tracker: &MemoryTracker, items: &[Item]) -> Result<(), ServerError> {
    let name = tracker.name().to_owned();
    for (username, email, display) in PEOPLE {
        if tracker.person(username).is_none() {
            tracker
                .add_person(username, email, display)
                .map_err(|e| demo_error(&name, e))?;
        }
    }
    if !tracker.snapshot().is_empty() {
        return Ok(()); // seeded on an earlier run
    }
    if tracker.create_project(PROJECT, "Demo project").is_err() {
        tracing::debug!(tracker = %name, "demo project exists");
    }
    for (n, item) in items.iter().enumerate() {
        let fields: BTreeMap<String, FieldValue> = [
            ("summary".to_owned(), FieldValue::Text(item.summary.clone())),
            (
                "description".to_owned(),
                FieldValue::Text(item.description.clone()),
            ),
            (
                "priority".to_owned(),
                FieldValue::Option(item.priority.clone()),
            ),
            (
                "labels".to_owned(),
                FieldValue::Options(item.labels.clone()),
            ),
            (
                "story_points".to_owned(),
                FieldValue::Integer(item.story_points),
            ),
        ]
        .into();
        let artifact = tracker
            .user_create(PROJECT, &item.artifact_type, fields)
            .map_err(|e| demo_error(&name, e))?;
        for (c, body) in item.comments.iter().enumerate() {
            let author = PEOPLE[(n + c) % PEOPLE.len()].0;
            tracker
                .user_comment(&artifact.id, author, body)
                .map_err(|e| demo_error(&name, e))?;
        }
    }
    tracing::info!(tracker = %name, artifacts = items.len(), "demo tracker seeded");
    Ok(())
}

/// Logs convergence and plays a user editing both trackers, until `stop` changes.
pub async fn narrate(trackers: Trackers, store: Store, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(3));
    let mut round = 0u64;
    let mut converged_logged = false;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        round += 1;
        let (left, right) = (
            trackers.left.snapshot().len(),
            trackers.right.snapshot().len(),
        );
        let pairs = pair_count(&store).await;
        let converged = left == right && pairs as usize == left;
        if !converged || !converged_logged {
            tracing::info!(
                left,
                right,
                pairs,
                converged,
                "demo: artifacts on each side"
            );
            converged_logged = converged;
        }
        if converged && round.is_multiple_of(4) {
            edit(&trackers, round);
            converged_logged = false;
        }
    }
}

async fn pair_count(store: &Store) -> u64 {
    let Ok(integrations) = store.integrations().await else {
        return 0;
    };
    let mut total = 0;
    for id in integrations.into_iter().filter_map(|i| i.id) {
        total += store.count_pairs(id).await.unwrap_or(0);
    }
    total
}

/// One user edit, alternating sides: a new comment, or a changed story-point estimate.
fn edit(trackers: &Trackers, round: u64) {
    let (side, tracker) = if round.is_multiple_of(8) {
        ("left", &trackers.left)
    } else {
        ("right", &trackers.right)
    };
    let artifacts = tracker.snapshot();
    if artifacts.is_empty() {
        return;
    }
    let target = &artifacts[(round as usize / 4) % artifacts.len()].artifact;
    let result = if round.is_multiple_of(3) {
        let body = format!("Checked again in round {round} on the {side} side.");
        tracker
            .user_comment(&target.id, PEOPLE[0].0, &body)
            .map(|_| ())
    } else {
        let points = FieldValue::Integer(i64::try_from(round % 13).unwrap_or(1) + 1);
        tracker
            .user_update(&target.id, [("story_points".to_owned(), points)].into())
            .map(|_| ())
    };
    match result {
        Ok(()) => {
            tracing::info!(side, artifact = %target.formatted_id, "demo: a user edited a work item")
        }
        Err(e) => tracing::warn!(side, error = %e, "demo: the user edit failed"),
    }
}
