//! The optional state file: a snapshot and an append-only journal of the writes since.
//!
//! Crash tests SIGKILL a hub and start it again; the trackers it talks to must survive that like
//! real servers would, and must keep up with tens of thousands of writes on trackers of ten
//! thousand artifacts, so a write costs one appended line, not a rewritten file.
//!
//! # Files
//!
//! * `<path>`, the **snapshot**: one JSON object, the whole tracker at its `revision`:
//!   `{"revision":R,"last_artifact_id":A,"last_comment_id":C,"last_attachment_id":F,
//!   "last_time_entry_id":T,"projects":{"KEY":{"name":…,"last_number":N}},"persons":[person…],
//!   "artifacts":{"<id>":{"artifact":{…},"comments":[comment…],
//!   "attachments":[{"meta":{…},"content":"<hex>"}],"time_entries":[entry…]}}}`. No file: an empty tracker at revision
//!   0. (The whole-file format of earlier versions is this format, so old files load.)
//! * `<path>.journal`, the **journal**: one compact JSON object per write, ending in `\n` (JSON
//!   text never holds a raw newline), members left out when empty:
//!   `{"from":R0,"revision":R1,"last_artifact_id":A,"last_comment_id":C,"last_attachment_id":F,
//!   "last_time_entry_id":T,"projects":{"KEY":{…}},"persons":{"from":n,"added":[person…]},
//!   "artifacts":[{"artifact":{…},"comments":{"from":n,"added":[comment…]},
//!   "attachments":{"from":n,"added":[{"meta":{…},"content":"<hex>"}]},
//!   "time_entries":{"from":n,"added":[entry…]}}],"deleted":[id…]}`.
//!   A line holds the records the write left behind, not the operation: artifacts whole, with
//!   the comments, attachments and time entries appended after the first `from` (they are
//!   never edited), changed projects whole, persons appended, and the counters; so replay
//!   reproduces ids, versions and times exactly without the clock. `revision` is the line's
//!   sequence number (every write moves it); `from` is the revision the line applies to.
//!
//! # Loading
//!
//! Read the snapshot, then each complete line of the journal: a line whose `revision` is not
//! above the tracker's is already in the snapshot and skipped; any other must have `from` equal
//! to the tracker's revision (else the files are refused as corrupt) and its records are put
//! back. Bytes after the last `\n` are a torn line, from a process killed in the middle of an
//! append: that write never returned to its caller, so the bytes are ignored and cut off before
//! the next append.
//!
//! # Writing and the failure model
//!
//! A write appends its line with `write(2)` on the journal, opened in append mode, before the call
//! returns: what a caller saw acknowledged is in the kernel. There is no fsync. The failure these
//! files model is SIGKILL of the process, which loses nothing the kernel already has; power loss
//! or a kernel crash may lose recent writes, and is not what they are for.
//!
//! # Compaction
//!
//! When the journal reaches [`Limits::lines`] lines or more bytes than both [`Limits::bytes`]
//! and the last snapshot (so rewriting a large tracker stays rare), the tracker writes a
//! snapshot to `<path>.tmp`, renames it over `<path>`, then truncates the journal. A crash before
//! the rename leaves the old snapshot and the whole journal; one between rename and truncation
//! leaves lines the new snapshot holds, which loading skips by revision.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::journal::{self, Entry};
use super::state::TrackerState;
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};

/// When the journal is compacted into a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Lines of journal.
    pub(crate) lines: u64,
    /// Bytes of journal, when the snapshot is smaller.
    pub(crate) bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            lines: 50_000,
            bytes: 8 << 20,
        }
    }
}

/// The snapshot and journal of one tracker.
#[derive(Debug)]
pub(crate) struct Persister {
    snapshot: PathBuf,
    journal_path: PathBuf,
    journal: File,
    lines: u64,
    bytes: u64,
    snapshot_bytes: u64,
    limits: Limits,
    /// An append failed, perhaps half-way: the next write compacts instead of appending.
    broken: bool,
}

impl Persister {
    /// Loads the tracker saved at `path` (empty when there is nothing) and opens its journal.
    pub(crate) fn open(path: &Path, name: &str) -> Result<(TrackerState, Self)> {
        let (mut state, snapshot_bytes) = load_snapshot(path, name)?;
        let journal_path = journal_path(path);
        let text = read_if_present(&journal_path)?;
        let replayed = journal::replay(&mut state, &text).map_err(|e| corrupt(&journal_path, e))?;
        state.rebuild_indexes();
        state.track_changes();
        let journal = open_journal(&journal_path, replayed.complete_bytes, text.len())?;
        let mut persister = Self {
            snapshot: path.to_owned(),
            journal_path,
            journal,
            lines: replayed.lines,
            bytes: replayed.complete_bytes as u64,
            snapshot_bytes,
            limits: Limits::default(),
            broken: false,
        };
        if persister.due() {
            persister.compact(&state)?;
        }
        Ok((state, persister))
    }

