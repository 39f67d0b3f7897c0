//! The hub's start-up settings: a TOML file, then `SYNCLINE_*` environment variables, then
//! command-line flags, each layer overriding the one before.
//!
//! Mistakes stop the hub with a coded error that names the key and where it came from: a
//! misspelled key in a file is refused (with the closest known key suggested), never silently
//! ignored, because an ignored `bnd = "0.0.0.0:80"` would leave the hub on a port nobody expects.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use hub_domain::ErrorCode;
use hub_domain::catalogue::hub;
use serde::Deserialize;

/// Every key the hub understands, with its environment variable and a one-line meaning.
pub const KEYS: &[(&str, &str)] = &[
    (
        "data_dir",
        "directory for the embedded store, backups and logs",
    ),
    (
        "bind",
        "address and port of the HTTP API (default 127.0.0.1:8080)",
    ),
    (
        "database_url",
        "external store URL (postgres://… or mysql://…); default: SQLite in data_dir",
    ),
    (
        "log_level",
        "log filter, e.g. info or info,hub_engine=debug",
    ),
    ("log_format", "pretty or json"),
    (
        "tls_cert",
        "PEM certificate chain; serve HTTPS when set together with tls_key",
    ),
    ("tls_key", "PEM private key"),
    ("safe_mode", "start with every integration stopped"),
    (
        "override_lock",
        "take the store's instance lock even from a live hub",
    ),
    (
        "lock_lease_seconds",
        "how long the instance lock outlives a killed hub",
    ),
    (
        "shutdown_timeout_seconds",
        "how long requests may take to finish on shutdown",
    ),
    (
        "poll_interval_seconds",
        "default seconds between change-detection polls",
    ),
    (
        "full_scan_interval_seconds",
        "default seconds between full scans",
    ),
    (
        "max_concurrency",
        "default activities processed at once per integration",
    ),
    (
        "retry_base_seconds",
        "first automatic retry delay; doubles per attempt",
    ),
    ("retry_cap_seconds", "longest automatic retry delay"),
    ("completed_history", "completed activities kept as history"),
];

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// The resolved settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Data directory.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Listen address, as written (parsed by [`Settings::bind_addr`]).
    #[serde(default = "default_bind")]
    pub bind: String,
    /// External store URL.
    #[serde(default)]
    pub database_url: Option<String>,
    /// Log filter.
    #[serde(default = "default_log_level")]
    pub log_level: String,
    /// Log format.
    #[serde(default = "default_log_format")]
    pub log_format: LogFormat,
    /// TLS certificate.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    /// TLS key.
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// Safe mode.
    #[serde(default)]
    pub safe_mode: bool,
    /// Take the lock from a live holder.
    #[serde(default)]
    pub override_lock: bool,
    /// Instance lock lease.
    #[serde(default = "default_lease")]
    pub lock_lease_seconds: u64,
    /// Graceful shutdown budget.
    #[serde(default = "default_shutdown")]
    pub shutdown_timeout_seconds: u64,
    /// Default poll interval.
    #[serde(default)]
    pub poll_interval_seconds: Option<u32>,
    /// Default full-scan interval.
    #[serde(default)]
    pub full_scan_interval_seconds: Option<u32>,
    /// Default concurrency per integration.
    #[serde(default)]
    pub max_concurrency: Option<u32>,
    /// First retry delay.
    #[serde(default = "default_retry_base")]
    pub retry_base_seconds: u64,
    /// Longest retry delay.
    #[serde(default = "default_retry_cap")]
    pub retry_cap_seconds: u64,
    /// Completed activities kept.
    #[serde(default = "default_history")]
    pub completed_history: u64,
}

fn default_retry_base() -> u64 {
    30
}
fn default_retry_cap() -> u64 {
    3600
}
fn default_history() -> u64 {
    100_000
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}
fn default_bind() -> String {
    "127.0.0.1:8080".into()
}
fn default_log_level() -> String {
    "info".into()
}
fn default_log_format() -> LogFormat {
    LogFormat::Pretty
}
fn default_lease() -> u64 {
    30
}
fn default_shutdown() -> u64 {
    10
}

