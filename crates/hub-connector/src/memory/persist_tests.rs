//! The state file: journal replay, torn lines, compaction and crashes in the middle of it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use hub_domain::model::{FieldValue, PersonRef};

use super::persist::{Limits, journal_path};
use super::*;
use crate::connector::Connector;
use crate::types::{
    Artifact, Attachment, Comment, NewArtifact, NewAttachment, NewComment, NewTimeEntry, Project,
};

/// Everything a tracker shows, read afresh.
#[derive(Debug, PartialEq)]
struct Picture {
    snapshot: Vec<ArtifactSnapshot>,
    counts: TrackerCounts,
    persons: Vec<PersonRef>,
    projects: Vec<Project>,
    /// Revision and the artifact, comment, attachment and time entry counters.
    counters: [u64; 5],
    fetched: Vec<Fetched>,
    /// The change index, in order.
    by_change: Vec<(DateTime<Utc>, u64)>,
    by_formatted_id: BTreeMap<String, u64>,
}

/// An artifact fetched with its comments, attachments and their contents.
#[derive(Debug, PartialEq)]
struct Fetched {
    artifact: Artifact,
    comments: Vec<Comment>,
    attachments: Vec<Attachment>,
    contents: Vec<Vec<u8>>,
}

fn picture(tracker: &MemoryTracker) -> Picture {
    let snapshot = tracker.snapshot();
    let ids: Vec<&str> = snapshot.iter().map(|s| s.artifact.id.as_str()).collect();
    let fetched = tracker.read(|s| ids.iter().map(|id| fetched(s, id)).collect());
    let (counts, persons) = (tracker.counts(), tracker.persons());
    tracker.read(|s| Picture {
        counts,
        persons,
        projects: s.projects(),
        counters: [
            s.revision,
            s.last_artifact_id,
            s.last_comment_id,
            s.last_attachment_id,
            s.last_time_entry_id,
        ],
        fetched,
        by_change: s.by_change.iter().copied().collect(),
        by_formatted_id: s.by_formatted_id.clone().into_iter().collect(),
        snapshot,
    })
}

/// A fresh fetch of artifact `id` with its parts.
fn fetched(s: &state::TrackerState, id: &str) -> Fetched {
    let attachments = s.attachments(id).unwrap();
    let contents = attachments
        .iter()
        .map(|a| s.download(id, &a.id).unwrap())
        .collect();
    Fetched {
        artifact: s.fetch(id).unwrap(),
        comments: s.comments(id).unwrap(),
        attachments,
        contents,
    }
}

fn summary(text: &str) -> BTreeMap<String, FieldValue> {
    BTreeMap::from([("summary".to_owned(), FieldValue::Text(text.into()))])
}

fn journal_lines(path: &Path) -> usize {
    std::fs::read(journal_path(path))
        .unwrap()
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

fn reopen(path: &Path) -> MemoryTracker {
    MemoryTracker::open("t", path).unwrap()
}

fn temp_path() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    (dir, path)
}

