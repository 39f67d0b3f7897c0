//! Redmine↔Trac proven live: the real `hub-server` process between a real Redmine and a real
//! Trac, configured by `fixtures/trackers/redmine-trac.toml`, while simulated users create and
//! edit 200 work items on both sides — fields, rich text, priorities, assignees, state changes,
//! comments, attachments, and edits of different fields of one pair on both sides at once. Once
//! the hub has caught up, every work item must have exactly one twin that agrees with it
//! through the mapping, and no artifact, comment or attachment may exist twice.
//!
//! The crash variant runs the same workload while the hub is killed with SIGKILL ten times at
//! seeded moments and its Trac is stopped and restarted once (same port, same environment),
//! and must end the same way: nothing lost, nothing duplicated.
//!
//! The trackers come from `SYNCLINE_TEST_{REDMINE,TRAC}_{A,B}_*` (`cargo xtask test` sets them)
//! or from the records `cargo xtask services up` leaves; without them the tests fail and say
//! how to start them — a live test that passes without its trackers would prove nothing. The
//! plain test uses `redmine-a`/`trac-a`; the crash test restarts its Trac, so it uses
//! `redmine-b`/`trac-b`, which no other test touches. Each run works in a Redmine project and a
//! Trac ticket type of its own, so earlier runs and other live tests stay out of its scope.
//!
//! Relationships are not exercised: Trac has none.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;

use hub_connector::redmine::{RedmineConnector, RedmineSettings};
use hub_connector::trac::{TracConnector, TracSettings};
use hub_connector::types::{Artifact, ArtifactScope, NewArtifact, NewAttachment, NewComment};
use hub_connector::{Connector, ConnectorError, ErrorClass};
use hub_domain::model::{FieldValue, PersonRef};
use serde_json::{Value, json};
use support::{base64, free_port, get_json, http, record_path, recorded};
use tokio::sync::{RwLock, Semaphore};

const BIN: &str = env!("CARGO_BIN_EXE_hub-server");
const TEMPLATE: &str = include_str!("../../../fixtures/trackers/redmine-trac.toml");
/// Work items created on each side (200 in all, 400 artifacts with their twins).
const PER_SIDE: usize = 100;
/// Simulated users at work at once. Each spends most of its time waiting for the hub, so
/// this is above the trackers' useful concurrency (~4) without loading them much more.
const USERS: usize = 12;
/// Activities the hub runs at once per integration.
const HUB_CONCURRENCY: usize = 4;
/// How long a user waits for the twin of a new work item.
const TWIN_WAIT: Duration = Duration::from_secs(600);
/// How long the hub may take to settle once the users are done.
const SETTLE: Duration = Duration::from_secs(900);
/// Model values the users pick from, with Redmine's and Trac's names for them.
const PRIORITIES: [(&str, &str, &str); 4] = [
    ("low", "Low", "minor"),
    ("normal", "Normal", "major"),
    ("high", "High", "critical"),
    ("urgent", "Urgent", "blocker"),
];
const PEOPLE: [&str; 2] = ["alice", "bob"];

// ---------------------------------------------------------------------------------------------
// The live trackers

/// Where the trackers of one test are.
#[derive(Debug, Clone)]
struct Endpoints {
    redmine_url: String,
    redmine_key: String,
    trac_url: String,
    trac_user: String,
    trac_password: String,
}

/// The trackers `letter` (`a` or `b`) from the environment, else from xtask's records.
fn endpoints(letter: &str) -> Endpoints {
    let up = letter.to_uppercase();
    let var = |name: &str| std::env::var(format!("SYNCLINE_TEST_{name}")).ok();
    let redmine = match (
        var(&format!("REDMINE_{up}_URL")),
        var(&format!("REDMINE_{up}_KEY")),
    ) {
        (Some(url), Some(key)) => Some((url, key)),
        _ => recorded(&format!("redmine-{letter}")).and_then(|r| {
            let key = std::fs::read_to_string(Path::new(r["dir"].as_str()?).join("api_key"));
            Some((
                r["admin_url"].as_str()?.to_owned(),
                key.ok()?.trim().to_owned(),
            ))
        }),
    };
    let trac = match var(&format!("TRAC_{up}_URL")) {
        Some(url) => Some((
            url,
            var(&format!("TRAC_{up}_USER")).unwrap_or_else(|| "admin".into()),
            var(&format!("TRAC_{up}_PASSWORD")).unwrap_or_default(),
        )),
        // The administrator xtask's Trac instances are set up with.
        None => recorded(&format!("trac-{letter}")).and_then(|r| {
            let url = r["admin_url"].as_str()?.to_owned();
            Some((url, "admin".to_owned(), "syncline-admin".to_owned()))
        }),
    };
    let (Some((redmine_url, redmine_key)), Some((trac_url, trac_user, trac_password))) =
        (redmine, trac)
    else {
        panic!(
            "no live Redmine and Trac: SYNCLINE_TEST_REDMINE_{up}_URL/_KEY and \
             SYNCLINE_TEST_TRAC_{up}_URL/_USER/_PASSWORD are not set and no running \
             redmine-{letter}/trac-{letter} is recorded; run `cargo xtask services up \
             redmine-{letter} trac-{letter}` (or the full `cargo xtask test`)"
        )
    };
    Endpoints {
        redmine_url,
        redmine_key,
        trac_url,
        trac_user,
        trac_password,
    }
}