/// A settings error, with the catalogue code and where the bad key came from.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Unknown key in a file.
    #[error("unknown configuration key '{key}' in {origin}{}", suggestion.as_ref().map(|s| format!(" (did you mean '{s}'?)")).unwrap_or_default())]
    UnknownKey {
        /// The key.
        key: String,
        /// The file.
        origin: String,
        /// The closest known key.
        suggestion: Option<String>,
    },
    /// Bad value.
    #[error("invalid value for configuration key '{key}' in {origin}: {reason}")]
    InvalidValue {
        /// The key.
        key: String,
        /// Where it came from.
        origin: String,
        /// Why.
        reason: String,
    },
    /// Unreadable file.
    #[error("the configuration file {origin} cannot be read: {reason}")]
    Unreadable {
        /// The file.
        origin: String,
        /// Why.
        reason: String,
    },
}

impl SettingsError {
    /// The catalogue code.
    pub fn code(&self) -> ErrorCode {
        match self {
            SettingsError::UnknownKey { .. } => hub::CONFIG_UNKNOWN_KEY,
            SettingsError::InvalidValue { .. } => hub::CONFIG_INVALID_VALUE,
            SettingsError::Unreadable { .. } => hub::CONFIG_UNREADABLE,
        }
    }
}

/// The layers a value can come from; used to name the source in errors.
pub struct Layers<'a> {
    /// The configuration file, if any.
    pub file: Option<&'a Path>,
    /// `SYNCLINE_*` variables (already read, for testability).
    pub env: BTreeMap<String, String>,
    /// Values given as command-line flags, by key.
    pub flags: BTreeMap<&'static str, String>,
}

/// Reads `SYNCLINE_*` variables that name settings; warns about the others.
pub fn environment() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, value) in std::env::vars() {
        let Some(key) = name.strip_prefix("SYNCLINE_") else {
            continue;
        };
        let key = key.to_ascii_lowercase();
        if KEYS.iter().any(|(k, _)| *k == key) {
            out.insert(key, value);
        } else if key != "config" && !key.starts_with("test_") {
            eprintln!("warning: environment variable {name} names no setting; it is ignored");
        }
    }
    out
}

