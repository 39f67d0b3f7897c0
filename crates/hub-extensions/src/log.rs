//! The extension log: what scripts write with `console.log`, tagged with the extension, the
//! integration and the artifact they ran for.
//!
//! Administrators debug extensions by reading this log, so it goes to its own file
//! (`logs/extensions.log` under the data directory, see [`FileLog`]) and to a bounded in-memory
//! view ([`MemoryLog`]) that the API can query by tag. [`ExtensionLog`] is the seam; [`LogSinks`]
//! writes to both.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// What a call is for: shown beside each log line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallTags {
    /// The integration's name or id.
    pub integration: Option<String>,
    /// The artifact's formatted id or id.
    pub artifact: Option<String>,
}

/// One line written by a script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// When it was written.
    pub at: DateTime<Utc>,
    /// The extension that wrote it.
    pub extension: String,
    /// Integration and artifact of the call.
    #[serde(flatten)]
    pub tags: CallTags,
    /// The text.
    pub message: String,
}

impl LogEntry {
    /// The line as written to the log file.
    pub fn line(&self) -> String {
        format!(
            "{} extension={} integration={} artifact={} {}",
            self.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            self.extension,
            self.tags.integration.as_deref().unwrap_or("-"),
            self.tags.artifact.as_deref().unwrap_or("-"),
            self.message
        )
    }
}

/// Where `console.log` output goes.
pub trait ExtensionLog: Send + Sync {
    /// Records one entry.
    fn write(&self, entry: LogEntry);
}

/// Which entries a query wants; `None` fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogQuery {
    /// Only this extension.
    pub extension: Option<String>,
    /// Only this integration.
    pub integration: Option<String>,
    /// Only this artifact.
    pub artifact: Option<String>,
    /// At most this many, newest last.
    pub limit: Option<usize>,
}

/// The newest entries in memory, for the API to show.
#[derive(Debug)]
pub struct MemoryLog {
    capacity: usize,
    entries: Mutex<VecDeque<LogEntry>>,
}

impl MemoryLog {
    /// Keeps the newest `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: Mutex::new(VecDeque::new()),
        }
    }

    /// Entries matching `query`, oldest first.
    pub fn query(&self, query: &LogQuery) -> Vec<LogEntry> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let matches = |want: &Option<String>, have: &Option<String>| {
            want.as_ref().is_none_or(|w| have.as_ref() == Some(w))
        };
        let mut found: Vec<LogEntry> = entries
            .iter()
            .filter(|e| query.extension.as_ref().is_none_or(|x| *x == e.extension))
            .filter(|e| matches(&query.integration, &e.tags.integration))
            .filter(|e| matches(&query.artifact, &e.tags.artifact))
            .cloned()
            .collect();
        if let Some(limit) = query.limit {
            found.drain(..found.len().saturating_sub(limit));
        }
        found
    }
}

impl ExtensionLog for MemoryLog {
    fn write(&self, entry: LogEntry) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }
}

/// Appends entries to a file, one line each.
#[derive(Debug)]
pub struct FileLog {
    path: PathBuf,
    file: Mutex<File>,
}

impl FileLog {
    /// Opens (creating it and its directory) the log file at `path`.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            path: path.to_owned(),
            file: Mutex::new(file),
        })
    }

    /// `logs/extensions.log` in the hub's data directory.
    pub fn in_data_dir(data_dir: &Path) -> std::io::Result<Self> {
        Self::open(&data_dir.join("logs").join("extensions.log"))
    }

    /// The file written.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl ExtensionLog for FileLog {
    fn write(&self, entry: LogEntry) {
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(err) = writeln!(file, "{}", entry.line()) {
            tracing::warn!(path = %self.path.display(), %err, "cannot write the extension log");
        }
    }
}

/// The in-memory view plus, when configured, the log file.
#[derive(Debug, Clone)]
pub struct LogSinks {
    /// The queryable view.
    pub memory: Arc<MemoryLog>,
    /// The file.
    pub file: Option<Arc<FileLog>>,
}

impl LogSinks {
    /// Memory only, keeping `capacity` entries.
    pub fn in_memory(capacity: usize) -> Self {
        Self {
            memory: Arc::new(MemoryLog::new(capacity)),
            file: None,
        }
    }
}

impl ExtensionLog for LogSinks {
    fn write(&self, entry: LogEntry) {
        if let Some(file) = &self.file {
            file.write(entry.clone());
        }
        self.memory.write(entry);
    }
}

/// Replaces every occurrence of the `secrets` in `message` by asterisks.
pub(crate) fn mask(message: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(message.to_owned(), |m, s| m.replace(s.as_str(), "*****"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(extension: &str, artifact: &str, message: &str) -> LogEntry {
        LogEntry {
            at: Utc::now(),
            extension: extension.into(),
            tags: CallTags {
                integration: Some("I".into()),
                artifact: Some(artifact.into()),
            },
            message: message.into(),
        }
    }

    #[test]
    fn the_memory_view_filters_by_tag_and_keeps_the_newest() {
        let log = MemoryLog::new(3);
        for (i, a) in ["A-1", "A-2", "A-1", "A-1"].iter().enumerate() {
            log.write(entry("x", a, &i.to_string()));
        }
        let all = log.query(&LogQuery::default());
        assert_eq!(all.len(), 3);
        let a1 = log.query(&LogQuery {
            artifact: Some("A-1".into()),
            limit: Some(1),
            ..LogQuery::default()
        });
        assert_eq!(a1.len(), 1);
        assert_eq!(a1[0].message, "3");
    }

    #[test]
    fn the_file_gets_one_tagged_line_per_entry() {
        let dir = tempfile::tempdir().unwrap();
        let file = FileLog::in_data_dir(dir.path()).unwrap();
        file.write(entry("split", "P-7", "hello"));
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert!(
            text.contains("extension=split integration=I artifact=P-7 hello"),
            "{text}"
        );
    }

    #[test]
    fn secrets_are_masked() {
        assert_eq!(mask("token s3cret!", &["s3cret".into()]), "token *****!");
    }
}
