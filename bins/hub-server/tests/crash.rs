//! The crash test: the real hub, killed with SIGKILL at twenty random moments while it syncs
//! 10,000 artifacts with comments and attachments between two memory trackers that fail 20 % of
//! calls — and, once it is allowed to finish, nothing is lost and nothing is duplicated.
//!
//! The trackers keep their state in files (journaled on every write), so they outlive each kill
//! like real servers would; the hub's store is the embedded SQLite file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use hub_connector::memory;

use support::{api, free_port};

const BIN: &str = env!("CARGO_BIN_EXE_hub-server");
const PER_SIDE: usize = 5_000;
const KILLS: usize = 20;

/// A small deterministic generator for the kill moments (the same run every time).
struct Moments(u64);

impl Moments {
    fn next_ms(&mut self, low: u64, high: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        low + (self.0 >> 33) % (high - low)
    }
}

fn faults(seed: u64) -> String {
    format!(
        "{{ seed = {seed}, network_error_rate = 0.14, ambiguous_rate = 0.03, rate_limit_rate = 0.02, \
         retry_after_ms = 50, conflict_rate = 0.01 }}"
    )
}

fn write_config(dir: &Path) -> (PathBuf, PathBuf) {
    let fields = [
        "summary",
        "description",
        "priority",
        "labels",
        "story_points",
        "due_date",
        "related",
    ];
    let types = [
        "string",
        "rich_text",
        "single_select",
        "multi_select",
        "integer",
        "date",
        "relationships",
    ];
    let mut text = String::new();
    for (side, seed) in [("left", 1), ("right", 2)] {
        let file = dir.join(format!("{side}.json"));
        text += &format!(
            "[[repository]]\nname = \"{side}\"\nconnector = \"memory\"\n\
             settings = {{ instance = \"crash-{side}\", state_file = {:?}, faults = {} }}\n\n",
            file.display().to_string(),
            faults(seed)
        );
    }
    text += "[[model]]\nname = \"item\"\n\n";
    for (name, kind) in fields.iter().zip(types) {
        text += &format!("[[model.field]]\nname = \"{name}\"\ntype = \"{kind}\"\n");
        if kind == "single_select" {
            text += "options = [\"low\", \"normal\", \"high\", \"urgent\"]\n";
        }
        if kind == "multi_select" {
            text +=
                "options = [\"backend\", \"frontend\", \"docs\", \"security\", \"performance\"]\n";
        }
        text += "\n";
    }
    for side in ["left", "right"] {
        text += &format!(
            "[[collection]]\nname = \"{side} items\"\nrepository = \"{side}\"\nprojects = [\"P\"]\n\
             artifact_types = [\"bug\", \"task\"]\nmodel = \"item\"\n\n"
        );
        for name in fields {
            text +=
                &format!("[[collection.field]]\nfield = \"{name}\"\nmodel_field = \"{name}\"\n\n");
        }
    }
    text += "[[integration]]\nname = \"crash\"\nstyle = \"work_item_sync\"\nleft = \"left items\"\n\
             right = \"right items\"\nrunning = true\nconflict_strategy = \"most_recent_wins\"\n\n\
             [integration.change_detection]\ninterval_seconds = 1\nmax_concurrency = 8\n";
    let config = dir.join("sync.toml");
    std::fs::write(&config, text).unwrap();
    let hub = dir.join("hub.toml");
    std::fs::write(
        &hub,
        "lock_lease_seconds = 2\nretry_base_seconds = 1\nretry_cap_seconds = 2\nlog_level = \"warn\"\n",
    )
    .unwrap();
    (config, hub)
}

fn seed(dir: &Path) {
    for (side, seed) in [("left", 11), ("right", 12)] {
        let name = format!("seed-{side}");
        let tracker =
            memory::open_instance(&name, Some(&dir.join(format!("{side}.json")))).unwrap();
        tracker.seed("P", PER_SIDE, seed).unwrap();
        memory::remove_instance(&name);
    }
}

/// Kills the hub if the test fails before stopping it, so no hub outlives a failed run.
struct KillOnPanic(u32);

impl Drop for KillOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = Command::new("kill")
                .args(["-KILL", &self.0.to_string()])
                .status();
        }
    }
}

fn start(dir: &Path, hub: &Path, port: u16) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("hub.log"))
        .unwrap();
    Command::new(BIN)
        .args(["serve", "--override-lock", "--config"])
        .arg(hub)
        .arg("--data-dir")
        .arg(dir)
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .env_remove("SYNCLINE_CONFIG")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

