//! Deterministic sample data: the same seed gives the same artifacts, comments, attachments and
//! states every time, so a demo or a benchmark is reproducible and a failing test can be re-run.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeDelta};
use hub_domain::model::{FieldValue, PersonRef, WebLink};

use super::rng::SplitMix64;
use super::schema::{self, LABELS, PRIORITIES};
use super::state::TrackerState;
use super::tracker::MemoryTracker;
use crate::connector::Result;
use crate::types::{NewArtifact, NewAttachment, NewComment};

const VERBS: [&str; 6] = [
    "Crash",
    "Slowness",
    "Wrong total",
    "Typo",
    "Timeout",
    "Missing icon",
];
const PLACES: [&str; 6] = [
    "login page",
    "report export",
    "search",
    "settings",
    "dashboard",
    "API",
];
const REMARKS: [&str; 4] = [
    "Reproduced on the test system.",
    "Customer confirms it happens daily.",
    "Could be related to last week's release.",
    "Fixed in my branch, please review.",
];

impl MemoryTracker {
    /// Creates `count` artifacts in `project` (created first if missing) with varied fields, some
    /// comments, attachments and workflow states. The same `seed` on the same tracker state gives
    /// the same data. Returns the new artifact ids.
    pub fn seed(&self, project: &str, count: usize, seed: u64) -> Result<Vec<String>> {
        self.write(|state| seed_into(state, project, count, seed))
    }
}

fn seed_into(
    state: &mut TrackerState,
    project: &str,
    count: usize,
    seed: u64,
) -> Result<Vec<String>> {
    if state.check_project(project).is_err() {
        state.create_project(project, project)?;
    }
    let mut rng = SplitMix64::new(seed);
    let persons = state.persons.clone();
    let mut ids: Vec<String> = Vec::with_capacity(count);
    for _ in 0..count {
        let new = NewArtifact {
            project: project.to_owned(),
            artifact_type: rng.pick(&schema::ARTIFACT_TYPES).0.to_owned(),
            fields: random_fields(&mut rng, &persons, &ids),
            source: None,
        };
        let id = state.create(&new)?.id;
        for _ in 0..rng.below(3) {
            let comment = NewComment {
                body: (*rng.pick(&REMARKS)).to_owned(),
                author: Some(rng.pick(&persons).clone()),
                private: rng.chance(0.2),
                source: None,
            };
            state.add_comment(&id, &comment)?;
        }
        if rng.chance(0.3) {
            let size = 16 + rng.below(240);
            let attachment = NewAttachment {
                file_name: format!("trace-{}.log", rng.below(1000)),
                content_type: "text/plain".to_owned(),
                content: (0..size).map(|_| b'a' + rng.below(26) as u8).collect(),
                source: None,
            };
            state.upload(&id, &attachment)?;
        }
        for _ in 0..rng.below(3) {
            let transitions = state.transitions(&id)?;
            if transitions.is_empty() {
                break;
            }
            let transition = rng.pick(&transitions).id.clone();
            state.perform_transition(&id, None, &transition)?;
        }
        ids.push(id);
    }
    Ok(ids)
}

fn random_fields(
    rng: &mut SplitMix64,
    persons: &[PersonRef],
    earlier: &[String],
) -> BTreeMap<String, FieldValue> {
    let mut fields = BTreeMap::new();
    let mut set = |id: &str, value: FieldValue| {
        fields.insert(id.to_owned(), value);
    };
    set(
        "summary",
        FieldValue::Text(format!("{} in {}", rng.pick(&VERBS), rng.pick(&PLACES))),
    );
    let base_date = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    let base_time = DateTime::from_timestamp(1_735_689_600, 0).unwrap_or_default();
    if rng.chance(0.7) {
        set(
            "description",
            FieldValue::Text(format!(
                "Seen in *{}*.\n\n{}",
                rng.pick(&PLACES),
                rng.pick(&REMARKS)
            )),
        );
    }
    if rng.chance(0.8) {
        set(
            "priority",
            FieldValue::Option((*rng.pick(&PRIORITIES)).to_owned()),
        );
    }
    if rng.chance(0.5) {
        let labels = LABELS
            .iter()
            .filter(|_| rng.chance(0.3))
            .map(|l| (*l).to_owned())
            .collect();
        set("labels", FieldValue::Options(labels));
    }
    set("blocking", FieldValue::Bool(rng.chance(0.2)));
    if rng.chance(0.6) {
        set("story_points", FieldValue::Integer(rng.below(14) as i64));
    }
    if rng.chance(0.4) {
        set(
            "cost",
            FieldValue::Decimal(format!("{}.{:02}", rng.below(5000), rng.below(100))),
        );
    }
    if rng.chance(0.5) {
        set(
            "due_date",
            FieldValue::Date(base_date + TimeDelta::days(rng.below(365) as i64)),
        );
    }
    if rng.chance(0.3) {
        let at = base_time + TimeDelta::minutes(rng.below(525_600) as i64);
        set("next_review", FieldValue::DateTime(at));
    }
    if rng.chance(0.5) {
        set("time_spent", FieldValue::Minutes(rng.below(960) as i64));
    }
    if rng.chance(0.7) {
        set("assignee", FieldValue::Person(rng.pick(persons).clone()));
    }
    if rng.chance(0.4) {
        let watchers = persons
            .iter()
            .filter(|_| rng.chance(0.4))
            .cloned()
            .collect();
        set("watchers", FieldValue::Persons(watchers));
    }
    if !earlier.is_empty() && rng.chance(0.2) {
        set("parent", FieldValue::Links(vec![rng.pick(earlier).clone()]));
    }
    if !earlier.is_empty() && rng.chance(0.3) {
        let related = (0..1 + rng.below(2))
            .map(|_| rng.pick(earlier).clone())
            .collect();
        set("related", FieldValue::Links(related));
    }
    if rng.chance(0.3) {
        let n = rng.below(100);
        let link = WebLink {
            url: format!("https://docs.example.com/kb/{n}"),
            label: format!("KB {n}"),
        };
        set("links", FieldValue::WebLinks(vec![link]));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded(seed: u64) -> Vec<super::super::ArtifactSnapshot> {
        let tracker = MemoryTracker::new("seed");
        tracker.set_clock(DateTime::from_timestamp(1_700_000_000, 0));
        tracker.seed("DEMO", 40, seed).unwrap();
        tracker.snapshot()
    }

    #[test]
    fn same_seed_same_data() {
        let a = seeded(5);
        assert_eq!(a.len(), 40);
        assert_eq!(a, seeded(5));
        assert_ne!(a, seeded(6));
    }

    #[test]
    fn seeded_data_is_varied() {
        let data = seeded(1);
        assert!(data.iter().any(|s| !s.comments.is_empty()));
        assert!(data.iter().any(|s| !s.attachments.is_empty()));
        assert!(
            data.iter()
                .any(|s| s.artifact.fields["status"] != FieldValue::Option("new".into()))
        );
        assert!(data.iter().any(
            |s| matches!(&s.artifact.fields["related"], FieldValue::Links(l) if !l.is_empty())
        ));
    }
}