impl Settings {
    /// Resolves settings from the layers.
    pub fn load(layers: &Layers<'_>) -> Result<Settings, SettingsError> {
        let mut builder = Config::builder();
        if let Some(path) = layers.file {
            let source = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| SettingsError::Unreadable {
                origin: source.clone(),
                reason: e.to_string(),
            })?;
            check_file_keys(&text, &source)?;
            builder = builder.add_source(File::from_str(&text, FileFormat::Toml));
        }
        let env: config::Map<String, String> = layers.env.clone().into_iter().collect();
        builder = builder.add_source(Environment::default().source(Some(env)).try_parsing(true));
        for (key, value) in &layers.flags {
            builder = builder
                .set_override(*key, value.as_str())
                .map_err(|e| Self::invalid(layers, key, e.to_string()))?;
        }
        let config = builder.build().map_err(|e| Self::from_config(layers, e))?;
        let settings: Settings = config
            .try_deserialize()
            .map_err(|e| Self::from_config(layers, e))?;
        settings.check(layers)?;
        Ok(settings)
    }

    /// The listen address.
    pub fn bind_addr(&self) -> SocketAddr {
        self.bind.parse().expect("checked in load")
    }

    /// The engine's options from these settings.
    pub fn engine_options(&self) -> hub_engine::EngineOptions {
        hub_engine::EngineOptions {
            retry_base: std::time::Duration::from_secs(self.retry_base_seconds),
            retry_cap: std::time::Duration::from_secs(self.retry_cap_seconds),
            completed_history: self.completed_history,
            // The hub holds the instance lock before the engine starts.
            exclusive_store: true,
            defaults: hub_domain::integration::ChangeDetection {
                interval_seconds: self.poll_interval_seconds,
                cron: None,
                full_scan_interval_seconds: self.full_scan_interval_seconds,
                max_concurrency: self.max_concurrency,
            },
            ..Default::default()
        }
    }

    /// The store URL: the external one, or SQLite in the data directory.
    pub fn store_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| hub_store::sqlite_url_for(&self.data_dir))
    }

    fn check(&self, layers: &Layers<'_>) -> Result<(), SettingsError> {
        if let Err(e) = self.bind.parse::<SocketAddr>() {
            return Err(Self::invalid(
                layers,
                "bind",
                format!(
                    "'{}' is not HOST:PORT with a port from 1 to 65535 ({e})",
                    self.bind
                ),
            ));
        }
        if self.bind_addr().port() == 0 {
            return Err(Self::invalid(
                layers,
                "bind",
                "port 0 is not allowed; choose a port from 1 to 65535".into(),
            ));
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            let key = if self.tls_cert.is_some() {
                "tls_key"
            } else {
                "tls_cert"
            };
            return Err(Self::invalid(
                layers,
                key,
                "tls_cert and tls_key must be set together".into(),
            ));
        }
        for (key, value) in [
            ("poll_interval_seconds", self.poll_interval_seconds),
            (
                "full_scan_interval_seconds",
                self.full_scan_interval_seconds,
            ),
            ("max_concurrency", self.max_concurrency),
        ] {
            if value == Some(0) {
                return Err(Self::invalid(layers, key, "must be at least 1".into()));
            }
        }
        if self.retry_base_seconds == 0 || self.retry_cap_seconds < self.retry_base_seconds {
            let reason = "retry_base_seconds must be at least 1 and at most retry_cap_seconds";
            return Err(Self::invalid(layers, "retry_base_seconds", reason.into()));
        }
        if self.lock_lease_seconds < 2 {
            return Err(Self::invalid(
                layers,
                "lock_lease_seconds",
                "must be at least 2".into(),
            ));
        }
        if let Some(url) = &self.database_url
            && ![
                "sqlite:",
                "postgres://",
                "postgresql://",
                "mysql://",
                "mariadb://",
            ]
            .iter()
            .any(|p| url.starts_with(p))
        {
            return Err(Self::invalid(
                layers,
                "database_url",
                "must start with sqlite:, postgres:// or mysql://".into(),
            ));
        }
        Ok(())
    }

    fn origin(layers: &Layers<'_>, key: &str) -> String {
        if layers.flags.contains_key(key) {
            "the command line".into()
        } else if layers.env.contains_key(key) {
            format!("environment variable SYNCLINE_{}", key.to_ascii_uppercase())
        } else if let Some(file) = layers.file {
            file.display().to_string()
        } else {
            "the defaults".into()
        }
    }

    fn invalid(layers: &Layers<'_>, key: &str, reason: String) -> SettingsError {
        SettingsError::InvalidValue {
            key: key.into(),
            origin: Self::origin(layers, key),
            reason,
        }
    }

    fn from_config(layers: &Layers<'_>, err: config::ConfigError) -> SettingsError {
        let key = match &err {
            config::ConfigError::Type { key: Some(key), .. } => Some(key.clone()),
            config::ConfigError::At { key: Some(key), .. } => Some(key.clone()),
            _ => KEYS
                .iter()
                .map(|(k, _)| *k)
                .find(|k| err.to_string().contains(&format!("`{k}`")))
                .map(str::to_owned),
        };
        let key = key.unwrap_or_else(|| "?".into());
        let reason = err.to_string();
        Self::invalid(layers, &key, reason)
    }
}

