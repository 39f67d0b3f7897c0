//! The tracker benchmark's harness, run by `cargo xtask bench trackers` (ignored in the normal
//! test run): the real `hub-server` between a real Redmine and a real Trac, configured by
//! `fixtures/trackers/redmine-trac.toml` with change detection every second, measured against
//! the raw API rate of the same trackers in the same run at the same concurrency.
//!
//! 1. `N` work items are created on Redmine and the hub makes their Trac twins.
//! 2. With the hub stopped, the raw rates, `C` at a time: Trac's `ticket.update` per second
//!    (`hub_connector::trac::probe::measure`) and Redmine's `PUT /issues/:id.json` per second
//!    (`hub_connector::redmine::probe`, in a project outside the integration); and the raw
//!    pipelines, the physical limit of a synchronized update: on `N` issue/ticket couples
//!    outside the integration, edited first as the hub phase edits its items, the requests
//!    the updates need done by hand (find the edits by the source's change query, then per
//!    item read the changed item with its comments, read the other with its comments, write
//!    it, and on Redmine read it again, since Redmine answers a write with 204 and cannot
//!    refuse a stale one).
//! 3. Hub running again, the integration stopped: the summary of every Redmine item is edited,
//!    `C` edits at a time; then the integration is started, and the time until the hub is idle,
//!    Trac holds all `N` new summaries and the hub has read the echo of its own writes (idle
//!    for 2.5 s after) gives the hub's updates per second Redmine→Trac.
//! 4. The same with the Trac tickets edited and Redmine counted (one filtered issue list).
//! 5. 20 single edits alternating sides on an idle hub: the time from sending the edit until the
//!    other tracker shows it (read every 100 ms).
//!
//! CPU seconds of the hub and of each tracker's server process are sampled around every phase,
//! and the requests Redmine logged in it (by method, with their server time), which says which
//! of them bounds a rate: Redmine runs a single server thread, so its server time over the
//! phase's wall time is how busy that thread was. Figures go as JSON to the file named by
//! `SYNCLINE_BENCH_TRACKERS_JSON` (standard output otherwise); `SYNCLINE_BENCH_TRACKERS_N` and
//! `SYNCLINE_BENCH_TRACKERS_C` choose `N` (default 300) and `C` (default 4).
//!
//! The trackers come from `SYNCLINE_TEST_{REDMINE,TRAC}_A_*` or from the records `cargo xtask
//! services up redmine-a trac-a` leaves, as for the live end-to-end test; each run works in a
//! Redmine project and a Trac ticket type of its own.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

mod support;

use chrono::{DateTime, Utc};
use hub_connector::redmine::RedmineSettings;
use hub_connector::trac::TracSettings;
use serde_json::{Value, json};
use support::{base64, free_port, http, recorded};

const BIN: &str = env!("CARGO_BIN_EXE_hub-server");
const TEMPLATE: &str = include_str!("../../../fixtures/trackers/redmine-trac.toml");
/// Single edits whose latency is measured.
const LATENCY_EDITS: usize = 20;
/// How long the hub must stay idle after a phase for its own writes' echo to count as read:
/// more than two poll intervals.
const ECHO_WATCH: Duration = Duration::from_millis(2500);
/// How long one phase may take before it counts as failed.
const PHASE_LIMIT: Duration = Duration::from_secs(300);

// ---------------------------------------------------------------------------------------------
// The live trackers

/// Where the trackers are, and their server processes when xtask recorded them.
struct Endpoints {
    redmine_url: String,
    redmine_key: String,
    redmine_pid: Option<u32>,
    /// Redmine's Rails log, where every request leaves its method, path and server time.
    redmine_log: Option<PathBuf>,
    trac_url: String,
    trac_user: String,
    trac_password: String,
    trac_pid: Option<u32>,
}