    /// Sets when to compact.
    #[cfg(test)]
    pub(crate) fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Saves the write that just ran on `state` (which changed something), compacting when due.
    pub(crate) fn record(&mut self, state: &TrackerState) -> Result<()> {
        if self.broken {
            return self.compact(state);
        }
        let Some(changes) = &state.changes else {
            return Ok(());
        };
        let line = encode(&Entry::of_write(state, changes))?;
        if let Err(e) = self.journal.write_all(&line) {
            self.broken = true;
            return Err(io_error(&self.journal_path, &e));
        }
        self.lines += 1;
        self.bytes += line.len() as u64;
        if self.due() {
            // The write is saved already; a failed compaction is tried again on the next write.
            if let Err(e) = self.compact(state) {
                tracing::warn!(error = %e.message, "memory tracker compaction failed");
            }
        }
        Ok(())
    }

    fn due(&self) -> bool {
        self.lines >= self.limits.lines || self.bytes > self.limits.bytes.max(self.snapshot_bytes)
    }

    /// Writes `state` as the snapshot and empties the journal.
    pub(crate) fn compact(&mut self, state: &TrackerState) -> Result<()> {
        self.snapshot_bytes = save_snapshot(state, &self.snapshot)?;
        self.journal
            .set_len(0)
            .map_err(|e| io_error(&self.journal_path, &e))?;
        self.lines = 0;
        self.bytes = 0;
        self.broken = false;
        Ok(())
    }
}

/// `<path>.journal`.
pub(crate) fn journal_path(path: &Path) -> PathBuf {
    with_suffix(path, ".journal")
}

/// The snapshot at `path` and its size; an empty tracker when there is none.
fn load_snapshot(path: &Path, name: &str) -> Result<(TrackerState, u64)> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((TrackerState::new(name), 0));
        }
        Err(e) => return Err(io_error(path, &e)),
    };
    let mut state: TrackerState =
        serde_json::from_slice(&bytes).map_err(|e| corrupt(path, e.to_string()))?;
    state.set_name(name);
    Ok((state, bytes.len() as u64))
}

/// Replaces the snapshot at `path` with `state` (temporary file, then rename); its size.
fn save_snapshot(state: &TrackerState, path: &Path) -> Result<u64> {
    let temporary = with_suffix(path, ".tmp");
    let file = File::create(&temporary).map_err(|e| io_error(&temporary, &e))?;
    let mut writer = BufWriter::new(file);
    serde_json::to_writer(&mut writer, state).map_err(|e| encoding_error(&e))?;
    let file = writer
        .into_inner()
        .map_err(|e| io_error(&temporary, e.error()))?;
    let size = file.metadata().map_err(|e| io_error(&temporary, &e))?.len();
    drop(file);
    std::fs::rename(&temporary, path).map_err(|e| io_error(path, &e))?;
    Ok(size)
}

/// The journal line of `entry`, newline included.
fn encode(entry: &Entry) -> Result<Vec<u8>> {
    let mut line = serde_json::to_vec(entry).map_err(|e| encoding_error(&e))?;
    line.push(b'\n');
    Ok(line)
}

fn read_if_present(path: &Path) -> Result<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(io_error(path, &e)),
    }
}

/// Opens the journal for appending, cutting off a torn last line (`complete` of `len` bytes).
fn open_journal(path: &Path, complete: usize, len: usize) -> Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| io_error(path, &e))?;
    if complete < len {
        tracing::warn!(
            journal = %path.display(),
            torn_bytes = len - complete,
            "memory tracker journal ends in a torn line (a write interrupted by a crash); ignored"
        );
        file.set_len(complete as u64)
            .map_err(|e| io_error(path, &e))?;
    }
    Ok(file)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn corrupt(path: &Path, problem: String) -> ConnectorError {
    ConnectorError::new(
        ErrorClass::InvalidValue,
        format!(
            "memory tracker state file {} is not valid: {problem}",
            path.display()
        ),
    )
}

fn encoding_error(e: &serde_json::Error) -> ConnectorError {
    ConnectorError::new(
        ErrorClass::InvalidValue,
        format!("memory tracker state: {e}"),
    )
}

/// A failing state file is the memory tracker's "server unreachable".
fn io_error(path: &Path, e: &std::io::Error) -> ConnectorError {
    ConnectorError::new(
        ErrorClass::Network,
        format!("memory tracker state file {}: {e}", path.display()),
    )
}

/// Attachment content as a hex string: a third of the size of a JSON number array.
pub(crate) mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let text: String = bytes
            .iter()
            .flat_map(|b| {
                [
                    DIGITS[usize::from(b >> 4)] as char,
                    DIGITS[usize::from(b & 15)] as char,
                ]
            })
            .collect();
        serializer.serialize_str(&text)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        if !text.is_ascii() || text.len() % 2 != 0 {
            return Err(D::Error::custom("not an even number of hex digits"));
        }
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(D::Error::custom))
            .collect()
    }
}