/// Refuses keys the hub does not know, suggesting the closest known one.
fn check_file_keys(text: &str, source: &str) -> Result<(), SettingsError> {
    let table: toml::Table =
        text.parse()
            .map_err(|e: toml::de::Error| SettingsError::Unreadable {
                origin: source.into(),
                reason: e.to_string(),
            })?;
    for key in table.keys() {
        if !KEYS.iter().any(|(k, _)| k == key) {
            let suggestion = KEYS
                .iter()
                .map(|(k, _)| (edit_distance(k, key), *k))
                .filter(|(d, _)| *d <= 3)
                .min()
                .map(|(_, k)| k.to_owned());
            return Err(SettingsError::UnknownKey {
                key: key.clone(),
                origin: source.into(),
                suggestion,
            });
        }
    }
    Ok(())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    fn load(
        file: Option<&Path>,
        env: &[(&str, &str)],
        flags: &[(&'static str, &str)],
    ) -> Result<Settings, SettingsError> {
        Settings::load(&Layers {
            file,
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            flags: flags.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        })
    }

    #[test]
    fn defaults_listen_on_loopback_with_sqlite_in_the_data_dir() {
        let s = load(None, &[], &[]).unwrap();
        assert_eq!(s.bind_addr().to_string(), "127.0.0.1:8080");
        assert!(s.store_url().starts_with("sqlite://data/syncline.db"));
        assert_eq!(s.log_format, LogFormat::Pretty);
    }

    #[test]
    fn flags_override_environment_which_overrides_the_file() {
        let f = file("bind = \"127.0.0.1:1000\"\nlog_level = \"debug\"\nsafe_mode = false\n");
        let s = load(
            Some(f.path()),
            &[("bind", "127.0.0.1:2000"), ("safe_mode", "true")],
            &[],
        )
        .unwrap();
        assert_eq!(s.bind, "127.0.0.1:2000");
        assert_eq!(s.log_level, "debug");
        assert!(s.safe_mode);
        let s = load(
            Some(f.path()),
            &[("bind", "127.0.0.1:2000")],
            &[("bind", "127.0.0.1:3000")],
        )
        .unwrap();
        assert_eq!(s.bind, "127.0.0.1:3000");
    }

    #[test]
    fn a_misspelled_key_is_named_with_its_file_and_a_suggestion() {
        let f = file("bnd = \"127.0.0.1:1000\"\n");
        let err = load(Some(f.path()), &[], &[]).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.code(), hub::CONFIG_UNKNOWN_KEY);
        assert!(
            text.contains("'bnd'") && text.contains(&f.path().display().to_string()),
            "{text}"
        );
        assert!(text.contains("did you mean 'bind'"), "{text}");
    }

    #[test]
    fn a_bad_port_names_the_key_and_the_file() {
        let f = file("bind = \"127.0.0.1:99999\"\n");
        let err = load(Some(f.path()), &[], &[]).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.code(), hub::CONFIG_INVALID_VALUE);
        assert!(
            text.contains("'bind'") && text.contains(&f.path().display().to_string()),
            "{text}"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_key() {
        let f = file("lock_lease_seconds = \"soon\"\n");
        let err = load(Some(f.path()), &[], &[]).unwrap_err();
        assert_eq!(err.code(), hub::CONFIG_INVALID_VALUE);
        assert!(err.to_string().contains("lock_lease_seconds"), "{err}");
    }

    #[test]
    fn a_bad_environment_value_names_the_variable() {
        let err = load(None, &[("log_format", "xml")], &[]).unwrap_err();
        assert!(err.to_string().contains("SYNCLINE_LOG_FORMAT"), "{err}");
    }

    #[test]
    fn engine_settings_reach_the_engine_and_are_checked() {
        let f = file("retry_base_seconds = 2\nretry_cap_seconds = 60\npoll_interval_seconds = 5\n");
        let options = load(Some(f.path()), &[], &[]).unwrap().engine_options();
        assert_eq!(options.retry_base, std::time::Duration::from_secs(2));
        assert_eq!(options.defaults.interval_seconds, Some(5));
        let f = file("retry_base_seconds = 90\nretry_cap_seconds = 60\n");
        let err = load(Some(f.path()), &[], &[]).unwrap_err();
        assert!(err.to_string().contains("retry_base_seconds"), "{err}");
        assert!(load(None, &[("max_concurrency", "0")], &[]).is_err());
    }

    #[test]
    fn tls_needs_both_files_and_broken_toml_is_unreadable() {
        let err = load(None, &[("tls_cert", "/x.pem")], &[]).unwrap_err();
        assert!(err.to_string().contains("tls_key"), "{err}");
        let f = file("bind = \n");
        assert_eq!(
            load(Some(f.path()), &[], &[]).unwrap_err().code(),
            hub::CONFIG_UNREADABLE
        );
    }
}