/// A Redmine project of this run, with the Bug tracker and the people the users assign.
fn create_redmine_project(e: &Endpoints, identifier: &str) {
    let key = [format!("X-Redmine-API-Key: {}", e.redmine_key)];
    let get = |path: &str| http(&e.redmine_url, "GET", path, &key, "").1;
    let id_of = |list: &Value, field: &str, name: &str| {
        list.as_array()
            .and_then(|items| items.iter().find(|i| i[field] == name))
            .and_then(|i| i["id"].as_u64())
            .unwrap_or_else(|| panic!("Redmine has no {name}: {list}"))
    };
    let bug = id_of(&get("/trackers.json")["trackers"], "name", "Bug");
    let roles = get("/roles.json")["roles"].clone();
    let users = get("/users.json?limit=100")["users"].clone();
    let project = json!({"project": {"name": format!("Syncline {identifier}"),
        "identifier": identifier, "is_public": true, "tracker_ids": [bug]}});
    let (status, answer) = http(
        &e.redmine_url,
        "POST",
        "/projects.json",
        &key,
        &project.to_string(),
    );
    assert_eq!(status, 201, "creating the Redmine project: {answer}");
    // The hub's account is assignable too: Trac's `accept` makes it a ticket's owner.
    for (login, role) in [
        ("admin", "Manager"),
        ("alice", "Developer"),
        ("bob", "Developer"),
    ] {
        let membership = json!({"membership": {"user_id": id_of(&users, "login", login),
            "role_ids": [id_of(&roles, "name", role)]}});
        let path = format!("/projects/{identifier}/memberships.json");
        let (status, answer) = http(&e.redmine_url, "POST", &path, &key, &membership.to_string());
        assert_eq!(status, 201, "adding {login} to the project: {answer}");
    }
}

/// A Trac ticket type of this run (every type shares the fields and the workflow).
fn create_trac_type(e: &Endpoints, name: &str) {
    let auth = format!(
        "Authorization: Basic {}",
        base64(format!("{}:{}", e.trac_user, e.trac_password).as_bytes())
    );
    let call = json!({"method": "ticket.type.create", "params": [name, "100"], "id": 1});
    let (status, answer) = http(
        &e.trac_url,
        "POST",
        "/login/jsonrpc",
        &[auth],
        &call.to_string(),
    );
    assert!(
        status == 200 && answer["error"].is_null(),
        "creating the Trac ticket type: {status} {answer}"
    );
}

// ---------------------------------------------------------------------------------------------
// The hub process

/// The configuration file of this run and the hub's own settings file.
fn write_config(dir: &Path, e: &Endpoints, project: &str, ticket_type: &str) -> (PathBuf, PathBuf) {
    let text = [
        ("{redmine_url}", e.redmine_url.as_str()),
        ("{redmine_key}", &e.redmine_key),
        ("{redmine_project}", project),
        ("{trac_url}", &e.trac_url),
        ("{trac_user}", &e.trac_user),
        ("{trac_password}", &e.trac_password),
        ("{trac_type}", ticket_type),
        ("{max_concurrency}", &HUB_CONCURRENCY.to_string()),
    ]
    .iter()
    .fold(TEMPLATE.to_owned(), |text, (from, to)| {
        text.replace(from, to)
    });
    let config = dir.join("redmine-trac.toml");
    std::fs::write(&config, text).unwrap();
    let hub = dir.join("hub.toml");
    std::fs::write(
        &hub,
        "lock_lease_seconds = 2\nretry_base_seconds = 1\nretry_cap_seconds = 5\nlog_level = \"warn\"\n",
    )
    .unwrap();
    (config, hub)
}

fn apply(dir: &Path, config: &Path) {
    let applied = Command::new(BIN)
        .arg("apply")
        .arg(config)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("SYNCLINE_CONFIG")
        .output()
        .unwrap();
    assert!(
        applied.status.success(),
        "{}{}",
        String::from_utf8_lossy(&applied.stdout),
        String::from_utf8_lossy(&applied.stderr)
    );
}

/// A running hub on the test's data directory.
struct Hub {
    child: Child,
    port: u16,
    dir: PathBuf,
    settings: PathBuf,
    /// Where the current hub's port is published for [`Twins`].
    port_cell: Arc<AtomicU16>,
}