fn endpoints() -> Endpoints {
    let var = |name: &str| std::env::var(format!("SYNCLINE_TEST_{name}")).ok();
    let redmine_record = recorded("redmine-a");
    let trac_record = recorded("trac-a");
    let pid = |r: &Option<Value>| {
        r.as_ref()
            .and_then(|r| r["pid"].as_u64())
            .and_then(|p| u32::try_from(p).ok())
    };
    let redmine = match (var("REDMINE_A_URL"), var("REDMINE_A_KEY")) {
        (Some(url), Some(key)) => Some((url, key, None)),
        _ => redmine_record.as_ref().and_then(|r| {
            let key = std::fs::read_to_string(Path::new(r["dir"].as_str()?).join("api_key"));
            Some((
                r["admin_url"].as_str()?.to_owned(),
                key.ok()?.trim().to_owned(),
                pid(&redmine_record),
            ))
        }),
    };
    let trac = match var("TRAC_A_URL") {
        Some(url) => Some((
            url,
            var("TRAC_A_USER").unwrap_or_else(|| "admin".into()),
            var("TRAC_A_PASSWORD").unwrap_or_default(),
            None,
        )),
        // The administrator xtask's Trac instances are set up with.
        None => trac_record.as_ref().and_then(|r| {
            Some((
                r["admin_url"].as_str()?.to_owned(),
                "admin".to_owned(),
                "syncline-admin".to_owned(),
                pid(&trac_record),
            ))
        }),
    };
    let (
        Some((redmine_url, redmine_key, redmine_pid)),
        Some((trac_url, trac_user, trac_password, trac_pid)),
    ) = (redmine, trac)
    else {
        panic!(
            "no live Redmine and Trac: SYNCLINE_TEST_REDMINE_A_URL/_KEY and \
             SYNCLINE_TEST_TRAC_A_URL/_USER/_PASSWORD are not set and no running \
             redmine-a/trac-a is recorded; run `cargo xtask services up redmine-a trac-a`"
        )
    };
    let redmine_log = redmine_record
        .as_ref()
        .filter(|_| redmine_pid.is_some())
        .and_then(|r| Some(Path::new(r["data_dir"].as_str()?).join("log/production.log")));
    Endpoints {
        redmine_url,
        redmine_key,
        redmine_pid,
        redmine_log,
        trac_url,
        trac_user,
        trac_password,
        trac_pid,
    }
}

/// The two trackers as the benchmark's users reach them: plain requests, no connector logic.
struct Trackers {
    e: Endpoints,
    project: String,
    ticket_type: String,
    bug: u64,
}

impl Trackers {
    fn redmine(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let key = [format!("X-Redmine-API-Key: {}", self.e.redmine_key)];
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        http(&self.e.redmine_url, method, path, &key, &body)
    }

    fn trac(&self, method: &str, params: Value) -> Value {
        let auth = format!(
            "Authorization: Basic {}",
            base64(format!("{}:{}", self.e.trac_user, self.e.trac_password).as_bytes())
        );
        let call = json!({"method": method, "params": params, "id": 1});
        let (status, answer) = http(
            &self.e.trac_url,
            "POST",
            "/login/jsonrpc",
            &[auth],
            &call.to_string(),
        );
        assert!(
            status == 200 && answer["error"].is_null(),
            "Trac {method}: {status} {answer}"
        );
        answer["result"].clone()
    }

    /// A public Redmine project with the Bug tracker (the hub's account is the administrator).
    fn create_project(&self, identifier: &str) {
        let project = json!({"project": {"name": format!("Syncline {identifier}"),
            "identifier": identifier, "is_public": true, "tracker_ids": [self.bug]}});
        let (status, answer) = self.redmine("POST", "/projects.json", &project);
        assert_eq!(status, 201, "creating the Redmine project: {answer}");
    }

    fn create_issue(&self, subject: &str) -> u64 {
        let issue = json!({"issue": {"project_id": self.project, "tracker_id": self.bug,
            "subject": subject}});
        let (status, answer) = self.redmine("POST", "/issues.json", &issue);
        assert_eq!(status, 201, "creating an issue: {answer}");
        answer["issue"]["id"].as_u64().unwrap()
    }

    fn set_subject(&self, id: &str, subject: &str) {
        let issue = json!({"issue": {"subject": subject}});
        let (status, answer) = self.redmine("PUT", &format!("/issues/{id}.json"), &issue);
        assert!(
            status == 200 || status == 204,
            "editing issue {id}: {status} {answer}"
        );
    }

    fn subject(&self, id: &str) -> String {
        let (_, answer) = self.redmine("GET", &format!("/issues/{id}.json"), &Value::Null);
        answer["issue"]["subject"].as_str().unwrap_or("").to_owned()
    }

    /// Issues of the project whose subject contains `token`.
    fn redmine_count(&self, token: &str) -> usize {
        let path = format!(
            "/issues.json?project_id={}&limit=1&f%5B%5D=status_id&op%5Bstatus_id%5D=*\
             &f%5B%5D=subject&op%5Bsubject%5D=~&v%5Bsubject%5D%5B%5D={token}",
            self.project
        );
        let (_, answer) = self.redmine("GET", &path, &Value::Null);
        answer["total_count"]
            .as_u64()
            .map_or(0, |n| usize::try_from(n).unwrap_or(0))
    }

    fn set_summary(&self, id: &str, summary: &str) {
        let id: i64 = id.parse().unwrap();
        self.trac(
            "ticket.update",
            json!([id, "", {"summary": summary, "action": "leave"}, false]),
        );
    }

