//! The record of a running instance, kept as JSON in the user's cache
//! directory so that separate `cargo xtask` invocations (and other tools)
//! can find, reuse and stop it.

use std::fs;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A started instance, as recorded on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Instance {
    /// Instance name, e.g. `postgres` (also the state file's name).
    pub name: String,
    /// Server kind, e.g. `postgres`; several instances may share a kind.
    pub kind: String,
    /// TCP port on 127.0.0.1.
    pub port: u16,
    /// Process id of the server (leader of its own process group).
    pub pid: u32,
    /// The instance's private temp directory; removed by `down`.
    pub dir: PathBuf,
    /// The server's data directory (inside `dir`).
    pub data_dir: PathBuf,
    /// The server's log file (inside `dir`).
    pub log: PathBuf,
    /// URL with administrator rights, for tests that create databases.
    pub admin_url: String,
}

/// `${XDG_CACHE_HOME:-$HOME/.cache}/syncline/services`.
pub fn state_dir() -> Result<PathBuf> {
    let cache = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Error::Other("neither XDG_CACHE_HOME nor HOME is set".into()))?;
            PathBuf::from(home).join(".cache")
        }
    };
    Ok(cache.join("syncline").join("services"))
}

fn state_file(name: &str) -> Result<PathBuf> {
    Ok(state_dir()?.join(format!("{name}.json")))
}

impl Instance {
    /// Loads the record for `name`, if there is one.
    pub fn load(name: &str) -> Result<Option<Instance>> {
        let path = state_file(name)?;
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(Error::Io(format!("{}: {err}", path.display()))),
        };
        serde_json::from_str(&text).map(Some).map_err(|err| {
            Error::Other(format!(
                "{}: corrupt state ({err}); delete it",
                path.display()
            ))
        })
    }

    /// Writes the record atomically (temp file + rename).
    pub fn save(&self) -> Result<()> {
        let path = state_file(&self.name)?;
        let dir = state_dir()?;
        fs::create_dir_all(&dir).map_err(|err| Error::Io(format!("{}: {err}", dir.display())))?;
        let json = serde_json::to_string_pretty(self)
            .map_err(|err| Error::Other(format!("serialising state: {err}")))?;
        let tmp = path.with_extension("json.tmp");
        fs::write(&tmp, json + "\n")?;
        fs::rename(&tmp, &path)?;
        Ok(())
    }

    /// Deletes the record (missing is fine).
    pub fn forget(name: &str) -> Result<()> {
        match fs::remove_file(state_file(name)?) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err.into()),
            _ => Ok(()),
        }
    }
}
