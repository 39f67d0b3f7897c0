//! `cargo xtask demo`: a real Redmine and a real Trac kept in step by the hub, to look at.
//!
//! Starts (or reuses) the private `redmine-a` and `trac-a` services, gives this demo a Redmine
//! project and a Trac ticket type of its own (so tickets other runs left in the shared
//! instances stay out of it), fills in `fixtures/trackers/redmine-trac.toml`, applies it and
//! runs `hub-server serve` on a temporary data directory. It then seeds a few issues on each
//! side, prints where to look (both trackers with their logins, the hub's API) and prints a
//! line whenever a twin appears, until Ctrl-C; then it stops the hub and the services it
//! started itself.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::{cmd, services};

const TEMPLATE: &str = include_str!("../../fixtures/trackers/redmine-trac.toml");
/// The Redmine administrator's password (`fixtures/redmine/setup.rb`).
const REDMINE_PASSWORD: &str = "syncline-admin";
const SEEDS: [(&str, &str); 3] = [
    ("Login page rejects valid passwords", "high"),
    ("Export to CSV drops the last row", "normal"),
    ("Typo in the welcome e-mail", "low"),
];

/// `cargo xtask demo`
#[derive(clap::Args)]
pub struct Args {
    /// Address of the hub's API.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: String,
}

/// The two trackers as the demo reaches them.
struct Trackers {
    redmine_url: String,
    redmine_key: String,
    trac_url: String,
    trac_user: String,
    trac_password: String,
}

/// Runs the demo until Ctrl-C.
pub fn run(args: &Args) -> Result<()> {
    let names = ["redmine-a".to_owned(), "trac-a".to_owned()];
    let started = services::up(&names)?;
    let fresh: Vec<String> = started
        .iter()
        .filter(|up| up.fresh)
        .map(|up| up.instance.name.clone())
        .collect();
    let mut env = std::collections::BTreeMap::new();
    for up in &started {
        if let Some(service) = services::find(&up.instance.name) {
            env.extend(service.test_env(&up.instance));
        }
    }
    let outcome = trackers(&env).and_then(|t| run_with(args, &t));
    if !fresh.is_empty() {
        services::down(&fresh)?;
    }
    outcome
}

fn trackers(env: &std::collections::BTreeMap<String, String>) -> Result<Trackers> {
    let get = |key: &str| {
        env.get(&format!("SYNCLINE_TEST_{key}"))
            .cloned()
            .ok_or_else(|| Error::Other(format!("the services report no {key}")))
    };
    Ok(Trackers {
        redmine_url: get("REDMINE_A_URL")?,
        redmine_key: get("REDMINE_A_KEY")?,
        trac_url: get("TRAC_A_URL")?,
        trac_user: get("TRAC_A_USER")?,
        trac_password: get("TRAC_A_PASSWORD")?,
    })
}

fn run_with(args: &Args, t: &Trackers) -> Result<()> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let tag = format!("demo-{stamp}");
    create_redmine_project(t, &tag)?;
    trac_call(t, "ticket.type.create", json!([tag, "100"]))?;
    let dir = tempfile::Builder::new()
        .prefix("syncline-demo-")
        .tempdir()?;
    let config = dir.path().join("redmine-trac.toml");
    std::fs::write(&config, fill(t, &tag))?;
    cmd::run(hub(dir.path()).arg("apply").arg(&config))?;
    let mut hub_process = spawn_hub(dir.path(), &args.bind)?;
    let outcome = seed(t, &tag).and_then(|()| {
        announce(t, &tag, &args.bind);
        watch(&mut hub_process, &args.bind)
    });
    stop(&mut hub_process);
    outcome
}

/// The template with this demo's trackers, project and ticket type.
fn fill(t: &Trackers, tag: &str) -> String {
    [
        ("{redmine_url}", t.redmine_url.as_str()),
        ("{redmine_key}", &t.redmine_key),
        ("{redmine_project}", tag),
        ("{trac_url}", &t.trac_url),
        ("{trac_user}", &t.trac_user),
        ("{trac_password}", &t.trac_password),
        ("{trac_type}", tag),
        ("{max_concurrency}", "4"),
    ]
    .iter()
    .fold(TEMPLATE.to_owned(), |text, (from, to)| {
        text.replace(from, to)
    })
}