/// Every kind of write, through the connector and the user side, with the clock moving.
async fn every_kind_of_write(tracker: &Arc<MemoryTracker>) -> String {
    tracker.set_clock(DateTime::from_timestamp(1_700_000_000, 0));
    let tick = || tracker.advance_clock(TimeDelta::seconds(7));
    let c = MemoryConnector::new(tracker.clone());
    c.create_project("P", "Project P").await.unwrap();
    tracker.add_person("zed", "zed@example.com", "Zed").unwrap();
    let seeded = tracker.seed("DEMO", 6, 4).unwrap();
    tick();
    let new = NewArtifact {
        project: "P".into(),
        artifact_type: "bug".into(),
        fields: summary("from the hub"),
        source: Some("src:1".into()),
    };
    let a = c.create(&new).await.unwrap();
    tick();
    let a = c
        .update(&a.id, Some(&a.version), &summary("two"))
        .await
        .unwrap();
    assert!(c.update(&a.id, Some("0"), &summary("stale")).await.is_err());
    c.update(&a.id, None, &summary("two")).await.unwrap(); // changes nothing
    tick();
    let comment = NewComment {
        body: "line one\nline \"two\" ✓".into(),
        author: tracker.person("zed"),
        private: true,
        source: Some("c:1".into()),
    };
    c.add_comment(&a.id, &comment).await.unwrap();
    tracker
        .user_comment(&seeded[0], "bob", "user side")
        .unwrap();
    tick();
    let upload = NewAttachment {
        file_name: "all.bin".into(),
        content_type: "application/octet-stream".into(),
        content: (0..=255).collect(),
        source: Some("f:1".into()),
    };
    c.upload(&a.id, &upload).await.unwrap();
    tracker
        .user_attach(&seeded[1], "notes.txt", b"hello".to_vec())
        .unwrap();
    tick();
    let day = NaiveDate::from_ymd_opt(2023, 11, 14).unwrap();
    let logged = NewTimeEntry {
        author: tracker.person("zed"),
        spent_on: day,
        minutes: 95,
        comment: "review ✓".into(),
        activity: Some("Design".into()),
        source: Some("t:1".into()),
    };
    c.add_time_entry(&a.id, &logged).await.unwrap();
    tracker
        .user_log_time(&seeded[2], "carol", day, 30, "by hand")
        .unwrap();
    tick();
    let transition = c.transitions(&a.id).await.unwrap()[0].id.clone();
    c.perform_transition(&a.id, None, &transition)
        .await
        .unwrap();
    let to = c.transitions(&a.id).await.unwrap()[0].to_state.clone();
    tracker.user_transition(&a.id, &to).unwrap();
    tracker.user_update(&seeded[3], summary("edited")).unwrap();
    tracker.delete(&seeded[4]).unwrap();
    a.id
}

#[tokio::test]
async fn every_kind_of_write_replays_exactly() {
    let (_dir, path) = temp_path();
    let tracker = Arc::new(reopen(&path));
    let id = every_kind_of_write(&tracker).await;
    let before = picture(&tracker);
    assert!(
        !path.exists(),
        "no compaction yet: everything is in the journal"
    );
    assert_eq!(
        journal_lines(&path),
        15,
        "refused and empty writes append nothing"
    );
    drop(tracker);

    let tracker = reopen(&path);
    assert_eq!(picture(&tracker), before);
    let [revision, artifacts, comments, attachments, time_entries] = before.counters;
    let next = tracker.user_create("P", "task", summary("next")).unwrap();
    assert_eq!(
        (next.id, next.formatted_id),
        ((artifacts + 1).to_string(), "P-2".into())
    );
    assert_eq!(next.version, (revision + 1).to_string());
    let comment = tracker.user_comment(&id, "alice", "more").unwrap();
    assert_eq!(comment.id, (comments + 1).to_string());
    let attachment = tracker.user_attach(&id, "x.log", vec![1]).unwrap();
    assert_eq!(attachment.id, (attachments + 1).to_string());
    let day = NaiveDate::from_ymd_opt(2023, 11, 15).unwrap();
    let entry = tracker.user_log_time(&id, "bob", day, 5, "").unwrap();
    assert_eq!(entry.id, (time_entries + 1).to_string());
    assert_eq!(
        tracker
            .add_person("yan", "y@example.com", "Yan")
            .unwrap()
            .id,
        "u7"
    );
}

#[test]
fn a_torn_last_line_is_ignored() {
    let (_dir, path) = temp_path();
    let tracker = reopen(&path);
    let ids = tracker.seed("T", 3, 1).unwrap();
    let before = picture(&tracker);
    tracker
        .user_comment(&ids[0], "carol", "never acknowledged")
        .unwrap();
    drop(tracker);
    let journal = journal_path(&path);
    let full = std::fs::read(&journal).unwrap();
    std::fs::write(&journal, &full[..full.len() - 20]).unwrap();

    let tracker = reopen(&path);
    assert_eq!(picture(&tracker), before);
    tracker
        .user_comment(&ids[1], "dave", "after the crash")
        .unwrap();
    let after = picture(&tracker);
    drop(tracker);
    let text = std::fs::read(&journal).unwrap();
    assert!(text.ends_with(b"\n") && !text.windows(2).any(|w| w == b"}{"));
    assert_eq!(picture(&reopen(&path)), after);
}