    fn summary(&self, id: &str) -> String {
        let id: i64 = id.parse().unwrap();
        let ticket = self.trac("ticket.get", json!([id]));
        ticket[3]["summary"].as_str().unwrap_or("").to_owned()
    }

    /// Tickets of the run's type whose summary contains `token`.
    fn trac_count(&self, token: &str) -> usize {
        let query = format!("type={}&summary~={token}&max=0", self.ticket_type);
        self.trac("ticket.query", json!([query]))
            .as_array()
            .map_or(0, Vec::len)
    }
}

/// A Redmine issue and a Trac ticket outside the integration, for the raw pipelines.
struct ProbeItem {
    issue: u64,
    ticket: i64,
}

impl Trackers {
    /// Redmine's full answer of an issue: what a synchronization reads of it.
    fn redmine_full(&self, id: u64) -> Value {
        let path = format!("/issues/{id}.json?include=relations,journals,attachments");
        let (status, answer) = self.redmine("GET", &path, &Value::Null);
        assert_eq!(status, 200, "reading issue {id}: {answer}");
        answer["issue"].clone()
    }

    /// Trac's ticket and its change log: what a synchronization reads of it.
    fn trac_full(&self, id: i64) -> Value {
        let ticket = self.trac("ticket.get", json!([id]));
        self.trac("ticket.changeLog", json!([id]));
        ticket
    }

    /// The items of the raw pipelines: `n` issues in `project` and `n` tickets of Trac's
    /// default type, both outside the integration.
    fn probe_items(&self, project: &str, n: usize, concurrency: usize) -> Vec<ProbeItem> {
        let items = Mutex::new(Vec::new());
        parallel((0..n).collect(), concurrency, |k| {
            let issue = json!({"issue": {"project_id": project, "tracker_id": self.bug,
                "subject": format!("Pipeline item {k}")}});
            let (status, answer) = self.redmine("POST", "/issues.json", &issue);
            assert_eq!(status, 201, "creating a pipeline issue: {answer}");
            let ticket = self.trac(
                "ticket.create",
                json!([format!("Pipeline item {k}"), "", {}, false]),
            );
            items.lock().unwrap().push(ProbeItem {
                issue: answer["issue"]["id"].as_u64().unwrap(),
                ticket: ticket.as_i64().unwrap(),
            });
        });
        items.into_inner().unwrap()
    }

    /// One Redmine→Trac update done by hand: read the issue with its comments and
    /// attachments, read the ticket (its `_ts`) and its log, write the ticket.
    fn pipeline_to_trac(&self, item: &ProbeItem, k: usize) {
        let issue = self.redmine_full(item.issue);
        let ticket = self.trac_full(item.ticket);
        let summary = format!("{} p{k}", issue["subject"].as_str().unwrap_or(""));
        let fields = json!({"summary": summary, "_ts": ticket[3]["_ts"], "action": "leave"});
        self.trac("ticket.update", json!([item.ticket, "", fields, false]));
    }

    /// One Trac→Redmine update done by hand: read the ticket and its log, read the issue with
    /// its comments and attachments, write it, and read it again, which is the only way to
    /// learn what a write to Redmine produced: it answers 204 and cannot refuse a stale write.
    fn pipeline_to_redmine(&self, item: &ProbeItem, k: usize) {
        let ticket = self.trac_full(item.ticket);
        self.redmine_full(item.issue);
        let subject = format!("{} p{k}", ticket[3]["summary"].as_str().unwrap_or(""));
        self.set_subject(&item.issue.to_string(), &subject);
        self.redmine_full(item.issue);
    }

    /// Redmine issues of `project` updated in or after the second of `since`, by the only
    /// change query Redmine has: its issue list filtered by `updated_on`, 100 per page (its
    /// largest), each page handed to `found` as it arrives.
    fn redmine_changes(&self, project: &str, since: DateTime<Utc>, found: &dyn Fn(Vec<u64>)) {
        let since = since.format("%Y-%m-%dT%H:%M:%SZ");
        let mut offset = 0;
        loop {
            let path = format!(
                "/issues.json?project_id={project}&status_id=*&updated_on=%3E%3D{since}\
                 &sort=updated_on,id&limit=100&offset={offset}"
            );
            let (status, answer) = self.redmine("GET", &path, &Value::Null);
            assert_eq!(status, 200, "listing changed issues: {answer}");
            let ids: Vec<u64> = answer["issues"]
                .as_array()
                .map(|list| list.iter().filter_map(|i| i["id"].as_u64()).collect())
                .unwrap_or_default();
            offset += ids.len();
            let total = answer["total_count"].as_u64().unwrap_or(0) as usize;
            let last = ids.is_empty() || offset >= total;
            found(ids);
            if last {
                return;
            }
        }
    }