/// `cargo run -p hub-server --` on the demo's data directory.
fn hub(data_dir: &Path) -> Command {
    let mut command = cmd::cargo();
    command
        .args(["run", "-q", "-p", "hub-server", "--", "--data-dir"])
        .arg(data_dir)
        .env_remove("SYNCLINE_CONFIG");
    command
}

fn spawn_hub(data_dir: &Path, bind: &str) -> Result<Child> {
    if TcpListener::bind(bind).is_err() {
        return Err(Error::Other(format!(
            "{bind} is taken; pick another address with --bind"
        )));
    }
    let settings = data_dir.join("hub.toml");
    std::fs::write(&settings, "log_level = \"warn\"\n")?;
    let mut command = hub(data_dir);
    command
        .args(["--bind", bind, "--config"])
        .arg(&settings)
        .arg("serve");
    cmd::announce(&command);
    command.spawn().map_err(|e| Error::Spawn {
        program: "cargo run -p hub-server".into(),
        reason: e.to_string(),
    })
}

fn seed(t: &Trackers, tag: &str) -> Result<()> {
    let key = [format!("X-Redmine-API-Key: {}", t.redmine_key)];
    for (n, (summary, priority)) in SEEDS.iter().enumerate() {
        let redmine_priority = capitalised(priority);
        let issue = json!({"issue": {"project_id": tag, "tracker_id": tracker_id(t)?,
            "subject": format!("{summary} (from Redmine)"),
            "description": format!("Seen in the *demo*, step {n}."),
            "priority_id": priority_id(t, &redmine_priority)?}});
        let (status, answer) = http(&t.redmine_url, "POST", "/issues.json", &key, &issue)?;
        if status != 201 {
            return Err(Error::Other(format!("Redmine refused an issue: {answer}")));
        }
        let trac_priority = match *priority {
            "high" => "critical",
            "low" => "minor",
            _ => "major",
        };
        let attributes = json!({"type": tag, "priority": trac_priority});
        let description = format!("Seen in the '''demo''', step {n}.");
        let ticket = json!([
            format!("{summary} (from Trac)"),
            description,
            attributes,
            false
        ]);
        trac_call(t, "ticket.create", ticket)?;
    }
    Ok(())
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn announce(t: &Trackers, tag: &str, bind: &str) {
    println!("\nSyncline demo: Redmine <-> Trac, both ways, polling every second\n");
    println!(
        "  Redmine  {}/projects/{tag}/issues   (login admin / {REDMINE_PASSWORD})",
        t.redmine_url
    );
    println!(
        "  Trac     {}/query?type={tag}   (login {} / {})",
        t.trac_url, t.trac_user, t.trac_password
    );
    println!("  Hub API  http://{bind}/api/integrations   (also /api/integrations/1/pairs)");
    println!(
        "\nCreate or edit a Bug in the Redmine project or a '{tag}' ticket in Trac and watch it \
         cross. Ctrl-C stops the demo.\n"
    );
}

/// Prints each new pair until Ctrl-C (which the hub, in the same process group, gets too).
fn watch(hub_process: &mut Child, bind: &str) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut after = 0;
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return Ok(()),
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            if let Some(status) = hub_process.try_wait()? {
                return Err(Error::Other(format!("the hub exited with {status}")));
            }
            after = print_new_pairs(bind, after);
        }
    })
}

/// Prints the pairs after id `after`; the last id printed.
fn print_new_pairs(bind: &str, after: u64) -> u64 {
    let path = format!("/api/integrations/1/pairs?after={after}&limit=100");
    let Ok((200, Value::Array(pairs))) =
        http(&format!("http://{bind}"), "GET", &path, &[], &Value::Null)
    else {
        return after;
    };
    let mut last = after;
    for pair in pairs {
        println!(
            "twin: Redmine {} <-> Trac {}",
            pair["left"]["formatted_id"].as_str().unwrap_or("?"),
            pair["right"]["formatted_id"].as_str().unwrap_or("?"),
        );
        last = last.max(pair["id"].as_u64().unwrap_or(last));
    }
    last
}