#[test]
fn compaction_then_more_writes_then_reload() {
    let (_dir, path) = temp_path();
    let tracker = reopen(&path);
    tracker.set_journal_limits(Limits {
        lines: 5,
        bytes: 1 << 30,
    });
    let ids = tracker.seed("C", 4, 2).unwrap();
    for (n, id) in ids.iter().cycle().take(12).enumerate() {
        tracker
            .user_comment(id, "erin", &format!("comment {n}"))
            .unwrap();
    }
    assert!(path.exists(), "compacted into a snapshot");
    assert_eq!(journal_lines(&path), 3, "13 writes, compacted at 5 and 10");
    tracker
        .user_update(&ids[0], summary("after compaction"))
        .unwrap();
    tracker.delete(&ids[1]).unwrap();
    let before = picture(&tracker);
    drop(tracker);
    assert_eq!(picture(&reopen(&path)), before);
}

#[test]
fn a_crash_between_snapshot_rename_and_journal_truncation_applies_nothing_twice() {
    let (_dir, path) = temp_path();
    let tracker = reopen(&path);
    let ids = tracker.seed("R", 3, 5).unwrap();
    tracker.user_comment(&ids[0], "bob", "first").unwrap();
    let midway = tracker.read(|s| serde_json::to_vec(s).unwrap());
    tracker.user_comment(&ids[0], "bob", "second").unwrap();
    tracker
        .user_attach(&ids[1], "a.txt", b"abc".to_vec())
        .unwrap();
    let before = picture(&tracker);
    let whole = tracker.read(|s| serde_json::to_vec(s).unwrap());
    drop(tracker);

    // Renamed, not truncated: the snapshot holds every journal line.
    std::fs::write(&path, &whole).unwrap();
    let tracker = reopen(&path);
    assert_eq!(picture(&tracker), before);
    tracker.user_comment(&ids[2], "carol", "third").unwrap();
    let after = picture(&tracker);
    drop(tracker);
    assert_eq!(picture(&reopen(&path)), after);

    // A snapshot from the middle of the journal: the older lines skipped, the newer applied.
    std::fs::write(&path, &midway).unwrap();
    assert_eq!(picture(&reopen(&path)), after);
}

#[test]
fn a_journal_that_skips_a_write_is_refused() {
    let (_dir, path) = temp_path();
    let tracker = reopen(&path);
    let ids = tracker.seed("G", 2, 1).unwrap();
    tracker.user_comment(&ids[0], "bob", "one").unwrap();
    tracker.user_comment(&ids[0], "bob", "two").unwrap();
    drop(tracker);
    let journal = journal_path(&path);
    let text = String::from_utf8(std::fs::read(&journal).unwrap()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&journal, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
    let err = MemoryTracker::open("t", &path).unwrap_err();
    assert_eq!(err.class, ErrorClass::InvalidValue, "{err:?}");
}

/// A rough speed check, printed (`--nocapture`), not asserted: 20,000 writes on a tracker of
/// 10,000 artifacts, compactions included.
#[test]
fn journal_speed() {
    let (_dir, path) = temp_path();
    let tracker = reopen(&path);
    let start = Instant::now();
    let ids = tracker.seed("S", 10_000, 7).unwrap();
    let seeded = start.elapsed();
    let start = Instant::now();
    for n in 0..20_000_usize {
        let id = &ids[n * 7919 % ids.len()];
        match n % 4 {
            0 => tracker
                .user_update(id, summary(&format!("edit {n}")))
                .map(drop),
            1 => tracker.user_comment(id, "alice", "a comment").map(drop),
            2 => tracker.user_attach(id, "f.log", vec![b'x'; 200]).map(drop),
            _ => {
                let points = FieldValue::Integer(i64::try_from(n).unwrap());
                let fields = BTreeMap::from([("story_points".to_owned(), points)]);
                tracker.user_update(id, fields).map(drop)
            }
        }
        .unwrap();
    }
    let elapsed = start.elapsed();
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len() / 1024);
    println!(
        "journal speed: seeding 10,000 artifacts {seeded:?}; 20,000 writes {elapsed:?} = {:.0} \
         writes/s; snapshot {} KiB, journal {} KiB in {} lines",
        20_000.0 / elapsed.as_secs_f64(),
        size(&path),
        size(&journal_path(&path)),
        journal_lines(&path)
    );
    let start = Instant::now();
    let reloaded = reopen(&path);
    println!("journal speed: reload {:?}", start.elapsed());
    assert_eq!(reloaded.counts(), tracker.counts());
}