    /// Trac tickets changed in or after the second of `since`: one `ticket.query` by
    /// `changetime`, ids only.
    fn trac_changes(&self, since: DateTime<Utc>, found: &dyn Fn(Vec<u64>)) {
        let query = format!(
            "changetime={}..&max=0&order=changetime",
            since.format("%Y-%m-%dT%H:%M:%SZ")
        );
        let ids = self.trac("ticket.query", json!([query]));
        found(
            ids.as_array()
                .map(|list| list.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default(),
        );
    }
}

/// Which way a pipeline copies.
#[derive(Clone, Copy)]
enum Way {
    ToTrac,
    ToRedmine,
}

/// A direction's physical limit, in updates per second, and the seconds its change query took
/// alone. The items are first edited on the source as the hub phase edits its own (so every
/// read meets the same history: a changed item has the journal or log entry of its change).
/// Then, timed, the change query alone once; then, timed, the whole pipeline: a lister finds
/// the edits as a polling hub must (the source's change query from the start of the edits)
/// and hands each found item to one of `concurrency` workers as its page arrives, which do
/// the update's requests by hand; last, one pass of the target's change query over the span,
/// which a two-way synchronization polls too and where its writes come back.
fn pipeline_limit(
    t: &Trackers,
    project: &str,
    items: &[ProbeItem],
    concurrency: usize,
    way: Way,
) -> (f64, f64) {
    let since = Utc::now() - chrono::Duration::seconds(1);
    let numbered: Vec<(usize, &ProbeItem)> = items.iter().enumerate().collect();
    parallel(numbered, concurrency, |(k, item)| match way {
        Way::ToTrac => t.set_subject(&item.issue.to_string(), &format!("Pipeline {k} fwd")),
        Way::ToRedmine => t.set_summary(&item.ticket.to_string(), &format!("Pipeline {k} bwd")),
    });
    let list = |found: &dyn Fn(Vec<u64>)| match way {
        Way::ToTrac => t.redmine_changes(project, since, found),
        Way::ToRedmine => t.trac_changes(since, found),
    };
    let listing = Instant::now();
    list(&|_| {});
    let listing = listing.elapsed().as_secs_f64();
    // A two-way synchronization polls the target too, where its own writes come back as
    // changes: one pass of the target's change query over the span, after the writes.
    let list_target = |since: DateTime<Utc>| match way {
        Way::ToTrac => t.trac_changes(since, &|_| {}),
        Way::ToRedmine => t.redmine_changes(project, since, &|_| {}),
    };
    let by_source: std::collections::HashMap<u64, (usize, &ProbeItem)> = items
        .iter()
        .enumerate()
        .map(|(k, item)| match way {
            Way::ToTrac => (item.issue, (k, item)),
            Way::ToRedmine => (u64::try_from(item.ticket).unwrap(), (k, item)),
        })
        .collect();
    let span_since = Utc::now();
    let started = Instant::now();
    let done = fed(
        concurrency,
        |feed| {
            list(&|ids| {
                feed(
                    ids.iter()
                        .filter_map(|id| by_source.get(id).copied())
                        .collect(),
                )
            })
        },
        |(k, item)| match way {
            Way::ToTrac => t.pipeline_to_trac(item, k),
            Way::ToRedmine => t.pipeline_to_redmine(item, k),
        },
    );
    list_target(span_since);
    assert_eq!(
        done,
        items.len(),
        "the change query found every edited item"
    );
    (
        items.len() as f64 / started.elapsed().as_secs_f64(),
        listing,
    )
}

/// Runs `work` on what `produce` feeds, `concurrency` workers at a time, each item as soon as
/// it is fed; how many items were worked.
fn fed<T: Send>(
    concurrency: usize,
    produce: impl FnOnce(&dyn Fn(Vec<T>)),
    work: impl Fn(T) + Sync,
) -> usize {
    use std::collections::VecDeque;
    use std::sync::Condvar;
    // Items waiting, whether the producer is done, items worked.
    let state = Mutex::new((VecDeque::new(), false, 0));
    let ready = Condvar::new();
    std::thread::scope(|scope| {
        for _ in 0..concurrency.max(1) {
            scope.spawn(|| {
                loop {
                    let mut s = state.lock().unwrap();
                    while s.0.is_empty() && !s.1 {
                        s = ready.wait(s).unwrap();
                    }
                    let Some(item) = s.0.pop_front() else { break };
                    s.2 += 1;
                    drop(s);
                    work(item);
                }
            });
        }
        produce(&|items| {
            state.lock().unwrap().0.extend(items);
            ready.notify_all();
        });
        state.lock().unwrap().1 = true;
        ready.notify_all();
    });
    state.into_inner().unwrap().2
}

/// Runs `work` on every item, `concurrency` at a time.
fn parallel<T: Send>(items: Vec<T>, concurrency: usize, work: impl Fn(T) + Sync) {
    fed(concurrency, |feed| feed(items), work);
}

// ---------------------------------------------------------------------------------------------
// The hub process

struct Hub {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Hub {
    fn start(dir: &Path) -> Hub {
        let port = free_port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("hub.log"))
            .unwrap();
        let child = Command::new(BIN)
            .args(["serve", "--override-lock", "--config"])
            .arg(dir.join("hub.toml"))
            .arg("--data-dir")
            .arg(dir)
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .env_remove("SYNCLINE_CONFIG")
            // The harness's own variables are no hub settings.
            .env_remove("SYNCLINE_BENCH_TRACKERS_JSON")
            .env_remove("SYNCLINE_BENCH_TRACKERS_N")
            .env_remove("SYNCLINE_BENCH_TRACKERS_C")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let hub = Hub {
            child,
            port,
            dir: dir.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while hub.get("/api/integrations").is_none() {
            assert!(Instant::now() < deadline, "the hub did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        hub
    }

    fn stop(mut self) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(self.child.wait().unwrap().success(), "{}", self.log_tail());
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join("hub.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    fn get(&self, path: &str) -> Option<Value> {
        let (status, body) = http(&format!("127.0.0.1:{}", self.port), "GET", path, &[], "");
        (status == 200).then_some(body)
    }

    /// Starts or stops the integration through the API.
    fn set_running(&self, running: bool) {
        let list = self.get("/api/integrations").unwrap();
        let id = list[0]["id"].as_i64().unwrap();
        let verb = if running { "start" } else { "stop" };
        let path = format!("/api/integrations/{id}/{verb}");
        let (status, body) = http(&format!("127.0.0.1:{}", self.port), "POST", &path, &[], "");
        assert_eq!(status, 200, "{verb}: {body}");
    }

    /// Pairs, and activities pending, processing or failed.
    fn progress(&mut self) -> (u64, u64) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("the hub exited with {status}:\n{}", self.log_tail());
        }
        let Some(list) = self.get("/api/integrations") else {
            return (0, u64::MAX);
        };
        let i = &list[0];
        let busy = ["pending", "processing", "failed"]
            .iter()
            .map(|s| i["activities"][s].as_u64().unwrap_or(0))
            .sum();
        (i["pairs"].as_u64().unwrap_or(0), busy)
    }

