//! Extension scripts in configuration files: read with the file, checked by the extension host
//! before anything is planned.
//!
//! The store cannot judge JavaScript, yet a file must never be half-applied because a script
//! turns out broken when the hub loads it. So the parser reads every script (inline `source` or
//! a `file` beside the document), and planning refuses a document with extensions until
//! [`Document::check_extensions`] has run the host's checks over all of them; their problems are
//! reported with the rest, placed at the extension's line.

use std::path::Path;

use hub_domain::ErrorCode;
use hub_domain::catalogue::hub;

use super::parse::Document;
use super::report::{ApplyError, ObjectKind, Problem};

/// An extension a file declares, as the extension host needs it to check the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclaredExtension<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its kind as written (`data_transformation`, …).
    pub kind: &'a str,
    /// The script.
    pub script: &'a str,
}

/// What the extension host found wrong with a declared extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptProblem {
    /// Catalogue code.
    pub code: ErrorCode,
    /// `kind` when the kind is unknown, `script` when the script is refused.
    pub field: ScriptField,
    /// What is wrong, with the position inside the script when there is one.
    pub message: String,
}

/// Which part of a declared extension a [`ScriptProblem`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptField {
    /// The `kind` key.
    Kind,
    /// The script (`source`, or the file named by `file`).
    Script,
}

impl Document {
    /// Reads the script of every extension: exactly one of `source` and `file`, the file
    /// relative to `dir` (the document's folder) when given.
    pub(crate) fn read_scripts(&mut self, dir: Option<&Path>, problems: &mut Vec<Problem>) {
        let mut found = Vec::new();
        for (index, e) in self.extensions.iter().enumerate() {
            let script = match (&e.source, &e.file) {
                (Some(source), None) => Ok(source.clone()),
                (None, Some(file)) => {
                    let path = dir.map_or_else(|| Path::new(file).to_path_buf(), |d| d.join(file));
                    std::fs::read_to_string(&path).map_err(|err| {
                        let message = format!("cannot read {}: {err}", path.display());
                        (hub::CONFIG_UNREADABLE, Some("file"), message)
                    })
                }
                (Some(_), Some(_)) => Err((
                    hub::VALIDATION_FAILED,
                    Some("file"),
                    "give the script either inline (source) or in a file (file), not both".into(),
                )),
                (None, None) => Err((
                    hub::VALIDATION_FAILED,
                    None,
                    "has no script: add source = \"\"\"…\"\"\" or file = \"name.js\"".into(),
                )),
            };
            match script {
                Ok(script) => found.push(script),
                Err((code, field, message)) => {
                    found.push(String::new());
                    let kind = ObjectKind::Extension;
                    problems.push(self.problem(code, kind, index, &e.name, field, message));
                }
            }
        }
        for (e, script) in self.extensions.iter_mut().zip(found) {
            e.script = script;
        }
    }

    /// The extensions the file declares, in file order.
    pub fn extensions(&self) -> Vec<DeclaredExtension<'_>> {
        self.extensions
            .iter()
            .map(|e| DeclaredExtension {
                name: &e.name,
                kind: &e.kind,
                script: &e.script,
            })
            .collect()
    }

    /// Runs `check` (the extension host's) over every declared extension. Only a document
    /// whose scripts all passed can be planned or applied; otherwise every problem is returned,
    /// placed at its extension.
    pub fn check_extensions(
        &mut self,
        check: impl Fn(&DeclaredExtension<'_>) -> Result<(), ScriptProblem>,
    ) -> Result<(), ApplyError> {
        let mut problems = Vec::new();
        for (index, declared) in self.extensions().iter().enumerate() {
            if let Err(p) = check(declared) {
                let e = &self.extensions[index];
                let field = match p.field {
                    ScriptField::Kind => "kind",
                    ScriptField::Script if e.file.is_some() => "file",
                    ScriptField::Script => "source",
                };
                let kind = ObjectKind::Extension;
                problems.push(self.problem(p.code, kind, index, &e.name, Some(field), p.message));
            }
        }
        if problems.is_empty() {
            self.scripts_checked = true;
            Ok(())
        } else {
            Err(ApplyError::Rejected(problems))
        }
    }

    /// Problems for a document whose scripts were never checked: one per extension.
    pub(crate) fn unchecked_scripts(&self) -> Vec<Problem> {
        if self.scripts_checked {
            return Vec::new();
        }
        self.extensions
            .iter()
            .enumerate()
            .map(|(index, e)| {
                self.problem(
                    hub::VALIDATION_FAILED,
                    ObjectKind::Extension,
                    index,
                    &e.name,
                    None,
                    "its script was not checked by the extension host; apply the file with \
                     `hub-server apply`, which checks every script first",
                )
            })
            .collect()
    }
}
