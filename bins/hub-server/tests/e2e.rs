//! End-to-end: the real `hub-server` binary on a temporary data directory, driven as an operator
//! would — start, health, a second instance, SIGTERM, SIGKILL, bad configuration, safe mode.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

mod support;

use support::free_port;

const BIN: &str = env!("CARGO_BIN_EXE_hub-server");

struct Hub {
    child: Child,
    port: u16,
}

impl Hub {
    fn start(data: &Path, port: u16, extra: &[&str]) -> Hub {
        let child = Command::new(BIN)
            .args(["serve", "--data-dir"])
            .arg(data)
            .args([
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--log-format",
                "json",
            ])
            .args(extra)
            .env_remove("SYNCLINE_CONFIG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hub-server");
        Hub { child, port }
    }

    fn wait_healthy(&mut self) -> (u16, serde_json::Value) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("hub exited early with {status}: {}", self.stderr());
            }
            if let Some(reply) = http(self.port, "GET", "/api/health", None) {
                return reply;
            }
            assert!(Instant::now() < deadline, "no health answer within 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    }

    fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "hub did not exit within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            err.read_to_string(&mut text).ok();
        }
        text
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 client: `None` while nothing listens.
fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Option<(u16, serde_json::Value)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).ok()?;
    let status: u16 = status_line.split_whitespace().nth(1)?.parse().ok()?;
    let mut raw = String::new();
    reader.read_to_string(&mut raw).ok()?;
    let (_, payload) = raw.split_once("\r\n\r\n")?;
    Some((
        status,
        serde_json::from_str(payload).unwrap_or(serde_json::Value::Null),
    ))
}

fn check<'a>(report: &'a serde_json::Value, name: &str) -> &'a str {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report}"))["status"]
        .as_str()
        .unwrap()
}

fn run_once(args: &[&str], data: &Path) -> (ExitStatus, String) {
    let out = Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("SYNCLINE_CONFIG")
        .output()
        .unwrap();
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn lease_config(dir: &Path, seconds: u64) -> PathBuf {
    let path = dir.join("hub.toml");
    std::fs::write(
        &path,
        format!("lock_lease_seconds = {seconds}\nshutdown_timeout_seconds = 5\n"),
    )
    .unwrap();
    path
}

#[test]
fn starts_healthy_refuses_a_second_hub_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::start(dir.path(), free_port(), &[]);
    let (status, report) = hub.wait_healthy();
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["healthy"], true);
    for name in [
        "databaseIsAvailable",
        "configurationMigration",
        "memoryUsage",
        "passwordEncryptionInitialized",
        "hubIsRunning",
    ] {
        assert_eq!(check(&report, name), "pass", "{name}: {report}");
    }
    assert_eq!(check(&report, "notificationSettingsValid"), "notConfigured");
    for name in [
        "licenseConfigured",
        "securityIsSetUp",
        "licenseExpired",
        "licensesValid",
    ] {
        assert_eq!(check(&report, name), "unavailable", "{name}");
    }
    assert_eq!(report["checks"].as_array().unwrap().len(), 11);

    // A second hub on the same store is refused, naming the holder.
    let (status, stderr) = run_once(
        &["serve", "--bind", &format!("127.0.0.1:{}", free_port())],
        dir.path(),
    );
    assert!(!status.success());
    assert!(stderr.contains("SYN-30012E"), "{stderr}");
    assert!(
        stderr.contains(&format!("pid {}", hub.child.id())),
        "{stderr}"
    );

    // Unknown routes answer with a coded JSON error.
    let (status, body) = http(hub.port, "GET", "/api/nothing", None).unwrap();
    assert_eq!((status, body["code"].as_str()), (404, Some("SYN-30001E")));

    hub.signal("TERM");
    let status = hub.wait_exit(Duration::from_secs(15));
    assert!(status.success(), "exit {status}: {}", hub.stderr());

    // The lock was released: a new hub starts at once without --override-lock.
    let mut next = Hub::start(dir.path(), free_port(), &[]);
    assert_eq!(next.wait_healthy().0, 200);
}

#[test]
fn override_lock_takes_over_and_the_old_hub_stops_with_a_lost_lock() {
    let dir = tempfile::tempdir().unwrap();
    let config = lease_config(dir.path(), 3);
    let config = config.to_str().unwrap();
    let mut first = Hub::start(dir.path(), free_port(), &["--config", config]);
    first.wait_healthy();
    let mut second = Hub::start(
        dir.path(),
        free_port(),
        &["--config", config, "--override-lock"],
    );
    assert_eq!(second.wait_healthy().0, 200);
    let status = first.wait_exit(Duration::from_secs(10));
    assert!(!status.success());
    assert!(first.stderr().contains("SYN-90011E"));
}