fn log_tail(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("hub.log")).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// Waits until the integration has every artifact paired and nothing left to do, twice in a row.
fn wait_converged(hub: &mut Child, dir: &Path, port: u16, expected_pairs: u64, within: Duration) {
    let deadline = Instant::now() + within;
    let mut quiet = 0;
    loop {
        if let Some(status) = hub.try_wait().unwrap() {
            panic!("the hub exited with {status}:\n{}", log_tail(dir));
        }
        if let Some(list) = api(port, "/api/integrations") {
            let i = &list[0];
            let busy: u64 = ["pending", "processing", "failed"]
                .iter()
                .map(|s| i["activities"][s].as_u64().unwrap_or(0))
                .sum();
            quiet = if busy == 0 && i["pairs"].as_u64() == Some(expected_pairs) {
                quiet + 1
            } else {
                0
            };
            if quiet >= 3 {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no convergence within {within:?}:\n{}",
            log_tail(dir)
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn sigkill_twenty_times_during_a_faulty_sync_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (config, hub) = write_config(dir.path());
    seed(dir.path());
    let applied = Command::new(BIN)
        .args(["apply"])
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("SYNCLINE_CONFIG")
        .output()
        .unwrap();
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );

    let mut moments = Moments(20261125);
    for _ in 0..KILLS {
        let mut hub_process = start(dir.path(), &hub, free_port());
        std::thread::sleep(Duration::from_millis(moments.next_ms(400, 3000)));
        if let Some(status) = hub_process.try_wait().unwrap() {
            panic!(
                "the hub exited by itself with {status}:\n{}",
                log_tail(dir.path())
            );
        }
        hub_process.kill().unwrap(); // SIGKILL
        hub_process.wait().unwrap();
    }

    let port = free_port();
    let mut last = start(dir.path(), &hub, port);
    let _reaper = KillOnPanic(last.id());
    wait_converged(
        &mut last,
        dir.path(),
        port,
        (2 * PER_SIDE) as u64,
        Duration::from_secs(900),
    );
    Command::new("kill")
        .args(["-TERM", &last.id().to_string()])
        .status()
        .unwrap();
    assert!(last.wait().unwrap().success());

    verify(dir.path());
}

fn verify(dir: &Path) {
    let left = memory::open_instance("verify-left", Some(&dir.join("left.json")))
        .unwrap()
        .snapshot();
    let right = memory::open_instance("verify-right", Some(&dir.join("right.json")))
        .unwrap()
        .snapshot();
    assert_eq!(
        left.len(),
        2 * PER_SIDE,
        "left: lost or duplicated artifacts"
    );
    assert_eq!(
        right.len(),
        2 * PER_SIDE,
        "right: lost or duplicated artifacts"
    );

    // Every hub-created artifact names its source; no source is named twice.
    for side in [&left, &right] {
        let sources: Vec<&String> = side
            .iter()
            .filter_map(|a| a.artifact.source.as_ref())
            .collect();
        let unique: BTreeSet<&String> = sources.iter().copied().collect();
        assert_eq!(sources.len(), unique.len(), "an artifact was created twice");
        assert_eq!(
            sources.len(),
            PER_SIDE,
            "every artifact of the other side has exactly one twin"
        );
    }

    // Twins carry the same comments and attachments, each exactly once.
    let (integration, left_repo, right_repo) = ids(dir);
    let by_source =
        |side: &[memory::ArtifactSnapshot]| -> BTreeMap<String, memory::ArtifactSnapshot> {
            side.iter()
                .filter_map(|a| a.artifact.source.clone().map(|s| (s, a.clone())))
                .collect()
        };
    let (left_copies, right_copies) = (by_source(&left), by_source(&right));
    let mut checked = 0;
    for (originals, copies, repo) in [
        (&left, &right_copies, left_repo),
        (&right, &left_copies, right_repo),
    ] {
        for original in originals.iter().filter(|a| a.artifact.source.is_none()) {
            let source = format!("syncline:{integration}:{repo}:{}", original.artifact.id);
            let twin = copies
                .get(&source)
                .unwrap_or_else(|| panic!("{source} has no twin"));
            let mut a: Vec<&str> = original.comments.iter().map(|c| c.body.as_str()).collect();
            let mut b: Vec<&str> = twin.comments.iter().map(|c| c.body.as_str()).collect();
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "comments of {}", original.artifact.formatted_id);
            let mut a: Vec<&str> = original
                .attachments
                .iter()
                .map(|x| x.file_name.as_str())
                .collect();
            let mut b: Vec<&str> = twin
                .attachments
                .iter()
                .map(|x| x.file_name.as_str())
                .collect();
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "attachments of {}", original.artifact.formatted_id);
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        2 * PER_SIDE,
        "every original was compared with its twin"
    );
}

/// The integration's and the two repositories' ids, read from the hub's store.
fn ids(dir: &Path) -> (i64, i64, i64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = hub_store::Store::open(&hub_store::sqlite_url_for(dir))
            .await
            .unwrap();
        store.check_integrity().await.unwrap();
        let integration = store.integrations().await.unwrap()[0].id.unwrap().0;
        let left = store
            .repository_by_name("left")
            .await
            .unwrap()
            .unwrap()
            .id
            .unwrap()
            .0;
        let right = store
            .repository_by_name("right")
            .await
            .unwrap()
            .unwrap()
            .id
            .unwrap()
            .0;
        (integration, left, right)
    })
}
