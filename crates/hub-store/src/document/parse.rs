//! Reading a configuration file: TOML syntax first, then each object on its own, so that one
//! misspelled key does not hide the mistakes in the objects after it.
//!
//! The TOML is parsed once into a spanned tree ([`toml::de::DeTable`]); a [`Locator`] keeps the
//! line of every key in it, addressed by path (`integration[0].change_detection.cron`), so the
//! later stages — domain validation, reference checks, even a write the database refuses — can
//! name the line of the field they complain about without carrying spans around.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use hub_domain::ErrorCode;
use hub_domain::catalogue::hub;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::format::{CollectionDoc, ExtensionDoc, IntegrationDoc, ModelDoc, RepositoryDoc};
use super::report::{ApplyError, ObjectKind, Problem};

/// A parsed configuration file: every object well-formed, names unique per kind. References
/// and domain rules are checked against the store when it is planned or applied.
#[derive(Debug, Clone)]
pub struct Document {
    pub(crate) file: String,
    pub(crate) extensions: Vec<ExtensionDoc>,
    /// Whether the extension host has checked every script (see [`Document::check_extensions`]).
    pub(crate) scripts_checked: bool,
    pub(crate) repositories: Vec<RepositoryDoc>,
    pub(crate) models: Vec<ModelDoc>,
    pub(crate) collections: Vec<CollectionDoc>,
    pub(crate) integrations: Vec<IntegrationDoc>,
    pub(crate) locator: Locator,
}