    /// Waits until `pairs` pairs exist and nothing is left to do, three polls in a row.
    fn wait_quiet(&mut self, pairs: u64) {
        let deadline = Instant::now() + PHASE_LIMIT;
        let mut quiet = 0;
        while quiet < 3 {
            let state = self.progress();
            quiet = if state == (pairs, 0) { quiet + 1 } else { 0 };
            assert!(
                Instant::now() < deadline,
                "the hub did not settle (pairs, busy = {state:?})\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Redmine issue id → Trac ticket id of every pair.
    fn pairs(&self) -> Vec<(String, String)> {
        let list = self.get("/api/integrations").unwrap();
        let integration = list[0]["id"].as_i64().unwrap();
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let path = format!("/api/integrations/{integration}/pairs?after={after}&limit=1000");
            let Some(Value::Array(pairs)) = self.get(&path) else {
                panic!("no pair list")
            };
            if pairs.is_empty() {
                return out;
            }
            for pair in &pairs {
                after = after.max(pair["id"].as_u64().unwrap_or(after));
                let left = pair["left"]["artifact"]["id"].as_str();
                let right = pair["right"]["artifact"]["id"].as_str();
                if let (Some(left), Some(right)) = (left, right) {
                    out.push((left.to_owned(), right.to_owned()));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring

/// CPU seconds (user + system) a process has used so far, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / clock_ticks())
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// CPU seconds of the hub and both trackers over a phase, and the requests Redmine served.
struct Cpu {
    pids: [Option<u32>; 3],
    start: [Option<f64>; 3],
    wall: Instant,
    redmine_log: Option<(PathBuf, u64)>,
}

impl Cpu {
    fn start(hub: &Hub, e: &Endpoints) -> Cpu {
        let pids = [Some(hub.child.id()), e.redmine_pid, e.trac_pid];
        let redmine_log = e.redmine_log.as_ref().and_then(|path| {
            let size = std::fs::metadata(path).ok()?.len();
            Some((path.clone(), size))
        });
        Cpu {
            pids,
            start: pids.map(cpu_seconds),
            wall: Instant::now(),
            redmine_log,
        }
    }

    fn end(&self) -> Value {
        let used = |i: usize| {
            let (Some(a), Some(b)) = (self.start[i], cpu_seconds(self.pids[i])) else {
                return Value::Null;
            };
            json!(b - a)
        };
        json!({
            "wall_seconds": self.wall.elapsed().as_secs_f64(),
            "hub": used(0),
            "redmine": used(1),
            "trac": used(2),
            "redmine_requests": self.redmine_requests(),
        })
    }

    /// Requests Redmine logged since the phase began: how many of each method and the server
    /// time they took together (Rails' "Completed … in N ms"). Redmine here runs one server
    /// thread, so that time over the phase's wall time is how busy it was.
    fn redmine_requests(&self) -> Value {
        let Some((path, offset)) = &self.redmine_log else {
            return Value::Null;
        };
        let Ok(mut file) = std::fs::File::open(path) else {
            return Value::Null;
        };
        let mut text = String::new();
        if file.seek(std::io::SeekFrom::Start(*offset)).is_err()
            || file.read_to_string(&mut text).is_err()
        {
            return Value::Null;
        }
        let mut methods = std::collections::BTreeMap::<String, u64>::new();
        let mut server_ms = 0.0;
        let mut count_queries = 0;
        for line in text.lines() {
            if let Some(rest) = line.split("] Started ").nth(1) {
                let method = rest.split_whitespace().next().unwrap_or("?");
                *methods.entry(method.to_owned()).or_default() += 1;
                // The harness's own `redmine_count` (the hub never filters by subject).
                if rest.contains("v%5Bsubject%5D") {
                    count_queries += 1;
                }
            } else if let Some(rest) = line.split("] Completed ").nth(1) {
                let ms = rest
                    .split(" in ")
                    .nth(1)
                    .and_then(|t| t.split("ms").next())
                    .and_then(|t| t.trim().parse::<f64>().ok());
                server_ms += ms.unwrap_or(0.0);
            }
        }
        json!({
            "total": methods.values().sum::<u64>(),
            "by_method": methods,
            "harness_count_queries": count_queries,
            "server_seconds": server_ms / 1000.0,
        })
    }
}

/// One direction's hub rate: with the integration stopped, edit every item on the source;
/// then start it and time until the hub is idle again and the target holds every edit. The
/// hub is asked every 100 ms; the target only once the hub is idle, so the harness's own
/// queries hardly load the trackers it measures.
fn hub_rate(
    hub: &mut Hub,
    t: &Trackers,
    pairs: &[(String, String)],
    concurrency: usize,
    to_trac: bool,
) -> Value {
    let token = if to_trac { "fwd1x" } else { "bwd1x" };
    let n = pairs.len();
    hub.set_running(false);
    let editing = Instant::now();
    let items: Vec<(usize, &(String, String))> = pairs.iter().enumerate().collect();
    parallel(items, concurrency, |(k, (redmine, trac))| {
        let text = format!("Bench item {k} {token}");
        if to_trac {
            t.set_subject(redmine, &text);
        } else {
            t.set_summary(trac, &text);
        }
    });
    let edits = editing.elapsed().as_secs_f64();
    let cpu = Cpu::start(hub, &t.e);
    let started = Instant::now();
    hub.set_running(true);
    let (mut seen, mut was_busy, mut target_queries) = (0, false, 0);
    let arrived = loop {
        let (_, busy) = hub.progress();
        was_busy |= busy > 0;
        if was_busy && busy == 0 {
            let at = started.elapsed().as_secs_f64();
            target_queries += 1;
            seen = if to_trac {
                t.trac_count(token)
            } else {
                t.redmine_count(token)
            };
            if seen >= n {
                break at;
            }
        }
        if started.elapsed() > PHASE_LIMIT {
            break started.elapsed().as_secs_f64();
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let (seconds, cpu) = if seen >= n {
        echo_end(hub, started, arrived, &cpu)
    } else {
        (arrived, cpu.end())
    };
    hub.wait_quiet(n as u64);
    json!({
        "updates": n,
        "arrived": seen,
        "seconds": seconds,
        "arrived_seconds": arrived,
        "edit_seconds": edits,
        "per_second": if seen >= n { json!(n as f64 / seconds) } else { Value::Null },
        "source_edits_per_second": n as f64 / edits,
        "target_queries": target_queries,
        "cpu": cpu,
    })
}

/// When the hub was last idle after the target held every edit, and the phase's CPU and
/// requests up to then: its own writes come back as changes with the target's next poll, and
/// reading them is part of its work (the limit's pipeline reads every written Redmine issue
/// again), so the phase ends only once the hub has stayed idle for [`ECHO_WATCH`]. `arrived`
/// is when the target held every edit; seconds since `started`.
fn echo_end(hub: &mut Hub, started: Instant, arrived: f64, cpu: &Cpu) -> (f64, Value) {
    let (mut end, mut used) = (arrived, cpu.end());
    let mut idle_since = Instant::now();
    while idle_since.elapsed() < ECHO_WATCH {
        std::thread::sleep(Duration::from_millis(100));
        if hub.progress().1 == 0 {
            continue;
        }
        while hub.progress().1 > 0 {
            assert!(started.elapsed() < PHASE_LIMIT, "the hub did not settle");
            std::thread::sleep(Duration::from_millis(100));
        }
        (end, used) = (started.elapsed().as_secs_f64(), cpu.end());
        idle_since = Instant::now();
    }
    (end, used)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Nearest rank.
    let rank = (p * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

/// Single edits alternating sides on an idle hub: seconds until the other side shows each.
fn latency(hub: &mut Hub, t: &Trackers, pairs: &[(String, String)]) -> Value {
    let mut samples = Vec::new();
    for i in 0..LATENCY_EDITS {
        let (redmine, trac) = &pairs[i % pairs.len()];
        let from_redmine = i % 2 == 0;
        let text = format!("Bench item latency lat{i}x");
        let started = Instant::now();
        if from_redmine {
            t.set_subject(redmine, &text);
        } else {
            t.set_summary(trac, &text);
        }
        let edit = started.elapsed().as_secs_f64();
        let seconds = loop {
            let now = if from_redmine {
                t.summary(trac)
            } else {
                t.subject(redmine)
            };
            if now == text {
                break Some(started.elapsed().as_secs_f64());
            }
            if started.elapsed() > Duration::from_secs(60) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        eprintln!(
            "latency {i}: {} → {seconds:?} s (edit {edit:.3} s)",
            if from_redmine { "R→T" } else { "T→R" }
        );
        samples.push(json!({
            "from": if from_redmine { "redmine" } else { "trac" },
            "seconds": seconds,
            "edit_seconds": edit,
        }));
        hub.wait_quiet(pairs.len() as u64);
    }
    let summary = |filter: Option<&str>| {
        let mut values: Vec<f64> = samples
            .iter()
            .filter(|s| filter.is_none_or(|f| s["from"] == f))
            .filter_map(|s| s["seconds"].as_f64())
            .collect();
        values.sort_by(f64::total_cmp);
        json!({
            "count": values.len(),
            "p50": percentile(&values, 0.5),
            "p95": percentile(&values, 0.95),
            "max": values.last(),
        })
    };
    json!({
        "edits": LATENCY_EDITS,
        "all": summary(None),
        "from_redmine": summary(Some("redmine")),
        "from_trac": summary(Some("trac")),
        "samples": samples,
    })
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
#[ignore = "a benchmark against live trackers; run by `cargo xtask bench trackers`"]
fn redmine_trac_rates_and_latency() {
    let n = env_usize("SYNCLINE_BENCH_TRACKERS_N", 300);
    let concurrency = env_usize("SYNCLINE_BENCH_TRACKERS_C", 4);
    let load_at_start = load_average();
    let run_started = Instant::now();
    let e = endpoints();
    let suffix = format!(
        "{}{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            % 1_000_000
    );
    let mut t = Trackers {
        e,
        project: format!("bench-{suffix}"),
        ticket_type: format!("bench{suffix}"),
        bug: 0,
    };
    let trackers = t.redmine("GET", "/trackers.json", &Value::Null).1;
    t.bug = trackers["trackers"]
        .as_array()
        .and_then(|l| l.iter().find(|i| i["name"] == "Bug"))
        .and_then(|i| i["id"].as_u64())
        .expect("Redmine has a Bug tracker");
    t.create_project(&t.project);
    let probe_project = format!("{}-probe", t.project);
    t.create_project(&probe_project);
    t.trac("ticket.type.create", json!([t.ticket_type, "100"]));

    // The hub, configured from the template.
    let dir = tempfile::tempdir().unwrap();
    let config = [
        ("{redmine_url}", t.e.redmine_url.as_str()),
        ("{redmine_key}", &t.e.redmine_key),
        ("{redmine_project}", &t.project),
        ("{trac_url}", &t.e.trac_url),
        ("{trac_user}", &t.e.trac_user),
        ("{trac_password}", &t.e.trac_password),
        ("{trac_type}", &t.ticket_type),
        ("{max_concurrency}", &concurrency.to_string()),
    ]
    .iter()
    .fold(TEMPLATE.to_owned(), |text, (from, to)| {
        text.replace(from, to)
    });
    assert!(config.contains("interval_seconds = 1"), "poll interval");
    std::fs::write(dir.path().join("redmine-trac.toml"), config).unwrap();
    std::fs::write(
        dir.path().join("hub.toml"),
        "lock_lease_seconds = 2\nretry_base_seconds = 1\nretry_cap_seconds = 5\nlog_level = \"warn\"\n",
    )
    .unwrap();
    let applied = Command::new(BIN)
        .arg("apply")
        .arg(dir.path().join("redmine-trac.toml"))
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
    let mut hub = Hub::start(dir.path());

    // 1. N work items on Redmine and their twins.
    eprintln!("creating {n} work items");
    let created = Instant::now();
    let cpu = Cpu::start(&hub, &t.e);
    parallel((0..n).collect(), concurrency, |k| {
        t.create_issue(&format!("Bench item {k}"));
    });
    let create_edit_seconds = created.elapsed().as_secs_f64();
    hub.wait_quiet(n as u64);
    let creation = json!({
        "items": n,
        "edit_seconds": create_edit_seconds,
        "seconds_until_quiet": created.elapsed().as_secs_f64(),
        "cpu": cpu.end(),
    });
    let pairs = hub.pairs();
    assert_eq!(pairs.len(), n, "one pair per work item");

    // 2. Raw rates with the hub stopped.
    hub.stop();
    eprintln!("raw rates");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let trac_settings = TracSettings::new(&t.e.trac_url, &t.e.trac_user, &t.e.trac_password);
    let trac_raw = runtime
        .block_on(hub_connector::trac::probe::measure(
            &trac_settings,
            concurrency,
            n,
        ))
        .expect("Trac rate probe");
    let redmine_settings = RedmineSettings::new(&t.e.redmine_url, &t.e.redmine_key);
    let redmine_raw = runtime
        .block_on(hub_connector::redmine::probe(
            &redmine_settings,
            &probe_project,
            t.bug,
            concurrency,
            Duration::from_secs(5),
        ))
        .expect("Redmine rate probe");
    let probe_items = t.probe_items(&probe_project, n, concurrency);
    let (pipeline_to_trac, listing_redmine) =
        pipeline_limit(&t, &probe_project, &probe_items, concurrency, Way::ToTrac);
    let (pipeline_to_redmine, listing_trac) = pipeline_limit(
        &t,
        &probe_project,
        &probe_items,
        concurrency,
        Way::ToRedmine,
    );
    let raw = json!({
        "pipeline": {"items": probe_items.len(), "redmine_to_trac": pipeline_to_trac,
            "trac_to_redmine": pipeline_to_redmine,
            "change_query_seconds": {"redmine": listing_redmine, "trac": listing_trac}},
        "trac": {"requests": trac_raw.requests, "creates_per_second": trac_raw.creates_per_second,
            "reads_per_second": trac_raw.reads_per_second,
            "updates_per_second": trac_raw.updates_per_second},
        "redmine": {"seconds_per_kind": 5, "get_per_second": redmine_raw.get_per_second,
            "put_per_second": redmine_raw.put_per_second,
            "post_per_second": redmine_raw.post_per_second},
    });
    eprintln!("{raw}");

    // 3.–4. The hub's rates, each direction.
    let mut hub = Hub::start(dir.path());
    hub.wait_quiet(n as u64);
    eprintln!("hub Redmine→Trac");
    let to_trac = hub_rate(&mut hub, &t, &pairs, concurrency, true);
    eprintln!("{to_trac}\nhub Trac→Redmine");
    let to_redmine = hub_rate(&mut hub, &t, &pairs, concurrency, false);
    eprintln!("{to_redmine}\nlatency");

    // 5. Latency.
    let latency = latency(&mut hub, &t, &pairs);
    hub.stop();

    let figures = json!({
        "items": n,
        "concurrency": concurrency,
        "poll_interval_seconds": 1,
        "hub_concurrency": concurrency,
        "creation": creation,
        "raw": raw,
        "hub": {"redmine_to_trac": to_trac, "trac_to_redmine": to_redmine},
        "latency": latency,
        "load_at_start": load_at_start,
        "load_at_end": load_average(),
        "seconds": run_started.elapsed().as_secs_f64(),
        "pids_sampled": {"redmine": t.e.redmine_pid.is_some(), "trac": t.e.trac_pid.is_some()},
    });
    let text = serde_json::to_string_pretty(&figures).unwrap();
    match std::env::var_os("SYNCLINE_BENCH_TRACKERS_JSON") {
        Some(path) => std::fs::write(path, text).unwrap(),
        None => println!("{text}"),
    }
}