fn stop(hub_process: &mut Child) {
    if let Ok(None) = hub_process.try_wait() {
        // Ctrl-C reached the hub too; otherwise ask it to stop.
        let _ = Command::new("kill")
            .args(["-TERM", &hub_process.id().to_string()])
            .status();
    }
    let _ = hub_process.wait();
}

/// A Redmine project for the demo, with the Bug tracker and the people tickets go to.
fn create_redmine_project(t: &Trackers, identifier: &str) -> Result<()> {
    let key = [format!("X-Redmine-API-Key: {}", t.redmine_key)];
    let project = json!({"project": {"name": format!("Syncline {identifier}"),
        "identifier": identifier, "is_public": true, "tracker_ids": [tracker_id(t)?]}});
    let (status, answer) = http(&t.redmine_url, "POST", "/projects.json", &key, &project)?;
    if status != 201 {
        return Err(Error::Other(format!(
            "Redmine refused the demo project: {answer}"
        )));
    }
    let roles = redmine_get(t, "/roles.json")?;
    let users = redmine_get(t, "/users.json?limit=100")?;
    for (login, role) in [
        ("admin", "Manager"),
        ("alice", "Developer"),
        ("bob", "Developer"),
    ] {
        let membership = json!({"membership": {
            "user_id": id_of(&users["users"], "login", login)?,
            "role_ids": [id_of(&roles["roles"], "name", role)?]}});
        let path = format!("/projects/{identifier}/memberships.json");
        http(&t.redmine_url, "POST", &path, &key, &membership)?;
    }
    Ok(())
}

fn tracker_id(t: &Trackers) -> Result<u64> {
    id_of(
        &redmine_get(t, "/trackers.json")?["trackers"],
        "name",
        "Bug",
    )
}

fn priority_id(t: &Trackers, name: &str) -> Result<u64> {
    let list = redmine_get(t, "/enumerations/issue_priorities.json")?;
    id_of(&list["issue_priorities"], "name", name)
}

fn redmine_get(t: &Trackers, path: &str) -> Result<Value> {
    let key = [format!("X-Redmine-API-Key: {}", t.redmine_key)];
    Ok(http(&t.redmine_url, "GET", path, &key, &Value::Null)?.1)
}

fn id_of(list: &Value, field: &str, name: &str) -> Result<u64> {
    list.as_array()
        .and_then(|items| items.iter().find(|i| i[field] == name))
        .and_then(|i| i["id"].as_u64())
        .ok_or_else(|| Error::Other(format!("Redmine has no {name}")))
}

fn trac_call(t: &Trackers, method: &str, params: Value) -> Result<Value> {
    let auth = format!(
        "Authorization: Basic {}",
        base64(format!("{}:{}", t.trac_user, t.trac_password).as_bytes())
    );
    let call = json!({"method": method, "params": params, "id": 1});
    let (_, answer) = http(&t.trac_url, "POST", "/login/jsonrpc", &[auth], &call)?;
    if !answer["error"].is_null() {
        return Err(Error::Other(format!("Trac {method}: {}", answer["error"])));
    }
    Ok(answer["result"].clone())
}

/// One HTTP/1.0 exchange with a server on 127.0.0.1 (answers come unchunked): status and JSON.
fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[String],
    body: &Value,
) -> Result<(u16, Value)> {
    let address = base.trim_start_matches("http://").trim_end_matches('/');
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut request = format!(
        "{method} {path} HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    for header in headers {
        request += &format!("{header}\r\n");
    }
    stream.write_all(format!("{request}\r\n{body}").as_bytes())?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let payload = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Ok((status, serde_json::from_str(payload).unwrap_or(Value::Null)))
}

/// Standard base64 with padding, for one Basic authorization header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}