impl Document {
    /// Reads and parses the file at `path`; problems name it as written.
    pub fn read(path: &Path) -> Result<Document, ApplyError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ApplyError::Rejected(vec![Problem {
                code: hub::CONFIG_UNREADABLE,
                file: file.clone(),
                line: None,
                object: None,
                field: None,
                message: format!("cannot be read: {e}"),
            }])
        })?;
        Document::parse_in(file, &text, path.parent())
    }

    /// Parses `text`; `file` is the name problems are reported under. Extension scripts given
    /// by `file = …` are read relative to the working directory.
    pub fn parse(file: impl Into<String>, text: &str) -> Result<Document, ApplyError> {
        Document::parse_in(file, text, None)
    }

    /// Parses `text`, reading extension scripts given by `file = …` relative to `dir`.
    pub fn parse_in(
        file: impl Into<String>,
        text: &str,
        dir: Option<&Path>,
    ) -> Result<Document, ApplyError> {
        let file = file.into();
        let root = DeTable::parse(text).map_err(|e| {
            let line = e.span().map(|s| line_of(&line_starts(text), s.start));
            ApplyError::Rejected(vec![Problem {
                code: hub::CONFIG_UNREADABLE,
                file: file.clone(),
                line,
                object: None,
                field: None,
                message: format!("not valid TOML: {}", e.message()),
            }])
        })?;
        let mut doc = Document {
            file,
            extensions: Vec::new(),
            scripts_checked: false,
            repositories: Vec::new(),
            models: Vec::new(),
            collections: Vec::new(),
            integrations: Vec::new(),
            locator: Locator::build(text, root.get_ref()),
        };
        let mut problems = Vec::new();
        for (key, value) in root.get_ref().iter() {
            let kind = ObjectKind::ALL
                .into_iter()
                .find(|k| k.as_str() == key.get_ref().as_ref());
            match kind {
                Some(ObjectKind::Extension) => {
                    doc.extensions = doc.objects(ObjectKind::Extension, value, &mut problems);
                }
                Some(ObjectKind::Repository) => {
                    doc.repositories = doc.objects(ObjectKind::Repository, value, &mut problems);
                }
                Some(ObjectKind::Model) => {
                    doc.models = doc.objects(ObjectKind::Model, value, &mut problems);
                }
                Some(ObjectKind::Collection) => {
                    doc.collections = doc.objects(ObjectKind::Collection, value, &mut problems);
                }
                Some(ObjectKind::Integration) => {
                    doc.integrations = doc.objects(ObjectKind::Integration, value, &mut problems);
                }
                None => problems.push(Problem {
                    code: hub::VALIDATION_FAILED,
                    file: doc.file.clone(),
                    line: doc.locator.line(key.get_ref()),
                    object: None,
                    field: Some(key.get_ref().to_string()),
                    message: "unknown table; expected [[extension]], [[repository]], \
                              [[model]], [[collection]] or [[integration]]"
                        .into(),
                }),
            }
        }
        if problems.is_empty() {
            doc.check_unique_names(&mut problems);
            doc.read_scripts(dir, &mut problems);
        }
        // Tables come out of the parser by name; report in the order the file is read.
        problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
        if problems.is_empty() {
            Ok(doc)
        } else {
            Err(ApplyError::Rejected(problems))
        }
    }

    /// The name problems are reported under.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Whether the file declares no object at all.
    pub fn is_empty(&self) -> bool {
        self.extensions.is_empty()
            && self.repositories.is_empty()
            && self.models.is_empty()
            && self.collections.is_empty()
            && self.integrations.is_empty()
    }

    /// Deserializes each element of an array of tables on its own, collecting every failure.
    fn objects<T: DeserializeOwned>(
        &self,
        kind: ObjectKind,
        value: &Spanned<DeValue<'_>>,
        problems: &mut Vec<Problem>,
    ) -> Vec<T> {
        let DeValue::Array(items) = value.get_ref() else {
            problems.push(Problem {
                code: hub::VALIDATION_FAILED,
                file: self.file.clone(),
                line: self.locator.line(kind.as_str()),
                object: None,
                field: Some(kind.as_str().into()),
                message: format!("must be a list of tables: write [[{kind}]]"),
            });
            return Vec::new();
        };
        let mut out = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let object = object_path(kind, index);
            let DeValue::Table(table) = item.get_ref() else {
                problems.push(self.problem(
                    hub::VALIDATION_FAILED,
                    kind,
                    index,
                    &format!("#{}", index + 1),
                    None,
                    "must be a table",
                ));
                continue;
            };
            let name = match table.get("name").map(|v| v.get_ref()) {
                Some(DeValue::String(name)) => name.to_string(),
                _ => format!("#{}", index + 1),
            };
            let spanned = Spanned::new(item.span(), table.clone());
            match T::deserialize(toml::de::Deserializer::from(spanned)) {
                Ok(parsed) => out.push(parsed),
                Err(e) => {
                    let at = e.span().and_then(|s| self.locator.path_at(s.start));
                    let field = at
                        .and_then(|path| path.strip_prefix(&object))
                        .and_then(|rest| rest.strip_prefix('.'))
                        .map(str::to_owned);
                    problems.push(Problem {
                        code: hub::VALIDATION_FAILED,
                        file: self.file.clone(),
                        line: e
                            .span()
                            .map(|s| self.locator.line_at(s.start))
                            .or_else(|| self.locator.line(&object)),
                        object: Some((kind, name)),
                        field,
                        message: e.message().to_owned(),
                    });
                }
            }
        }
        out
    }

    fn check_unique_names(&self, problems: &mut Vec<Problem>) {
        let names: [(ObjectKind, Vec<&str>); 5] = [
            (
                ObjectKind::Extension,
                self.extensions.iter().map(|o| o.name.as_str()).collect(),
            ),
            (
                ObjectKind::Repository,
                self.repositories.iter().map(|o| o.name.as_str()).collect(),
            ),
            (
                ObjectKind::Model,
                self.models.iter().map(|o| o.name.as_str()).collect(),
            ),
            (
                ObjectKind::Collection,
                self.collections.iter().map(|o| o.name.as_str()).collect(),
            ),
            (
                ObjectKind::Integration,
                self.integrations.iter().map(|o| o.name.as_str()).collect(),
            ),
        ];
        for (kind, names) in names {
            let mut first: BTreeMap<&str, usize> = BTreeMap::new();
            for (index, name) in names.into_iter().enumerate() {
                if let Some(&earlier) = first.get(name) {
                    let at = self
                        .locator
                        .line(&object_path(kind, earlier))
                        .map_or(String::new(), |l| format!(" (first at line {l})"));
                    problems.push(self.problem(
                        hub::VALIDATION_FAILED,
                        kind,
                        index,
                        name,
                        Some("name"),
                        format!("is declared twice{at}; names are unique per kind"),
                    ));
                } else {
                    first.insert(name, index);
                }
            }
        }
    }

    /// A problem about the `index`-th object of `kind`, located at `field` (a path inside the
    /// object in the file's spelling) or, when that key is absent, at its nearest parent.
    pub(crate) fn problem(
        &self,
        code: ErrorCode,
        kind: ObjectKind,
        index: usize,
        name: &str,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Problem {
        let object = object_path(kind, index);
        let path = field.map_or(object.clone(), |f| format!("{object}.{f}"));
        Problem {
            code,
            file: self.file.clone(),
            line: self.locator.line(&path),
            object: Some((kind, name.to_owned())),
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    /// The line where the `index`-th object of `kind` starts.
    pub(crate) fn line_of(&self, kind: ObjectKind, index: usize) -> Option<usize> {
        self.locator.line(&object_path(kind, index))
    }
}

/// The path of an object in the locator: `collection[2]`.
fn object_path(kind: ObjectKind, index: usize) -> String {
    format!("{kind}[{index}]")
}

/// Lines of the keys and values of a parsed file, by path and by offset.
#[derive(Debug, Clone, Default)]
pub(crate) struct Locator {
    /// Path to 1-based line (of the key, or of the table header for array elements).
    lines: HashMap<String, usize>,
    /// Start offset of a key or value to its path, to place serde's errors.
    paths: HashMap<usize, String>,
    /// Offsets where lines start.
    starts: Vec<usize>,
}

impl Locator {
    fn build(text: &str, root: &DeTable<'_>) -> Locator {
        let mut locator = Locator {
            starts: line_starts(text),
            ..Locator::default()
        };
        for (key, value) in root.iter() {
            locator.walk(key.get_ref().to_string(), key.span().start, value);
        }
        locator
    }

    fn walk(&mut self, path: String, key_at: usize, value: &Spanned<DeValue<'_>>) {
        let line = line_of(&self.starts, key_at);
        self.lines.entry(path.clone()).or_insert(line);
        self.paths.entry(key_at).or_insert_with(|| path.clone());
        self.paths
            .entry(value.span().start)
            .or_insert_with(|| path.clone());
        match value.get_ref() {
            DeValue::Table(table) => {
                for (key, inner) in table.iter() {
                    let inner_path = format!("{path}.{}", key.get_ref());
                    self.walk(inner_path, key.span().start, inner);
                }
            }
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(format!("{path}[{i}]"), item.span().start, item);
                }
            }
            _ => {}
        }
    }

    /// The line of `path`, or of its nearest parent present in the file.
    pub(crate) fn line(&self, path: &str) -> Option<usize> {
        let mut path = path;
        loop {
            if let Some(line) = self.lines.get(path) {
                return Some(*line);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }

    fn line_at(&self, offset: usize) -> usize {
        line_of(&self.starts, offset)
    }

    fn path_at(&self, offset: usize) -> Option<&str> {
        self.paths.get(&offset).map(String::as_str)
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Problem> {
        match Document::parse("t.toml", text) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().to_vec(),
        }
    }

    #[test]
    fn syntax_errors_name_the_line_and_the_unreadable_code() {
        let p = problems("[[repository]]\nname = \"a\"\nconnector = [\n");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].code, hub::CONFIG_UNREADABLE);
        assert!(p[0].line.is_some(), "{p:?}");
    }

    #[test]
    fn every_malformed_object_is_reported_with_line_and_field() {
        let text = "[[repository]]\nname = \"a\"\nconnector = \"memory\"\nurll = \"x\"\n\n\
                    [[repository]]\nname = \"b\"\nconnector = \"memory\"\n\
                    rate_limit_per_minute = \"many\"\n";
        let p = problems(text);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].line, Some(4));
        assert_eq!(p[0].field.as_deref(), Some("urll"));
        assert!(p[0].message.contains("unknown field `urll`"), "{}", p[0]);
        assert_eq!(p[1].line, Some(9));
        assert_eq!(p[1].field.as_deref(), Some("rate_limit_per_minute"));
        assert_eq!(p[1].object, Some((ObjectKind::Repository, "b".into())));
    }

    #[test]
    fn unknown_tables_and_duplicate_names_are_refused() {
        let p = problems("[[repositories]]\nname = \"a\"\n");
        assert_eq!(p[0].field.as_deref(), Some("repositories"));
        let twice = "[[model]]\nname = \"m\"\n[[model.field]]\nname = \"x\"\ntype = \"string\"\n\
                     [[model]]\nname = \"m\"\n";
        let p = problems(twice);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, Some(7));
        assert!(p[0].message.contains("first at line 1"), "{}", p[0]);
    }

    #[test]
    fn the_locator_falls_back_to_the_nearest_parent() {
        let text = "[[integration]]\nname = \"i\"\n[integration.change_detection]\ncron = \"x\"\n";
        let root = DeTable::parse(text).unwrap();
        let locator = Locator::build(text, root.get_ref());
        assert_eq!(
            locator.line("integration[0].change_detection.cron"),
            Some(4)
        );
        assert_eq!(locator.line("integration[0].route[3].left"), Some(1));
    }
}
