//! Private Redmine instances (`redmine-a`, `redmine-b`) for the connector's live tests.
//!
//! The Debian package `redmine` provides the application; each instance gets its own site
//! directory (configuration, SQLite database, files, logs) and its own puma on 127.0.0.1.
//! Debian's Redmine finds an instance's files through `Redmine.root`, which it derives from an
//! instance name under `/var/lib/redmine`; a small preload script (`RUBYOPT=-r…`) points it at
//! the slot's site directory instead, so nothing is written outside the slot and the cache.
//!
//! Migrating and seeding a database takes most of a minute, so the first start prepares a
//! template database (`fixtures/redmine/setup.rb`: REST API on, an admin API key, the
//! `syncline` project with every tracker, the "External ID" custom field, a few people) and
//! caches it under `~/.cache/syncline/redmine/`; every further instance copies it, gets a fresh
//! API key, and is up in seconds.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{Instance, Launched, Service, Slot, install};
use crate::cmd;
use crate::error::{Error, Result};

/// Where the Debian package installs the application.
const APP_DIR: &str = "/usr/share/redmine";
/// The preparation script the template database is made with.
const SETUP_SCRIPT: &str = include_str!("../../../fixtures/redmine/setup.rb");
/// Per-instance Gemfile: Redmine's own, plus the SQLite adapter and the app server.
const GEMFILE: &str = "eval_gemfile '/usr/share/redmine/Gemfile'\n\
    gem 'sqlite3', '~> 1.4.0' unless dependencies.any? { |d| d.name == 'sqlite3' }\n\
    gem 'puma'\n";
/// Loaded before Rails: makes `Redmine.root` the instance's site directory.
const PRELOAD: &str = "require 'pathname'\n\
    require '/usr/share/redmine/lib/redmine/multi_tenancy'\n\
    module Redmine\n  class << self\n\
    \x20   def tenant\n      'syncline'\n    end\n\n\
    \x20   def root\n      Pathname.new(ENV.fetch('SYNCLINE_REDMINE_ROOT'))\n    end\n\
    \x20 end\nend\n";
/// Mail never leaves a test instance.
const CONFIGURATION: &str = "default:\n  email_delivery:\n    delivery_method: :test\n";
/// Debian packages whose versions decide whether a cached template still fits.
const PACKAGES: [&str; 3] = ["redmine", "redmine-sqlite", "puma"];

/// One Redmine instance; `name` is `redmine-a` or `redmine-b`.
pub struct Redmine {
    /// Instance name (CLI argument, state file).
    pub name: &'static str,
}

impl Service for Redmine {
    fn name(&self) -> &'static str {
        self.name
    }

    fn kind(&self) -> &'static str {
        "redmine"
    }

    fn packages(&self) -> &'static [&'static str] {
        &PACKAGES
    }

    fn installed(&self) -> bool {
        package_versions().is_some()
            && ["puma", "bundle", "sqlite3"]
                .iter()
                .all(|program| install::find_program(program).is_some())
    }

    fn start(&self, slot: &Slot) -> Result<Launched> {
        let template = template(self.name)?;
        let site = Site::create(&slot.dir)?;
        fs::copy(&template.lock, slot.dir.join("Gemfile.lock"))?;
        fs::copy(&template.database, site.database())?;
        let key = random_key()?;
        sqlite(
            &site.database(),
            &format!("UPDATE tokens SET value = '{key}' WHERE action = 'api' AND user_id = 1;"),
        )?;
        fs::write(key_file(&slot.dir), &key)?;
        let port = slot.port.to_string();
        let pid = slot.spawn(
            site.command(program("puma")?)
                .args(["-b", &format!("tcp://127.0.0.1:{port}"), "-e", "production"])
                // One thread: SQLite allows one writer, and Rails' deferred transactions
                // fail instead of waiting when two threads write at once.
                .args(["-t", "1:1", "--dir", APP_DIR])
                // The tag keeps the slot directory in the process title, so
                // liveness checks recognise the server after puma renames itself.
                .arg("--tag")
                .arg(&slot.dir)
                .arg(Path::new(APP_DIR).join("config.ru")),
        )?;
        Ok(Launched {
            pid,
            data_dir: site.root,
        })
    }

    fn ready(&self, instance: &Instance) -> bool {
        http_answers(instance.port)
    }

    fn admin_url(&self, port: u16) -> String {
        format!("http://127.0.0.1:{port}")
    }

    fn test_env(&self, instance: &Instance) -> Vec<(String, String)> {
        let prefix = format!(
            "SYNCLINE_TEST_{}",
            self.name.to_uppercase().replace('-', "_")
        );
        let key = fs::read_to_string(key_file(&instance.dir)).unwrap_or_default();
        vec![
            (format!("{prefix}_URL"), instance.admin_url.clone()),
            (format!("{prefix}_KEY"), key.trim().to_owned()),
        ]
    }
}

/// The file in an instance directory holding its administrator API key.
fn key_file(dir: &Path) -> PathBuf {
    dir.join("api_key")
}

/// An instance's private files: the Gemfile and preload script beside `root`, the site
/// directory Redmine treats as its root.
struct Site {
    dir: PathBuf,
    root: PathBuf,
}

