//! Codes of the hub process itself. Where the re-built catalogue has a number for the condition
//! (another instance holds the store, the store is unreachable) the constant names it; the rest
//! are Syncline's own entries in the `90000` range: configuration file, listener, migrations.

use super::{CatalogueEntry, ErrorCode};

/// The configuration file or environment holds a key the hub does not know.
pub const CONFIG_UNKNOWN_KEY: ErrorCode = ErrorCode::error(90001);
/// A configuration value has the wrong type or is out of range.
pub const CONFIG_INVALID_VALUE: ErrorCode = ErrorCode::error(90002);
/// The configuration file cannot be read or parsed.
pub const CONFIG_UNREADABLE: ErrorCode = ErrorCode::error(90003);
/// Another hub process holds the store's instance lock (re-built catalogue entry).
pub const INSTANCE_LOCK_HELD: ErrorCode = ErrorCode::error(30012);
/// The instance lock was lost while running (another process took it over).
pub const INSTANCE_LOCK_LOST: ErrorCode = ErrorCode::error(90011);
/// The store cannot be opened or reached (re-built catalogue entry).
pub const STORE_UNAVAILABLE: ErrorCode = ErrorCode::error(30009);
/// The hub is still starting (re-built catalogue entry).
pub const STILL_STARTING: ErrorCode = ErrorCode::error(30019);
/// Password encryption could not be initialized (re-built catalogue entry).
pub const ENCRYPTION_UNAVAILABLE: ErrorCode = ErrorCode::error(60001);
/// Migrating the store forward failed.
pub const STORE_MIGRATION_FAILED: ErrorCode = ErrorCode::error(90021);
/// The store was written by a newer Syncline than this one.
pub const STORE_TOO_NEW: ErrorCode = ErrorCode::error(90022);
/// The HTTP listener cannot be started.
pub const LISTENER_FAILED: ErrorCode = ErrorCode::error(90030);
/// The TLS certificate or key cannot be loaded.
pub const TLS_INVALID: ErrorCode = ErrorCode::error(90031);
/// A configuration object failed validation.
pub const VALIDATION_FAILED: ErrorCode = ErrorCode::error(90040);
/// A configuration object refers to one that does not exist.
pub const REFERENCE_MISSING: ErrorCode = ErrorCode::error(90041);
/// No person of the target repository matches the person of the source artifact.
pub const PERSON_NOT_FOUND: ErrorCode = ErrorCode::error(90050);
/// A state transition failed or the target state cannot be reached (re-built catalogue entry).
pub const STATE_TRANSITION_FAILED: ErrorCode = ErrorCode::error(17021);

pub(super) static ENTRIES: &[CatalogueEntry] = &[
    CatalogueEntry {
        code: CONFIG_UNKNOWN_KEY,
        message: "Unknown configuration key '{key}' in {source}.",
        description: "The hub's configuration names a setting that does not exist, often a \
                      misspelling. The hub refuses to start rather than ignore it.",
        user_action: "Correct or remove the key; the message suggests the closest known key \
                      when there is one. 'hub-server --help' lists the settings.",
    },
    CatalogueEntry {
        code: CONFIG_INVALID_VALUE,
        message: "Invalid value for configuration key '{key}' in {source}: {reason}",
        description: "A setting has a value of the wrong type or outside its allowed range.",
        user_action: "Fix the value as the reason says and start the hub again.",
    },
    CatalogueEntry {
        code: CONFIG_UNREADABLE,
        message: "The configuration file {source} cannot be read: {reason}",
        description: "The file is missing, unreadable or not valid TOML.",
        user_action: "Check that the file named in the message exists and is readable, and fix \
                      its syntax at the position named in the reason.",
    },
    CatalogueEntry {
        code: INSTANCE_LOCK_LOST,
        message: "This hub lost the store's instance lock to {holder_host} (pid {holder_pid}).",
        description: "Another process took the lock over, usually with --override-lock. This \
                      hub stops so that two processes never work on the same store.",
        user_action: "Check which hub should be running and stop the other.",
    },
    CatalogueEntry {
        code: STORE_MIGRATION_FAILED,
        message: "Upgrading the store failed at migration {migration}: {reason}",
        description: "The schema could not be brought to this version. SQLite stores were \
                      copied aside before migrating; nothing is lost.",
        user_action: "Restore the backup named in the log if needed, fix the cause in the \
                      reason, then start the hub again.",
    },
    CatalogueEntry {
        code: STORE_TOO_NEW,
        message: "The store has migrations this hub does not know ({migrations}).",
        description: "A newer Syncline has upgraded this store. Running an older hub on it \
                      could corrupt it, so the hub refuses to start.",
        user_action: "Run the newer Syncline version, or restore a backup made before the \
                      upgrade.",
    },
    CatalogueEntry {
        code: LISTENER_FAILED,
        message: "Cannot listen on {address}: {reason}",
        description: "The HTTP server could not bind its address.",
        user_action: "Choose a free port with --bind or SYNCLINE_BIND, or stop the program \
                      using it.",
    },
    CatalogueEntry {
        code: TLS_INVALID,
        message: "The TLS certificate or key cannot be used: {reason}",
        description: "TLS was configured but the PEM files are missing, unreadable or do not \
                      match.",
        user_action: "Check tls_cert and tls_key point at a PEM certificate chain and its \
                      private key.",
    },
    CatalogueEntry {
        code: VALIDATION_FAILED,
        message: "{object} '{name}' is not valid: {reason}",
        description: "A configuration object breaks a rule and was not saved.",
        user_action: "Correct the field named in the message and save again.",
    },
    CatalogueEntry {
        code: REFERENCE_MISSING,
        message: "{object} '{name}' refers to {target} '{reference}', which does not exist.",
        description: "A configuration object points at another that was deleted or never \
                      created.",
        user_action: "Create the missing object or change the reference.",
    },
    CatalogueEntry {
        code: PERSON_NOT_FOUND,
        message: "No person in {repository} matches '{person}'.",
        description: "The hub maps people between repositories by e-mail address, then user \
                      name, then display name. None of them found the person in the target \
                      repository, so the artifact was not changed there: an assignee or \
                      reporter is never cleared silently.",
        user_action: "Create the person (or give them the same e-mail address) in the target \
                      repository, or correct the person on the source artifact; then retry \
                      the activity.",
    },
];