impl Hub {
    fn start(dir: &Path, settings: &Path, port_cell: &Arc<AtomicU16>) -> Hub {
        let port = free_port();
        port_cell.store(port, Ordering::Relaxed);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("hub.log"))
            .unwrap();
        let child = Command::new(BIN)
            .args(["serve", "--override-lock", "--config"])
            .arg(settings)
            .arg("--data-dir")
            .arg(dir)
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .env_remove("SYNCLINE_CONFIG")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        Hub {
            child,
            port,
            dir: dir.to_owned(),
            settings: settings.to_owned(),
            port_cell: port_cell.clone(),
        }
    }

    /// SIGKILL, then a new hub on the same store.
    fn kill_and_restart(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!(
                "the hub exited by itself with {status}:\n{}",
                self.log_tail()
            );
        }
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        *self = Hub::start(&self.dir, &self.settings, &self.port_cell);
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
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .ok()?;
        write!(stream, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
        let mut raw = String::new();
        stream.read_to_string(&mut raw).ok()?;
        serde_json::from_str(raw.split_once("\r\n\r\n")?.1).ok()
    }

    /// Pairs and activities not yet done (pending, processing, failed), when the API answers.
    fn progress(&mut self) -> Option<(u64, u64)> {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("the hub exited with {status}:\n{}", self.log_tail());
        }
        let list = self.get("/api/integrations")?;
        let i = &list[0];
        let busy = ["pending", "processing", "failed"]
            .iter()
            .map(|s| i["activities"][s].as_u64().unwrap_or(0))
            .sum();
        Some((i["pairs"].as_u64()?, busy))
    }

    /// Waits until every work item is paired and nothing is left to do, three polls in a row.
    fn wait_quiet(&mut self, pairs: u64, within: Duration) {
        let deadline = Instant::now() + within;
        let mut quiet = 0;
        while quiet < 3 {
            let state = self.progress();
            quiet = if state == Some((pairs, 0)) {
                quiet + 1
            } else {
                0
            };
            if Instant::now() > deadline {
                let failed = self.get("/api/activities?state=failed&limit=10");
                panic!(
                    "no convergence within {within:?} (pairs, busy = {state:?}); failed: \
                     {failed:?}\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }
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
        let integration = store.integrations().await.unwrap()[0].id.unwrap().0;
        let repository = |name: &'static str| {
            let store = &store;
            async move {
                let found = store.repository_by_name(name).await.unwrap();
                found.and_then(|r| r.id).expect("repository applied").0
            }
        };
        let ids = (
            integration,
            repository("Redmine").await,
            repository("Trac").await,
        );
        store.close().await.unwrap();
        ids
    })
}

// ---------------------------------------------------------------------------------------------
// The two sides as the users see them

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Redmine,
    Trac,
}

/// One tracker as the users and the checks see it.
struct Side {
    kind: Kind,
    connector: Arc<dyn Connector>,
    scope: ArtifactScope,
    /// The hub's repository id, part of the source identities of twins made from this side.
    repository: i64,
    /// Users act while holding it shared; a tracker outage holds it exclusively.
    open: RwLock<()>,
}

impl Side {
    fn redmine(e: &Endpoints, project: &str, repository: i64) -> Side {
        let settings = RedmineSettings::new(&e.redmine_url, &e.redmine_key);
        Side {
            kind: Kind::Redmine,
            connector: Arc::new(RedmineConnector::new(settings).unwrap()),
            scope: ArtifactScope {
                projects: vec![project.to_owned()],
                artifact_types: vec!["Bug".into()],
            },
            repository,
            open: RwLock::new(()),
        }
    }

    fn trac(e: &Endpoints, ticket_type: &str, repository: i64) -> Side {
        let settings = TracSettings::new(&e.trac_url, &e.trac_user, &e.trac_password);
        Side {
            kind: Kind::Trac,
            connector: Arc::new(TracConnector::new(settings).unwrap()),
            scope: ArtifactScope {
                projects: vec!["trac".into()],
                artifact_types: vec![ticket_type.to_owned()],
            },
            repository,
            open: RwLock::new(()),
        }
    }