impl Site {
    /// Lays out a fresh site in `dir`.
    fn create(dir: &Path) -> Result<Site> {
        let root = dir.join("site");
        for sub in [
            "config",
            "db",
            "files",
            "log",
            "tmp",
            "public/plugin_assets",
        ] {
            fs::create_dir_all(root.join(sub))?;
        }
        fs::write(dir.join("Gemfile"), GEMFILE)?;
        fs::write(dir.join("preload.rb"), PRELOAD)?;
        let database = format!(
            "production:\n  adapter: sqlite3\n  database: {}\n  timeout: 10000\n",
            root.join("db/production.sqlite3").display()
        );
        fs::write(root.join("config/database.yml"), database)?;
        fs::write(root.join("config/configuration.yml"), CONFIGURATION)?;
        fs::write(root.join("config/secret_key.txt"), random_key()?)?;
        Ok(Site {
            dir: dir.to_path_buf(),
            root,
        })
    }

    fn database(&self) -> PathBuf {
        self.root.join("db/production.sqlite3")
    }

    /// `command` set up to run inside Redmine with this site as its root.
    fn command(&self, mut command: Command) -> Command {
        let preload = self.dir.join("preload.rb");
        command
            .current_dir(APP_DIR)
            .env("BUNDLE_GEMFILE", self.dir.join("Gemfile"))
            .env("RUBYOPT", format!("-r{}", preload.display()))
            .env("SYNCLINE_REDMINE_ROOT", &self.root)
            .env("RAILS_ENV", "production")
            .env("REDMINE_LANG", "en");
        command
    }
}

/// A prepared database and the Gemfile.lock that goes with it.
struct Template {
    database: PathBuf,
    lock: PathBuf,
}

/// The cached template for the installed packages and setup script, prepared now if missing.
fn template(name: &str) -> Result<Template> {
    let versions = package_versions()
        .ok_or_else(|| Error::service(name, "the redmine packages are not installed"))?;
    let key = fnv1a(&[&versions, SETUP_SCRIPT, GEMFILE, PRELOAD].concat());
    let dir = cache_dir()?.join(format!("template-{key:016x}"));
    let template = Template {
        database: dir.join("production.sqlite3"),
        lock: dir.join("Gemfile.lock"),
    };
    if template.database.is_file() && template.lock.is_file() {
        return Ok(template);
    }
    eprintln!(
        "{name}: preparing a template database (once; cached in {})",
        dir.display()
    );
    let build = tempfile::Builder::new()
        .prefix("build-")
        .tempdir_in(cache_dir()?)?;
    let site = Site::create(build.path())?;
    let setup = build.path().join("setup.rb");
    fs::write(&setup, SETUP_SCRIPT)?;
    cmd::output(
        site.command(program("bundle")?)
            .args(["exec", "rake", "db:migrate"]),
    )?;
    cmd::output(
        site.command(program("bundle")?)
            .args(["exec", "rails", "runner"])
            .arg(&setup),
    )?;
    let staged = build.path().join("template");
    fs::create_dir(&staged)?;
    fs::copy(site.database(), staged.join("production.sqlite3"))?;
    fs::copy(
        build.path().join("Gemfile.lock"),
        staged.join("Gemfile.lock"),
    )?;
    // A concurrent preparation may have won the race; either result is as good.
    if fs::rename(&staged, &dir).is_err() && !template.database.is_file() {
        return Err(Error::service(
            name,
            format!("could not store {}", dir.display()),
        ));
    }
    Ok(template)
}

/// `…/.cache/syncline/redmine`, beside the services' state directory.
fn cache_dir() -> Result<PathBuf> {
    let services = super::state::state_dir()?;
    let dir = services
        .parent()
        .map_or_else(|| services.join("redmine"), |parent| parent.join("redmine"));
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// `package version` lines of the installed packages; `None` when one is missing.
fn package_versions() -> Option<String> {
    let output = cmd::capture(
        Command::new("dpkg-query")
            .args(["-W", "-f=${Package} ${Version} ${Status}\\n"])
            .args(PACKAGES),
    )
    .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let installed = text
        .lines()
        .filter(|line| line.ends_with("install ok installed"))
        .count();
    (output.status.success() && installed == PACKAGES.len()).then_some(text)
}

/// Runs one SQL statement on a database with the `sqlite3` shell.
fn sqlite(database: &Path, sql: &str) -> Result<()> {
    cmd::output(program("sqlite3")?.arg(database).arg(sql)).map(drop)
}

/// 40 hex digits from the kernel's random source (the shape of a Redmine API key).
fn random_key() -> Result<String> {
    let mut bytes = [0u8; 20];
    fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// 64-bit FNV-1a: a stable fingerprint for cache keys.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Whether an HTTP server answers on 127.0.0.1:`port` (any status will do).
fn http_answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = "HEAD /login HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    let mut head = [0u8; 8];
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_exact(&mut head).is_ok()
        && head.starts_with(b"HTTP/1.")
}

fn program(name: &str) -> Result<Command> {
    install::find_program(name)
        .map(Command::new)
        .ok_or_else(|| Error::service("redmine", format!("`{name}` not found")))
}
