//! The key for confidential values kept in a file of the data directory, until the master
//! password takes that role: made once with the kernel's random source, readable by the
//! hub's user only, and refused when it is damaged rather than silently replaced (a new key
//! would make every stored secret unreadable).

use std::io::Write;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::crypto::{KeyProvider, StaticKey};
use crate::error::ExtensionError;

fn damaged(path: &Path, why: &str) -> ExtensionError {
    ExtensionError::Crypto {
        reason: format!("the key file {} {why}", path.display()),
    }
}

/// The key in `path`, created there when the file does not exist.
pub fn key_file(path: &Path) -> Result<StaticKey, ExtensionError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes = STANDARD
                .decode(text.trim())
                .map_err(|_| damaged(path, "is not base64"))?;
            let key: [u8; 32] = bytes
                .try_into()
                .map_err(|_| damaged(path, "does not hold a 256-bit key"))?;
            Ok(StaticKey::new(key))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path),
        Err(e) => Err(damaged(path, &format!("cannot be read: {e}"))),
    }
}

fn create(path: &Path) -> Result<StaticKey, ExtensionError> {
    let key = StaticKey::random()?;
    let encoded = STANDARD.encode(key.key()?);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(path)
        .and_then(|mut file| writeln!(file, "{encoded}"));
    written.map_err(|e| damaged(path, &format!("cannot be written: {e}")))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let made = key_file(&path).unwrap().key().unwrap();
        assert_eq!(key_file(&path).unwrap().key().unwrap(), made);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "only the owner may read it");
        }
    }

    #[test]
    fn a_damaged_key_file_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        std::fs::write(&path, "c2hvcnQ=\n").unwrap();
        let e = key_file(&path).err().expect("refused");
        assert!(e.to_string().contains("256-bit"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "c2hvcnQ=\n");
    }
}
