//! What an administrator reads when a file is refused: one [`Problem`] per mistake, each with
//! its catalogue code, the line, the object and the field, and all of them at once so a file is
//! fixed in one round.

use std::fmt;

use hub_domain::ErrorCode;
use hub_domain::catalogue::hub;

use crate::error::StoreError;

/// The kinds of object a configuration file declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectKind {
    /// `[[extension]]`: a script mappings and integrations refer to by name.
    Extension,
    /// `[[repository]]`.
    Repository,
    /// `[[model]]`.
    Model,
    /// `[[collection]]` (with its mapping).
    Collection,
    /// `[[integration]]`.
    Integration,
}

impl ObjectKind {
    /// Every kind, in the order objects are created (each may refer to the ones before it).
    pub const ALL: [ObjectKind; 5] = [
        ObjectKind::Extension,
        ObjectKind::Repository,
        ObjectKind::Model,
        ObjectKind::Collection,
        ObjectKind::Integration,
    ];

    /// The word used in messages and as the TOML table name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Extension => "extension",
            ObjectKind::Repository => "repository",
            ObjectKind::Model => "model",
            ObjectKind::Collection => "collection",
            ObjectKind::Integration => "integration",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One mistake in a configuration file, or one thing the store refused while applying it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Catalogue code: `SYN-90040E` (not valid), `SYN-90041E` (missing reference),
    /// `SYN-90003E` (unreadable or not TOML), or the store's code for a refused write.
    pub code: ErrorCode,
    /// The file, as it was named when read.
    pub file: String,
    /// 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// The object concerned, when there is one.
    pub object: Option<(ObjectKind, String)>,
    /// Path of the field inside the object, in the file's spelling (`change_detection.cron`).
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    /// `hub.toml:23: integration 'L<->R': change_detection.cron: needs 6 or 7 fields…`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some((kind, name)) = &self.object {
            write!(f, "{kind} '{name}': ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Why a configuration file was not applied. Whatever the variant, nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The file has problems, or the store refused part of it; every problem found is listed.
    #[error("{} problem(s), nothing was applied:\n{}", .0.len(), list(.0))]
    Rejected(Vec<Problem>),
    /// The store failed for a reason unrelated to the file (unreachable, corrupt).
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {} {p}", p.code))
        .collect::<Vec<_>>()
        .join("\n")
}

impl ApplyError {
    /// The catalogue code: the first problem's, or the store's.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApplyError::Rejected(problems) => {
                problems.first().map_or(hub::VALIDATION_FAILED, |p| p.code)
            }
            ApplyError::Store(e) => e.code(),
        }
    }

    /// The problems found in the file (empty for a store failure).
    pub fn problems(&self) -> &[Problem] {
        match self {
            ApplyError::Rejected(problems) => problems,
            ApplyError::Store(_) => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_reads_file_line_object_field_message() {
        let p = Problem {
            code: hub::VALIDATION_FAILED,
            file: "hub.toml".into(),
            line: Some(23),
            object: Some((ObjectKind::Integration, "L<->R".into())),
            field: Some("change_detection.cron".into()),
            message: "needs 6 or 7 fields (seconds first), found 5".into(),
        };
        assert_eq!(
            p.to_string(),
            "hub.toml:23: integration 'L<->R': change_detection.cron: needs 6 or 7 fields \
             (seconds first), found 5"
        );
        let err = ApplyError::Rejected(vec![p]);
        assert_eq!(err.code().to_string(), "SYN-90040E");
        assert!(err.to_string().contains("SYN-90040E hub.toml:23"), "{err}");
    }
}
