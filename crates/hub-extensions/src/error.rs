//! The crate's error type. Every variant carries the catalogue code an administrator sees:
//! whatever goes wrong inside a script (a `throw`, a runtime error, a sandbox limit) is 17011,
//! output the hub cannot use is 17024, and key-value store problems use the generic codes for
//! "not found" and "invalid data".

use std::fmt;

use hub_domain::ErrorCode;
use hub_domain::catalogue::hub;

/// Which sandbox limit stopped a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Too many loop iterations.
    LoopIterations,
    /// Too deep a call stack.
    Recursion,
    /// Ran longer than the wall-clock limit.
    WallClock,
    /// Grew memory beyond the limit.
    Memory,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::LoopIterations => "loop iteration limit",
            Limit::Recursion => "recursion depth limit",
            Limit::WallClock => "wall-clock time limit",
            Limit::Memory => "memory limit",
        })
    }
}

/// Where in a script something happened (1-based, as editors count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line.
    pub line: u32,
    /// Column.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

fn at(position: &Option<Position>) -> String {
    position.map(|p| format!(" at {p}")).unwrap_or_default()
}

/// Errors of the extension host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionError {
    /// The script lacks a function its kind requires.
    #[error("extension '{name}' must define function {function}")]
    MissingFunction {
        /// Extension name.
        name: String,
        /// The missing function.
        function: &'static str,
    },
    /// The script lacks a variable its kind requires (`inputTypes`, `outputTypes`).
    #[error("extension '{name}' must declare variable {variable}")]
    MissingDeclaration {
        /// Extension name.
        name: String,
        /// The missing variable.
        variable: &'static str,
    },
    /// The script does not parse.
    #[error("extension '{name}' has a syntax error at {position}: {message}")]
    Syntax {
        /// Extension name.
        name: String,
        /// The parser's message.
        message: String,
        /// Where.
        position: Position,
    },
    /// The script threw, or failed at run time.
    #[error("extension '{name}' failed{}: {message}", at(.position))]
    Script {
        /// Extension name.
        name: String,
        /// The thrown value or error message.
        message: String,
        /// Where it was thrown, when known.
        position: Option<Position>,
    },
    /// The script hit a sandbox limit and was stopped.
    #[error("extension '{name}' was stopped: it exceeded the {limit} ({detail})")]
    Limit {
        /// Extension name.
        name: String,
        /// The limit.
        limit: Limit,
        /// The configured value.
        detail: String,
    },
    /// The script returned something the hub cannot use.
    #[error("the result of extension '{name}' cannot be used: {reason}")]
    Output {
        /// Extension name.
        name: String,
        /// Why.
        reason: String,
    },
    /// No extension of that name is loaded.
    #[error("no extension named '{name}' is loaded")]
    UnknownExtension {
        /// The name asked for.
        name: String,
    },
    /// The host's worker threads are gone or do not answer.
    #[error("the extension host is unavailable: {reason}")]
    HostUnavailable {
        /// Why.
        reason: String,
    },
    /// No key-value store of that name.
    #[error("key-value store '{store}' does not exist")]
    StoreNotFound {
        /// The store's name.
        store: String,
    },
    /// The store has no such key.
    #[error("key-value store '{store}' has no key '{key}'")]
    KeyNotFound {
        /// The store's name.
        store: String,
        /// The key.
        key: String,
    },
    /// An import file or a pair is not acceptable; nothing was written.
    #[error("key-value store '{store}': {location}: {reason}; nothing was imported")]
    InvalidPairs {
        /// The store's name.
        store: String,
        /// The row, line or key concerned.
        location: String,
        /// What is wrong.
        reason: String,
    },
    /// The store would hold more pairs than allowed.
    #[error("key-value store '{store}' would hold {count} pairs; at most {limit} are allowed")]
    TooManyPairs {
        /// The store's name.
        store: String,
        /// Pairs it would hold.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Confidential values cannot be encrypted or decrypted.
    #[error("confidential values cannot be protected: {reason}")]
    Crypto {
        /// Why.
        reason: String,
    },
    /// The store failed.
    #[error("{message}")]
    Store {
        /// The store's code.
        code: ErrorCode,
        /// Its message.
        message: String,
    },
}

impl ExtensionError {
    /// The catalogue code shown for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ExtensionError::MissingFunction { .. }
            | ExtensionError::MissingDeclaration { .. }
            | ExtensionError::Syntax { .. }
            | ExtensionError::Script { .. }
            | ExtensionError::Limit { .. } => ErrorCode::error(17011),
            ExtensionError::Output { .. } => ErrorCode::error(17024),
            ExtensionError::UnknownExtension { .. }
            | ExtensionError::StoreNotFound { .. }
            | ExtensionError::KeyNotFound { .. } => ErrorCode::error(30001),
            ExtensionError::HostUnavailable { .. } => ErrorCode::error(30000),
            ExtensionError::InvalidPairs { .. } => ErrorCode::error(30002),
            ExtensionError::TooManyPairs { .. } => hub::VALIDATION_FAILED,
            ExtensionError::Crypto { .. } => hub::ENCRYPTION_UNAVAILABLE,
            ExtensionError::Store { code, .. } => *code,
        }
    }

    /// The position in the script, for errors that have one.
    pub fn position(&self) -> Option<Position> {
        match self {
            ExtensionError::Syntax { position, .. } => Some(*position),
            ExtensionError::Script { position, .. } => *position,
            _ => None,
        }
    }
}

impl From<hub_store::StoreError> for ExtensionError {
    fn from(err: hub_store::StoreError) -> Self {
        ExtensionError::Store {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_failures_are_17011_and_show_the_position() {
        let err = ExtensionError::Script {
            name: "x".into(),
            message: "boom".into(),
            position: Some(Position { line: 3, column: 7 }),
        };
        assert_eq!(err.code().to_string(), "SYN-17011E");
        assert_eq!(
            err.to_string(),
            "extension 'x' failed at line 3, column 7: boom"
        );
        let missing = ExtensionError::MissingFunction {
            name: "x".into(),
            function: "transform",
        };
        assert_eq!(missing.code().to_string(), "SYN-17011E");
    }
}