#[test]
fn after_sigkill_the_store_is_intact_and_the_lock_is_taken_over_after_its_lease() {
    let dir = tempfile::tempdir().unwrap();
    let config = lease_config(dir.path(), 3);
    let config = config.to_str().unwrap();
    let mut hub = Hub::start(dir.path(), free_port(), &["--config", config]);
    hub.wait_healthy();
    let (status, _) = http(
        hub.port,
        "PUT",
        "/api/settings/logging",
        Some(r#"{"level":"troubleshooting","minutes":5}"#),
    )
    .unwrap();
    assert_eq!(status, 200);
    hub.signal("KILL");
    hub.wait_exit(Duration::from_secs(5));

    // Right after the kill the lease still runs.
    let (status, stderr) = run_once(
        &[
            "serve",
            "--config",
            config,
            "--bind",
            &format!("127.0.0.1:{}", free_port()),
        ],
        dir.path(),
    );
    assert!(
        !status.success() && stderr.contains("SYN-30012E"),
        "{stderr}"
    );

    std::thread::sleep(Duration::from_secs(3));
    let mut next = Hub::start(dir.path(), free_port(), &["--config", config]);
    let (status, report) = next.wait_healthy();
    assert_eq!(status, 200, "{report}");
    assert_eq!(check(&report, "configurationMigration"), "pass");
    next.signal("TERM");
    assert!(next.wait_exit(Duration::from_secs(15)).success());

    let url = hub_store::sqlite_url_for(dir.path());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = hub_store::Store::open(&url).await.unwrap();
        store
            .check_integrity()
            .await
            .expect("store intact after SIGKILL");
        assert!(store.migration_status().await.unwrap().is_current());
    });
}

#[test]
fn serves_https_when_a_certificate_and_key_are_configured() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl is needed to make a test certificate");
    assert!(made.success());
    let config = dir.path().join("tls.toml");
    std::fs::write(
        &config,
        format!("tls_cert = {:?}\ntls_key = {:?}\n", cert, key),
    )
    .unwrap();
    let port = free_port();
    let _hub = Hub::start(dir.path(), port, &["--config", config.to_str().unwrap()]);
    let deadline = Instant::now() + Duration::from_secs(20);
    let body = loop {
        let out = Command::new("curl")
            .args([
                "-sk",
                "--max-time",
                "5",
                &format!("https://127.0.0.1:{port}/api/health"),
            ])
            .output()
            .expect("curl is needed to speak TLS to the hub");
        if out.status.success() && !out.stdout.is_empty() {
            break String::from_utf8(out.stdout).unwrap();
        }
        assert!(Instant::now() < deadline, "no HTTPS answer within 20 s");
        std::thread::sleep(Duration::from_millis(100));
    };
    let report: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["healthy"], true, "{report}");
    // Plain HTTP on the TLS port gets no health report.
    assert!(http(port, "GET", "/api/health", None).is_none());
}

#[test]
fn unusable_tls_files_stop_the_hub_with_the_tls_code() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tls.toml");
    std::fs::write(
        &config,
        "tls_cert = \"/nonexistent/cert.pem\"\ntls_key = \"/nonexistent/key.pem\"\n",
    )
    .unwrap();
    let (status, stderr) = run_once(&["serve", "--config", config.to_str().unwrap()], dir.path());
    assert!(!status.success());
    assert!(
        stderr.contains("SYN-90031E") && stderr.contains("cert.pem"),
        "{stderr}"
    );
}

#[test]
fn a_misspelled_key_or_a_bad_port_stops_the_hub_with_a_coded_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "bnd = \"127.0.0.1:8080\"\n").unwrap();
    let (status, stderr) = run_once(&["serve", "--config", file.to_str().unwrap()], dir.path());
    assert!(!status.success());
    assert!(
        stderr.contains("SYN-90001E") && stderr.contains("'bnd'") && stderr.contains("bad.toml"),
        "{stderr}"
    );

    std::fs::write(&file, "bind = \"127.0.0.1:70000\"\n").unwrap();
    let (status, stderr) = run_once(&["serve", "--config", file.to_str().unwrap()], dir.path());
    assert!(!status.success());
    assert!(
        stderr.contains("SYN-90002E") && stderr.contains("'bind'") && stderr.contains("bad.toml"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("syncline.db").exists(),
        "nothing is written before settings are valid"
    );
}

#[test]
fn safe_mode_is_reported_by_health_and_troubleshooting_logging_can_be_switched() {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = Hub::start(dir.path(), free_port(), &["--safe-mode"]);
    let (status, report) = hub.wait_healthy();
    assert_eq!(status, 503);
    assert_eq!(check(&report, "activitiesCanProcess"), "fail");
    assert_eq!(check(&report, "hubIsRunning"), "pass");

    let (status, state) = http(
        hub.port,
        "PUT",
        "/api/settings/logging",
        Some(r#"{"level":"troubleshooting","minutes":1}"#),
    )
    .unwrap();
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["level"], "troubleshooting");
    assert!(state["until"].is_string());
    let (status, body) = http(
        hub.port,
        "PUT",
        "/api/settings/logging",
        Some(r#"{"level":"loud"}"#),
    )
    .unwrap();
    assert_eq!((status, body["code"].as_str()), (400, Some("SYN-90002E")));
    assert!(body["userAction"].is_string());
    let (_, state) = http(
        hub.port,
        "PUT",
        "/api/settings/logging",
        Some(r#"{"level":"normal"}"#),
    )
    .unwrap();
    assert_eq!(state["level"], "normal");
    hub.signal("INT");
    assert!(hub.wait_exit(Duration::from_secs(15)).success());
    assert!(hub.stderr().contains("safe mode"));
}
