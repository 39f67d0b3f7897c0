//! The optional state file: loaded at start, rewritten after every write.
//!
//! Crash tests SIGKILL a hub and start it again; the trackers it talks to must survive that like
//! real servers would. Each write replaces the whole file atomically (temporary file, then
//! rename), so a reader never sees half a file. There is no fsync: a killed process loses
//! nothing the kernel already has, and that is the failure these files are for.

use std::path::{Path, PathBuf};

use super::state::TrackerState;
use crate::connector::Result;
use crate::error::{ConnectorError, ErrorClass};

/// The state saved in `path`, or `None` when there is no such file.
pub(crate) fn load(path: &Path, name: &str) -> Result<Option<TrackerState>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, &e)),
    };
    let mut state: TrackerState = serde_json::from_slice(&bytes).map_err(|e| {
        ConnectorError::new(
            ErrorClass::InvalidValue,
            format!(
                "memory tracker state file {} is not valid: {e}",
                path.display()
            ),
        )
    })?;
    state.set_name(name);
    state.rebuild_indexes();
    Ok(Some(state))
}

/// Replaces the file at `path` with `state`.
pub(crate) fn save(state: &TrackerState, path: &Path) -> Result<()> {
    let bytes = serde_json::to_vec(state).map_err(|e| {
        ConnectorError::new(
            ErrorClass::InvalidValue,
            format!("memory tracker state: {e}"),
        )
    })?;
    let temporary = temporary_path(path);
    std::fs::write(&temporary, bytes).map_err(|e| io_error(&temporary, &e))?;
    std::fs::rename(&temporary, path).map_err(|e| io_error(path, &e))
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
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