    fn name(&self) -> &'static str {
        match self.kind {
            Kind::Redmine => "R",
            Kind::Trac => "T",
        }
    }

    /// The tracker's field for a model field.
    fn field(&self, model: &str) -> &'static str {
        match (self.kind, model) {
            (Kind::Redmine, "summary") => "subject",
            (Kind::Redmine, "state") => "status",
            (Kind::Redmine, "assignee") => "assigned_to",
            (Kind::Trac, "assignee") => "owner",
            (Kind::Trac, "state") => "status",
            (Kind::Trac, "summary") => "summary",
            (_, "description") => "description",
            (_, "priority") => "priority",
            (_, other) => panic!("no field for {other}"),
        }
    }

    fn priority(&self, model: &str) -> FieldValue {
        let (_, redmine, trac) = PRIORITIES.iter().find(|p| p.0 == model).unwrap();
        FieldValue::Option(match self.kind {
            Kind::Redmine => (*redmine).into(),
            Kind::Trac => (*trac).into(),
        })
    }

    /// Runs a user's action, retrying while the tracker is busy or briefly unreachable.
    async fn act<T, F, Fut>(&self, what: &str, action: F) -> T
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, ConnectorError>>,
    {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let attempt = {
                let _open = self.open.read().await;
                action().await
            };
            match attempt {
                Ok(value) => return value,
                Err(e) if transient(&e) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => panic!("{}: {what}: {e}", self.name()),
            }
        }
    }

    async fn create(&self, fields: BTreeMap<String, FieldValue>) -> Artifact {
        let new = NewArtifact {
            project: self.scope.projects[0].clone(),
            artifact_type: self.scope.artifact_types[0].clone(),
            fields,
            source: None,
        };
        self.act("create", || self.connector.create(&new)).await
    }

    async fn update(&self, id: &str, model: &str, value: FieldValue) {
        let fields = BTreeMap::from([(self.field(model).to_owned(), value)]);
        self.act("update", || self.connector.update(id, None, &fields))
            .await;
    }

    async fn comment(&self, id: &str, body: &str) {
        let comment = NewComment {
            body: body.to_owned(),
            author: None,
            private: false,
            source: None,
        };
        self.act("comment", || self.connector.add_comment(id, &comment))
            .await;
    }

    async fn attach(&self, id: &str, file_name: &str) {
        let attachment = NewAttachment {
            file_name: file_name.to_owned(),
            content_type: "text/plain".into(),
            content: format!("contents of {file_name}\n").into_bytes(),
            source: None,
        };
        self.act("upload", || self.connector.upload(id, &attachment))
            .await;
    }

    /// Moves a work item to a model state the way a user of this tracker would.
    async fn move_to(&self, id: &str, state: &str) {
        match self.kind {
            Kind::Redmine => {
                let status = if state == "closed" {
                    "Closed"
                } else {
                    "In Progress"
                };
                self.update(id, "state", FieldValue::Option(status.into()))
                    .await;
            }
            Kind::Trac => {
                let action = if state == "closed" {
                    "resolve"
                } else {
                    "accept"
                };
                self.act(action, || {
                    self.connector.perform_transition(id, None, action)
                })
                .await;
            }
        }
    }
}

/// Twins as the hub's API lists its pairs, so that users waiting for one put no load on the
/// trackers. A thread follows the pair list of whichever hub is running.
struct Twins {
    known: Mutex<BTreeMap<(Kind, String), String>>,
    changed: tokio::sync::Notify,
    port: Arc<AtomicU16>,
    done: AtomicBool,
}

impl Twins {
    fn follow(integration: i64, port: Arc<AtomicU16>) -> Arc<Twins> {
        let twins = Arc::new(Twins {
            known: Mutex::new(BTreeMap::new()),
            changed: tokio::sync::Notify::new(),
            port,
            done: AtomicBool::new(false),
        });
        let follower = twins.clone();
        std::thread::spawn(move || follower.poll(integration));
        twins
    }

