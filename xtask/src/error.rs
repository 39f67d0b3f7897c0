//! One small error type for every task, so `main` can print a single clear
//! line and pick the exit code (a failed child keeps its own code).

use std::fmt;
use std::process::ExitCode;

/// Why a task failed.
#[derive(Debug)]
pub enum Error {
    /// A command ran but exited unsuccessfully.
    Command {
        /// The command line as printed before running it.
        command: String,
        /// Its exit code, if it exited normally.
        code: Option<i32>,
    },
    /// A program could not be started at all (usually: not installed).
    Spawn {
        /// The program name.
        program: String,
        /// The operating system's reason.
        reason: String,
    },
    /// A service did not come up, or misbehaved.
    Service {
        /// The service instance name.
        name: String,
        /// What went wrong, possibly with a log tail.
        message: String,
    },
    /// A file-system or other I/O failure.
    Io(String),
    /// Anything else, already worded for the user.
    Other(String),
}

/// Shorthand used throughout xtask.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Builds a service error.
    pub fn service(name: &str, message: impl Into<String>) -> Self {
        Error::Service {
            name: name.to_owned(),
            message: message.into(),
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Command {
                code: Some(code), ..
            } => u8::try_from(*code)
                .ok()
                .filter(|c| *c != 0)
                .map_or(ExitCode::FAILURE, ExitCode::from),
            _ => ExitCode::FAILURE,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Command {
                command,
                code: Some(code),
            } => write!(f, "`{command}` failed with exit code {code}"),
            Error::Command {
                command,
                code: None,
            } => {
                write!(f, "`{command}` was killed by a signal")
            }
            Error::Spawn { program, reason } => {
                write!(f, "could not run `{program}`: {reason}")
            }
            Error::Service { name, message } => write!(f, "service {name}: {message}"),
            Error::Io(message) | Error::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::Io(err.to_string())
    }
}