    fn poll(&self, integration: i64) {
        let mut after = 0;
        while !self.done.load(Ordering::Relaxed) {
            let path = format!("/api/integrations/{integration}/pairs?after={after}&limit=1000");
            let base = format!("http://127.0.0.1:{}", self.port.load(Ordering::Relaxed));
            if let Some(Value::Array(pairs)) = get_json(&base, &path) {
                let mut known = self.known.lock().unwrap();
                for pair in &pairs {
                    let (left, right) = (
                        &pair["left"]["artifact"]["id"],
                        &pair["right"]["artifact"]["id"],
                    );
                    let (Some(left), Some(right)) = (left.as_str(), right.as_str()) else {
                        continue;
                    };
                    known.insert((Kind::Redmine, left.to_owned()), right.to_owned());
                    known.insert((Kind::Trac, right.to_owned()), left.to_owned());
                    after = after.max(pair["id"].as_u64().unwrap_or(after));
                }
                drop(known);
                if !pairs.is_empty() {
                    self.changed.notify_waiters();
                }
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// The id of the twin of `id` on `kind`'s side, once the hub has paired it.
    async fn of(&self, kind: Kind, id: &str) -> String {
        let deadline = Instant::now() + TWIN_WAIT;
        loop {
            let changed = self.changed.notified();
            if let Some(twin) = self.known.lock().unwrap().get(&(kind, id.to_owned())) {
                return twin.clone();
            }
            assert!(
                Instant::now() < deadline,
                "{kind:?} #{id} got no twin within {TWIN_WAIT:?}"
            );
            let _ = tokio::time::timeout(Duration::from_secs(1), changed).await;
        }
    }
}

impl Drop for Twins {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

fn transient(e: &ConnectorError) -> bool {
    matches!(
        e.class,
        ErrorClass::Network | ErrorClass::RateLimited | ErrorClass::Locked
    )
}

fn person(username: &str) -> FieldValue {
    FieldValue::Person(PersonRef {
        id: String::new(),
        username: Some(username.to_owned()),
        email: Some(format!("{username}@example.com")),
        display_name: None,
    })
}

// ---------------------------------------------------------------------------------------------
// The workload

/// What a work item must look like on both sides in the end, in model values. `None` where
/// the outcome depends on the hub's order of writes and only agreement is checked: Trac's
/// `accept` makes the accepting account the owner.
#[derive(Debug, Clone)]
struct Expected {
    summary: String,
    priority: String,
    state: String,
    assignee: Option<Option<String>>,
    comments: Vec<String>,
    attachments: Vec<String>,
}

/// One user's story of work item `n` created on `origin`; `other` is the opposite tracker.
async fn story(n: usize, origin: &Side, other: &Side, twins: &Twins) -> (String, Expected) {
    let label = format!("{}-{n}", origin.name());
    let priority = PRIORITIES[n % 4].0;
    let assignee = (!n.is_multiple_of(3)).then(|| PEOPLE[n % 2]);
    let mut fields = BTreeMap::from([
        ("summary", FieldValue::Text(format!("Work item {label}"))),
        (
            "description",
            FieldValue::Text(format!("Steps for {label}:\n\n* open it\n* check it")),
        ),
        ("priority", origin.priority(priority)),
    ]);
    if let Some(who) = assignee {
        fields.insert("assignee", person(who));
    }
    let fields = fields
        .into_iter()
        .map(|(model, value)| (origin.field(model).to_owned(), value))
        .collect();
    let created = origin.create(fields).await;
    let mut expected = Expected {
        summary: format!("Work item {label} (edited)"),
        priority: PRIORITIES[(n + 1) % 4].0.to_owned(),
        state: "new".to_owned(),
        assignee: Some(assignee.map(str::to_owned)),
        comments: vec![
            format!("First note on {label}."),
            format!("Answer on {label}."),
        ],
        attachments: vec![format!("{label}-origin.txt")],
    };
    origin.comment(&created.id, &expected.comments[0]).await;
    origin.attach(&created.id, &expected.attachments[0]).await;

    let twin = twins.of(origin.kind, &created.id).await;
    // Two users edit different fields of the pair at the same moment.
    tokio::join!(
        origin.update(
            &created.id,
            "summary",
            FieldValue::Text(expected.summary.clone())
        ),
        other.update(&twin, "priority", other.priority(&expected.priority)),
    );
    other.comment(&twin, &expected.comments[1]).await;
    if n.is_multiple_of(2) {
        let name = format!("{label}-twin.txt");
        other.attach(&twin, &name).await;
        expected.attachments.push(name);
    }
    if n.is_multiple_of(5) {
        let who = PEOPLE[(n + 1) % 2];
        other.update(&twin, "assignee", person(who)).await;
        expected.assignee = Some(Some(who.to_owned()));
    }
    match n % 3 {
        1 => {
            other.move_to(&twin, "in_progress").await;
            expected.state = "in_progress".into();
            expected.assignee = None;
        }
        2 => {
            origin.move_to(&created.id, "closed").await;
            expected.state = "closed".into();
        }
        _ => {}
    }
    (created.id, expected)
}

/// Every story of both sides, `USERS` at a time; the expectations by side and artifact id.
async fn workload(
    redmine: &Arc<Side>,
    trac: &Arc<Side>,
    twins: &Arc<Twins>,
) -> BTreeMap<(Kind, String), Expected> {
    let users = Arc::new(Semaphore::new(USERS));
    let mut stories = tokio::task::JoinSet::new();
    for n in 0..PER_SIDE {
        for (origin, other) in [(redmine, trac), (trac, redmine)] {
            let (origin, other, users) = (origin.clone(), other.clone(), users.clone());
            let twins = twins.clone();
            stories.spawn(async move {
                let _user = users.acquire().await.unwrap();
                let (id, expected) = story(n, &origin, &other, &twins).await;
                ((origin.kind, id), expected)
            });
        }
    }
    let mut expected = BTreeMap::new();
    while let Some(done) = stories.join_next().await {
        let (key, value) = done.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        expected.insert(key, value);
    }
    expected
}

// ---------------------------------------------------------------------------------------------
// The checks

/// A work item with its comments and attachments, in model values.
#[derive(Debug)]
struct Seen {
    artifact: Artifact,
    summary: String,
    description: String,
    priority: String,
    state: String,
    assignee: Option<String>,
    comments: Vec<String>,
    attachments: Vec<String>,
}

fn text(value: Option<&FieldValue>) -> String {
    match value {
        Some(FieldValue::Text(s) | FieldValue::Option(s)) => s.clone(),
        _ => String::new(),
    }
}

/// Redmine's and Trac's values as the mapping reads them into the model.
fn to_model(kind: Kind, field: &str, value: &str) -> String {
    let map: &[(&str, &str)] = match (kind, field) {
        (Kind::Redmine, "priority") => &[
            ("Low", "low"),
            ("Normal", "normal"),
            ("High", "high"),
            ("Urgent", "urgent"),
            ("Immediate", "urgent"),
        ],
        (Kind::Trac, "priority") => &[
            ("trivial", "low"),
            ("minor", "low"),
            ("major", "normal"),
            ("critical", "high"),
            ("blocker", "urgent"),
        ],
        (Kind::Redmine, _) => &[
            ("New", "new"),
            ("In Progress", "in_progress"),
            ("Feedback", "in_progress"),
            ("Resolved", "closed"),
            ("Closed", "closed"),
            ("Rejected", "closed"),
        ],
        (Kind::Trac, _) => &[
            ("new", "new"),
            ("reopened", "new"),
            ("assigned", "in_progress"),
            ("accepted", "in_progress"),
            ("closed", "closed"),
        ],
    };
    map.iter()
        .find(|(from, _)| *from == value)
        .map_or_else(|| format!("unmapped {value}"), |(_, to)| (*to).to_owned())
}

async fn seen(side: &Side, id: &str) -> Seen {
    let c = &side.connector;
    let artifact = side.act("fetch", || c.fetch(id)).await;
    let comments = side.act("comments", || c.comments(id)).await;
    let attachments = side.act("attachments", || c.attachments(id)).await;
    let value = |model: &str| artifact.fields.get(side.field(model));
    let assignee = match value("assignee") {
        Some(FieldValue::Person(p)) => p.username.clone().or_else(|| Some(p.id.clone())),
        _ => None,
    };
    Seen {
        summary: text(value("summary")),
        description: text(value("description")),
        priority: to_model(side.kind, "priority", &text(value("priority"))),
        state: to_model(side.kind, "state", &text(value("state"))),
        assignee,
        comments: comments.into_iter().map(|c| c.body).collect(),
        attachments: attachments.into_iter().map(|a| a.file_name).collect(),
        artifact,
    }
}

/// Every artifact in the side's scope, read in full.
async fn read_side(side: &Side) -> Vec<Seen> {
    let mut ids = Vec::new();
    let mut page = None;
    loop {
        let changes = side
            .act("list", || {
                side.connector
                    .changed_since(&side.scope, None, page.as_deref())
            })
            .await;
        ids.extend(changes.items.into_iter().map(|i| i.id));
        match changes.next {
            Some(next) => page = Some(next),
            None => break,
        }
    }
    ids.sort();
    ids.dedup();
    let mut all = Vec::new();
    for chunk in ids.chunks(8) {
        let reads = chunk.iter().map(|id| seen(side, id));
        all.extend(join_all(reads).await);
    }
    all
}

/// Awaits futures side by side (the workspace has no `futures` crate).
async fn join_all<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.map(|f| Some(Box::pin(f))).collect();
    let mut results: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        for (slot, result) in pending.iter_mut().zip(results.iter_mut()) {
            if let Some(future) = slot
                && let std::task::Poll::Ready(value) = future.as_mut().poll(cx)
            {
                *result = Some(value);
                *slot = None;
            }
        }
        if pending.iter().all(Option::is_none) {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    results.into_iter().flatten().collect()
}

/// Each text of `wanted` appears in exactly one of `have`, and `have` holds nothing else.
fn exactly_once(have: &[String], wanted: &[String]) -> bool {
    have.len() == wanted.len()
        && wanted
            .iter()
            .all(|w| have.iter().filter(|h| h.contains(w.as_str())).count() == 1)
}

/// The problems found with the two trackers against the expectations; empty when they agree.
async fn problems(
    redmine: &Side,
    trac: &Side,
    integration: i64,
    expected: &BTreeMap<(Kind, String), Expected>,
) -> Vec<String> {
    let (left, right) = tokio::join!(read_side(redmine), read_side(trac));
    let mut problems = Vec::new();
    for (side, all) in [(redmine, &left), (trac, &right)] {
        let sources: Vec<&str> = all
            .iter()
            .filter_map(|s| s.artifact.source.as_deref())
            .collect();
        let unique: BTreeSet<&str> = sources.iter().copied().collect();
        if all.len() != 2 * PER_SIDE || sources.len() != PER_SIDE || unique.len() != PER_SIDE {
            problems.push(format!(
                "{}: {} artifacts, {} twins, {} distinct sources (want {}, {PER_SIDE}, {PER_SIDE})",
                side.name(),
                all.len(),
                sources.len(),
                unique.len(),
                2 * PER_SIDE
            ));
        }
    }
    for (origin, originals, copies) in [(redmine, &left, &right), (trac, &right, &left)] {
        let by_source: BTreeMap<&str, &Seen> = copies
            .iter()
            .filter_map(|s| s.artifact.source.as_deref().map(|source| (source, s)))
            .collect();
        for original in originals.iter().filter(|s| s.artifact.source.is_none()) {
            let id = &original.artifact.id;
            let source = format!("syncline:{integration}:{}:{id}", origin.repository);
            let Some(want) = expected.get(&(origin.kind, id.clone())) else {
                problems.push(format!("{}#{id} was not made by this test", origin.name()));
                continue;
            };
            match by_source.get(source.as_str()) {
                None => problems.push(format!("{source} has no twin")),
                Some(twin) => compare(original, twin, want, &mut problems),
            }
        }
    }
    problems
}

fn compare(original: &Seen, twin: &Seen, want: &Expected, problems: &mut Vec<String>) {
    let id = &original.artifact.formatted_id;
    for seen in [original, twin] {
        let at = &seen.artifact.formatted_id;
        let mut wrong = |what: &str, have: &dyn std::fmt::Debug, want: &dyn std::fmt::Debug| {
            problems.push(format!("{id}: {what} of {at} is {have:?}, want {want:?}"));
        };
        if seen.summary != want.summary {
            wrong("summary", &seen.summary, &want.summary);
        }
        if seen.priority != want.priority {
            wrong("priority", &seen.priority, &want.priority);
        }
        if seen.state != want.state {
            wrong("state", &seen.state, &want.state);
        }
        if let Some(assignee) = &want.assignee
            && &seen.assignee != assignee
        {
            wrong("assignee", &seen.assignee, assignee);
        }
        if !seen.description.contains("Steps for") || !seen.description.contains("check it") {
            wrong("description", &seen.description, &"the steps");
        }
        if !exactly_once(&seen.comments, &want.comments) {
            wrong("comments", &seen.comments, &want.comments);
        }
        if !exactly_once(&seen.attachments, &want.attachments) {
            wrong("attachments", &seen.attachments, &want.attachments);
        }
    }
    if original.assignee != twin.assignee {
        problems.push(format!(
            "{id}: assignees differ: {:?} and {:?}",
            original.assignee, twin.assignee
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// The runs

/// One run's trackers, configuration, hub data directory and the ids the hub gave them.
struct Setup {
    dir: tempfile::TempDir,
    settings: PathBuf,
    redmine: Arc<Side>,
    trac: Arc<Side>,
    integration: i64,
}

fn setup(e: &Endpoints, label: &str) -> Setup {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let tag = format!("{label}-{stamp}-{}", std::process::id());
    create_redmine_project(e, &tag);
    create_trac_type(e, &tag);
    let dir = tempfile::tempdir().unwrap();
    let (config, settings) = write_config(dir.path(), e, &tag, &tag);
    apply(dir.path(), &config);
    let (integration, redmine_repo, trac_repo) = ids(dir.path());
    Setup {
        redmine: Arc::new(Side::redmine(e, &tag, redmine_repo)),
        trac: Arc::new(Side::trac(e, &tag, trac_repo)),
        dir,
        settings,
        integration,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Checks the trackers until they meet the expectations, re-checking while the hub may still
/// be carrying a last change across; panics with every problem otherwise.
fn assert_converged(
    s: &Setup,
    hub: &mut Hub,
    runtime: &tokio::runtime::Runtime,
    expected: &BTreeMap<(Kind, String), Expected>,
) {
    let deadline = Instant::now() + SETTLE;
    loop {
        hub.wait_quiet((2 * PER_SIDE) as u64, SETTLE);
        let found = runtime.block_on(problems(&s.redmine, &s.trac, s.integration, expected));
        if found.is_empty() {
            return;
        }
        eprintln!(
            "{} problems, checking again once the hub is quiet; the first ones:\n{}",
            found.len(),
            found[..found.len().min(10)].join("\n")
        );
        assert!(
            Instant::now() < deadline,
            "{} problems, the first ones:\n{}\nhub log:\n{}",
            found.len(),
            found[..found.len().min(30)].join("\n"),
            hub.log_tail()
        );
    }
}

#[test]
fn redmine_and_trac_converge_after_200_work_items_are_created_and_edited_on_both_sides() {
    let started = Instant::now();
    let s = setup(&endpoints("a"), "e2e");
    let port = Arc::new(AtomicU16::new(0));
    let mut hub = Hub::start(s.dir.path(), &s.settings, &port);
    let twins = Twins::follow(s.integration, port);
    let runtime = runtime();
    let expected = runtime.block_on(workload(&s.redmine, &s.trac, &twins));
    let worked = started.elapsed();
    assert_eq!(expected.len(), 2 * PER_SIDE);
    assert_converged(&s, &mut hub, &runtime, &expected);
    hub.stop();
    eprintln!(
        "trackers e2e: workload {worked:.0?}, converged and checked after {:.0?}",
        started.elapsed()
    );
}

/// Edits in which a note lands within the second of an edit the hub has just read.
const SAME_SECOND_TRIES: usize = 3;

/// Redmine shows change times to the second and its change query shows no journals, so a note
/// added within the second of an edit the hub has just read leaves Redmine's version as the
/// hub read it. The hub's second look once that second is over carries the note across all the
/// same, long before a full scan would (an hour here).
#[test]
fn a_redmine_note_in_the_second_of_an_edit_the_hub_just_read_still_arrives() {
    let s = setup(&endpoints("a"), "second");
    let port = Arc::new(AtomicU16::new(0));
    let hub = Hub::start(s.dir.path(), &s.settings, &port);
    let twins = Twins::follow(s.integration, port);
    let runtime = runtime();
    let same_second = runtime.block_on(async {
        let fields =
            BTreeMap::from([("subject".to_owned(), FieldValue::Text("Second look".into()))]);
        let issue = s.redmine.create(fields).await;
        let ticket = twins.of(Kind::Redmine, &issue.id).await;
        let mut same_second = 0;
        for attempt in 0..SAME_SECOND_TRIES {
            // Early in a second, so that the edit, the hub's read and the note can share it.
            let into = chrono::Utc::now().timestamp_subsec_millis();
            tokio::time::sleep(Duration::from_millis(u64::from(1020 - into.min(1000)))).await;
            let subject = format!("Second look {attempt}");
            let fields =
                BTreeMap::from([("subject".to_owned(), FieldValue::Text(subject.clone()))]);
            let edited = s
                .redmine
                .act("edit", || {
                    s.redmine.connector.update(&issue.id, None, &fields)
                })
                .await;
            wait_for_async("the edit on Trac", || async {
                let twin = s.trac.act("read", || s.trac.connector.fetch(&ticket)).await;
                text(twin.fields.get("summary")) == subject
            })
            .await;
            let note = format!("Note {attempt} just after the hub read the edit");
            s.redmine.comment(&issue.id, &note).await;
            let noted = s
                .redmine
                .act("read", || s.redmine.connector.fetch(&issue.id))
                .await;
            if noted.updated_at.timestamp() == edited.updated_at.timestamp() {
                same_second += 1;
            }
            wait_for_async("the note on Trac", || async {
                let comments = s
                    .trac
                    .act("comments", || s.trac.connector.comments(&ticket))
                    .await;
                comments.iter().any(|c| c.body.contains(&note))
            })
            .await;
        }
        same_second
    });
    hub.stop();
    assert!(
        same_second > 0,
        "in none of {SAME_SECOND_TRIES} tries did the note land in the second of the edit"
    );
}

/// Waits up to 20 s (well inside an hour's full scan) for `done`.
async fn wait_for_async<F, Fut>(what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(Instant::now() < deadline, "{what}: not within 20 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Seeded moments, so a failing run can be repeated.
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

const KILLS: usize = 10;

#[test]
fn redmine_and_trac_converge_with_nothing_lost_or_duplicated_through_hub_kills_and_a_trac_restart()
{
    let started = Instant::now();
    let e = endpoints("b");
    let trac_record = record_path("trac-b")
        .filter(|_| recorded("trac-b").is_some_and(|r| e.trac_url.ends_with(&port_of(&r))))
        .expect("the crash test restarts trac-b, so it needs the instance xtask recorded");
    let s = setup(&e, "crash");
    let port = Arc::new(AtomicU16::new(0));
    let hub = Arc::new(Mutex::new(Hub::start(s.dir.path(), &s.settings, &port)));
    let twins = Twins::follow(s.integration, port);
    let runtime = runtime();
    let mut moments = Moments(20261125);
    let plan: Vec<u64> = (0..KILLS).map(|_| moments.next_ms(2_000, 15_000)).collect();
    let outage_after = moments.next_ms(10_000, 40_000);

    let killer = {
        let hub = hub.clone();
        std::thread::spawn(move || {
            for wait in plan {
                std::thread::sleep(Duration::from_millis(wait));
                hub.lock().unwrap().kill_and_restart();
            }
        })
    };
    let expected = runtime.block_on(async {
        let outage = {
            let trac = s.trac.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(outage_after)).await;
                let _closed = trac.open.write().await;
                tokio::task::spawn_blocking(move || restart_trac(&trac_record))
                    .await
                    .unwrap();
            })
        };
        let expected = workload(&s.redmine, &s.trac, &twins).await;
        outage.await.unwrap();
        expected
    });
    killer.join().unwrap();
    let worked = started.elapsed();
    let mut hub = Arc::try_unwrap(hub)
        .map_err(|_| "hub still shared")
        .unwrap()
        .into_inner()
        .unwrap();
    assert_converged(&s, &mut hub, &runtime, &expected);
    hub.stop();
    eprintln!(
        "trackers crash: {KILLS} kills and a Trac restart, workload {worked:.0?}, converged and \
         checked after {:.0?}",
        started.elapsed()
    );
}

fn port_of(record: &Value) -> String {
    format!(":{}", record["port"])
}

/// Stops the recorded Trac and starts the same server again: same program, arguments,
/// environment, port and Trac environment, so its tickets survive. The record gets the new pid
/// so that `cargo xtask services` still knows the instance.
fn restart_trac(record_file: &Path) {
    let mut record: Value =
        serde_json::from_str(&std::fs::read_to_string(record_file).unwrap()).unwrap();
    let pid = record["pid"].as_u64().unwrap();
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    let argv: Vec<String> = std::fs::read(proc_dir.join("cmdline"))
        .unwrap()
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let environment: Vec<(String, String)> = std::fs::read(proc_dir.join("environ"))
        .unwrap()
        .split(|b| *b == 0)
        .filter_map(|kv| {
            let kv = String::from_utf8_lossy(kv);
            kv.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
        })
        .collect();
    let cwd = std::fs::read_link(proc_dir.join("cwd")).unwrap();
    let port = u16::try_from(record["port"].as_u64().unwrap()).unwrap();
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    wait_for("Trac to stop", || {
        TcpStream::connect(("127.0.0.1", port)).is_err()
    });
    let log = std::fs::OpenOptions::new()
        .append(true)
        .open(record["log"].as_str().unwrap())
        .unwrap();
    #[allow(
        clippy::zombie_processes,
        reason = "the server outlives the test, like the one xtask started"
    )]
    let child = Command::new(&argv[0])
        .args(&argv[1..])
        .env_clear()
        .envs(environment)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0)
        .spawn()
        .unwrap();
    record["pid"] = json!(child.id());
    let tmp = record_file.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_string_pretty(&record).unwrap() + "\n").unwrap();
    std::fs::rename(&tmp, record_file).unwrap();
    wait_for("Trac to start again", || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !done() {
        assert!(Instant::now() < deadline, "waited 90 s for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}
