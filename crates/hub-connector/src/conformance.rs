//! The conformance suite: one set of checks every adapter runs against a live tracker.
//!
//! The engine relies on promises the trait cannot express in types: a write changes the version,
//! a stale version is refused, change queries page without losing or repeating artifacts, a
//! missing artifact is `NotFound` and not a network error. Each adapter proves them the same way
//! by running [`Conformance::run`] against a real instance of its tracker (the memory tracker in
//! this crate's tests; Redmine or Trac in theirs). Checks that need a capability the connector
//! does not claim, or a setting the descriptor leaves out, are reported as skipped, never as
//! passed. The suite creates artifacts (tagged with a run id) and never deletes any: point it at
//! a project meant for tests.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use hub_domain::model::{FieldType, FieldValue};

use crate::connector::Connector;
use crate::error::{ConnectorError, ErrorClass};
use crate::kind::Capability;
use crate::types::{
    Artifact, ArtifactScope, ChangedArtifact, NewArtifact, NewAttachment, NewComment, NewTimeEntry,
    PersonQuery,
};

/// What a check returns: `Err` carries what went wrong.
type CheckResult = Result<(), String>;

/// A live tracker to check, and what the suite needs to know about it.
pub struct Conformance {
    /// The connector under test.
    pub connector: Arc<dyn Connector>,
    /// A project the suite may create artifacts in.
    pub project: String,
    /// The artifact type to create.
    pub artifact_type: String,
    /// A writable plain or rich text field (summary, subject) the suite writes unique text to.
    pub text_field: String,
    /// Further values for every created artifact: the required fields, and any values whose
    /// round trip should be checked.
    pub create_fields: BTreeMap<String, FieldValue>,
    /// A write the tracker must refuse as an invalid value. When `None`, the suite writes an
    /// unknown option to the first writable single-select field of the schema.
    pub invalid_value: Option<(String, FieldValue)>,
    /// The field holding the workflow state (needed by the transition check).
    pub state_field: Option<String>,
    /// A relationship field to link a second artifact with (needed by the relationship check).
    pub relationship_field: Option<String>,
    /// A query that finds at least one person (needed by the person check).
    pub person_query: Option<PersonQuery>,
    /// A query that finds exactly one person the connection may log time for (needed by the
    /// check that time entries are filed under the worker they name).
    pub time_entry_worker: Option<PersonQuery>,
    /// An artifact id that does not exist.
    pub missing_id: String,
    /// How many artifacts the paging check creates; more than the connector's page size, so the
    /// query really spans pages.
    pub paging_artifacts: usize,
    /// Time limit of each check.
    pub check_timeout: Duration,
}

/// The outcome of a run.
#[derive(Debug, Clone, Default)]
pub struct ConformanceReport {
    /// Each check that ran, with what went wrong if it failed.
    pub results: Vec<(&'static str, Result<(), String>)>,
    /// Each check that did not run, with why.
    pub skipped: Vec<(&'static str, String)>,
}

impl ConformanceReport {
    /// The checks that failed.
    pub fn failures(&self) -> Vec<(&'static str, &str)> {
        self.results
            .iter()
            .filter_map(|(name, result)| result.as_ref().err().map(|e| (*name, e.as_str())))
            .collect()
    }

    /// Whether every check that ran passed.
    pub fn passed(&self) -> bool {
        self.failures().is_empty()
    }

    /// Panics listing every failure.
    #[track_caller]
    pub fn assert_passed(&self) {
        let failures = self.failures();
        if !failures.is_empty() {
            let lines: Vec<String> = failures
                .iter()
                .map(|(name, e)| format!("  {name}: {e}"))
                .collect();
            panic!(
                "{} conformance check(s) failed:\n{}\n\n{self}",
                failures.len(),
                lines.join("\n")
            );
        }
    }
}

impl fmt::Display for ConformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, result) in &self.results {
            match result {
                Ok(()) => writeln!(f, "PASS {name}")?,
                Err(e) => writeln!(f, "FAIL {name}: {e}")?,
            }
        }
        for (name, reason) in &self.skipped {
            writeln!(f, "SKIP {name}: {reason}")?;
        }
        Ok(())
    }
}

impl Conformance {
    /// A suite with defaults for everything but the tracker's essentials; set the optional
    /// fields to enable the checks that need them.
    pub fn new(
        connector: Arc<dyn Connector>,
        project: impl Into<String>,
        artifact_type: impl Into<String>,
        text_field: impl Into<String>,
    ) -> Self {
        Self {
            connector,
            project: project.into(),
            artifact_type: artifact_type.into(),
            text_field: text_field.into(),
            create_fields: BTreeMap::new(),
            invalid_value: None,
            state_field: None,
            relationship_field: None,
            person_query: None,
            time_entry_worker: None,
            missing_id: "999999999".to_owned(),
            paging_artifacts: 3,
            check_timeout: Duration::from_secs(120),
        }
    }

    /// Runs every check, one after the other.
    pub async fn run(&self) -> ConformanceReport {
        let tag = run_tag();
        let descriptor = self.connector.descriptor();
        let mut report = ConformanceReport::default();
        for check in Check::ALL {
            let (name, needs) = check.spec();
            if let Some(missing) = needs.iter().find(|c| !descriptor.can(**c)) {
                let reason = format!("the connector lacks the {missing:?} capability");
                report.skipped.push((name, reason));
            } else if let Some(setting) = self.missing_setting(check) {
                report
                    .skipped
                    .push((name, format!("`{setting}` is not set")));
            } else {
                let result = tokio::time::timeout(self.check_timeout, self.perform(check, &tag))
                    .await
                    .unwrap_or_else(|_| {
                        Err(format!("did not finish within {:?}", self.check_timeout))
                    });
                report.results.push((name, result));
            }
        }
        report
    }

    /// The descriptor field a check needs and lacks, if any.
    fn missing_setting(&self, check: Check) -> Option<&'static str> {
        match check {
            Check::Transitions => self.state_field.is_none().then_some("state_field"),
            Check::Relationships => self
                .relationship_field
                .is_none()
                .then_some("relationship_field"),
            Check::PersonsSearch => self.person_query.is_none().then_some("person_query"),
            Check::TimeEntriesForWorker => self
                .time_entry_worker
                .is_none()
                .then_some("time_entry_worker"),
            _ => None,
        }
    }

    async fn perform(&self, check: Check, tag: &str) -> CheckResult {
        match check {
            Check::TestConnection => self.test_connection().await,
            Check::ProjectsIncludeProject => self.projects_include_project().await,
            Check::ArtifactTypesAndSchema => self.artifact_types_and_schema().await,
            Check::CreateThenFetch => self.create_then_fetch(tag).await,
            Check::UpdateChangesVersionAndTime => self.update_changes_version_and_time(tag).await,
            Check::StaleVersionConflicts => self.stale_version_conflicts(tag).await,
            Check::InvalidValueRefused => self.invalid_value_refused(tag).await,
            Check::FindByFormattedId => self.find_by_formatted_id(tag).await,
            Check::FindBySource => self.find_by_source(tag).await,
            Check::Comments => self.comments(tag).await,
            Check::Attachments => self.attachments(tag).await,
            Check::TimeEntries => self.time_entries(tag).await,
            Check::TimeEntriesForWorker => self.time_entries_for_worker(tag).await,
            Check::Transitions => self.transitions(tag).await,
            Check::StaleTransitionConflicts => self.stale_transition_conflicts(tag).await,
            Check::Relationships => self.relationships(tag).await,
            Check::PersonsSearch => self.persons_search(tag).await,
            Check::ChangedSincePaging => self.changed_since_paging(tag).await,
            Check::FetchMissingIsNotFound => self.fetch_missing_is_not_found().await,
        }
    }

    async fn test_connection(&self) -> CheckResult {
        self.connector
            .test_connection()
            .await
            .map_err(failed("test_connection"))
    }

    async fn projects_include_project(&self) -> CheckResult {
        let projects = self
            .connector
            .projects()
            .await
            .map_err(failed("projects"))?;
        ensure(projects.iter().any(|p| p.key == self.project), || {
            format!(
                "project '{}' is not among {:?}",
                self.project,
                projects.iter().map(|p| &p.key).collect::<Vec<_>>()
            )
        })
    }

    async fn artifact_types_and_schema(&self) -> CheckResult {
        let types = self
            .connector
            .artifact_types(&self.project)
            .await
            .map_err(failed("artifact_types"))?;
        ensure(types.iter().any(|t| t.key == self.artifact_type), || {
            format!(
                "artifact type '{}' is not among {types:?}",
                self.artifact_type
            )
        })?;
        let schema = self
            .connector
            .schema(&self.project, &self.artifact_type)
            .await
            .map_err(failed("schema"))?;
        ensure(!schema.fields.is_empty(), || {
            "the schema has no fields".to_owned()
        })?;
        let mut ids = BTreeSet::new();
        for field in &schema.fields {
            ensure(!field.id.is_empty() && !field.name.is_empty(), || {
                format!("field without id or name: {field:?}")
            })?;
            ensure(ids.insert(&field.id), || {
                format!("field '{}' is listed twice", field.id)
            })?;
            ensure(
                field.field_type.has_options() != field.options.is_empty(),
                || {
                    format!(
                        "field '{}': select fields need options, other fields have none",
                        field.id
                    )
                },
            )?;
        }
        let text = schema
            .field(&self.text_field)
            .ok_or_else(|| format!("no field '{}'", self.text_field))?;
        ensure(
            !text.read_only && matches!(text.field_type, FieldType::String | FieldType::RichText),
            || {
                format!(
                    "text field '{}' is not a writable text field: {text:?}",
                    self.text_field
                )
            },
        )?;
        for id in self.create_fields.keys() {
            let writable = schema.field(id).is_some_and(|f| !f.read_only);
            ensure(writable, || {
                format!("create field '{id}' is not a writable field of the schema")
            })?;
        }
        Ok(())
    }

    async fn create_then_fetch(&self, tag: &str) -> CheckResult {
        let created = self.create(&format!("{tag} create"), None).await?;
        ensure(
            !created.id.is_empty()
                && !created.formatted_id.is_empty()
                && !created.version.is_empty(),
            || format!("created artifact lacks id, formatted id or version: {created:?}"),
        )?;
        ensure(
            created.project == self.project && created.artifact_type == self.artifact_type,
            || {
                format!(
                    "created in {}/{}, not {}/{}",
                    created.project, created.artifact_type, self.project, self.artifact_type
                )
            },
        )?;
        let fetched = self.fetch(&created.id).await?;
        for (id, written) in self.values(&format!("{tag} create")) {
            let read = fetched.fields.get(&id).cloned().unwrap_or(FieldValue::Null);
            ensure(
                read.clone().normalized() == written.clone().normalized(),
                || format!("field '{id}': wrote {written:?}, read back {read:?}"),
            )?;
        }
        Ok(())
    }

    async fn update_changes_version_and_time(&self, tag: &str) -> CheckResult {
        let created = self.create(&format!("{tag} before update"), None).await?;
        // Trackers report times to the second: let one pass so the update's time must differ.
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        let expected = self
            .descriptor_can(Capability::OptimisticLocking)
            .then_some(created.version.as_str());
        let text = format!("{tag} after update");
        let updated = self
            .connector
            .update(&created.id, expected, &self.text_value(&text))
            .await
            .map_err(failed("update"))?;
        ensure(updated.version != created.version, || {
            format!("version stayed {}", created.version)
        })?;
        ensure(updated.updated_at > created.updated_at, || {
            format!(
                "updated_at went from {} to {}",
                created.updated_at, updated.updated_at
            )
        })?;
        let fetched = self.fetch(&created.id).await?;
        ensure(
            fetched.fields.get(&self.text_field) == Some(&FieldValue::Text(text.clone())),
            || {
                format!(
                    "fetch after update shows {:?}",
                    fetched.fields.get(&self.text_field)
                )
            },
        )?;
        ensure(fetched.version == updated.version, || {
            format!(
                "update answered version {}, fetch {}",
                updated.version, fetched.version
            )
        })?;
        // The engine queries from its watermark, which lies before the write.
        let changes = self.changes(Some(created.updated_at)).await?;
        ensure(
            changes
                .iter()
                .any(|c| c.id == created.id && c.version == updated.version),
            || {
                format!(
                    "changes since {} do not report {} at version {}",
                    created.updated_at, created.id, updated.version
                )
            },
        )
    }

    async fn stale_version_conflicts(&self, tag: &str) -> CheckResult {
        let created = self.create(&format!("{tag} conflict"), None).await?;
        let first = format!("{tag} conflict first");
        self.connector
            .update(
                &created.id,
                Some(&created.version),
                &self.text_value(&first),
            )
            .await
            .map_err(failed("update with the current version"))?;
        let stale = self
            .connector
            .update(
                &created.id,
                Some(&created.version),
                &self.text_value(&format!("{tag} conflict stale")),
            )
            .await;
        expect_class(
            stale,
            ErrorClass::VersionConflict,
            "update with a stale version",
        )?;
        let fetched = self.fetch(&created.id).await?;
        ensure(
            fetched.fields.get(&self.text_field) == Some(&FieldValue::Text(first)),
            || "the refused update was written anyway".to_owned(),
        )
    }

    async fn invalid_value_refused(&self, tag: &str) -> CheckResult {
        let created = self.create(&format!("{tag} invalid"), None).await?;
        let (field, value) = match &self.invalid_value {
            Some(invalid) => invalid.clone(),
            None => self.derived_invalid_value().await?,
        };
        let fields = BTreeMap::from([(field.clone(), value.clone())]);
        let result = self.connector.update(&created.id, None, &fields).await;
        expect_class(
            result,
            ErrorClass::InvalidValue,
            &format!("writing {value:?} to '{field}'"),
        )?;
        let fetched = self.fetch(&created.id).await?;
        ensure(fetched.version == created.version, || {
            "the refused write changed the version".to_owned()
        })
    }

    async fn derived_invalid_value(&self) -> Result<(String, FieldValue), String> {
        let schema = self
            .connector
            .schema(&self.project, &self.artifact_type)
            .await
            .map_err(failed("schema"))?;
        schema
            .fields
            .iter()
            .find(|f| f.field_type == FieldType::SingleSelect && !f.read_only)
            .map(|f| {
                (
                    f.id.clone(),
                    FieldValue::Option("conformance: not an option".to_owned()),
                )
            })
            .ok_or_else(|| {
                "no writable single-select field to write a bad option to; set `invalid_value`"
                    .to_owned()
            })
    }

    async fn find_by_formatted_id(&self, tag: &str) -> CheckResult {
        let created = self.create(&format!("{tag} formatted id"), None).await?;
        let found = self
            .connector
            .find_by_formatted_id(&created.formatted_id)
            .await
            .map_err(failed("find_by_formatted_id"))?;
        ensure(found.as_ref().is_some_and(|f| f.id == created.id), || {
            format!("'{}' found {:?}", created.formatted_id, found.map(|f| f.id))
        })
    }

    async fn find_by_source(&self, tag: &str) -> CheckResult {
        let source = format!("{tag}:source");
        let created = self
            .create(&format!("{tag} source"), Some(source.clone()))
            .await?;
        let fetched = self.fetch(&created.id).await?;
        ensure(fetched.source.as_deref() == Some(source.as_str()), || {
            format!("fetch shows source {:?}", fetched.source)
        })?;
        let scope = self.scope();
        let found = self
            .connector
            .find_by_source(&scope, &source)
            .await
            .map_err(failed("find_by_source"))?;
        ensure(found.as_ref().is_some_and(|f| f.id == created.id), || {
            format!("source '{source}' found {:?}", found.map(|f| f.id))
        })?;
        let absent = self
            .connector
            .find_by_source(&scope, &format!("{tag}:absent"))
            .await
            .map_err(failed("find_by_source"))?;
        ensure(absent.is_none(), || {
            format!("an unknown source found {:?}", absent.map(|f| f.id))
        })
    }

    async fn comments(&self, tag: &str) -> CheckResult {
        let created = self.create(&format!("{tag} comments"), None).await?;
        let mut added = Vec::new();
        for n in 1..=2 {
            // Bodies are model rich text, which a connector converts to its markup and back.
            let new = NewComment {
                body: format!("<p>{tag} comment {n}</p>"),
                author: None,
                private: false,
                source: Some(format!("{tag}:comment:{n}")),
            };
            let comment = self
                .connector
                .add_comment(&created.id, &new)
                .await
                .map_err(failed("add_comment"))?;
            ensure(
                comment.body == new.body && comment.source == new.source,
                || format!("add_comment answered {comment:?} for {new:?}"),
            )?;
            added.push(comment);
        }
        let listed = self
            .connector
            .comments(&created.id)
            .await
            .map_err(failed("comments"))?;
        let ours: Vec<_> = listed
            .iter()
            .filter(|c| added.iter().any(|a| a.id == c.id))
            .collect();
        ensure(ours.len() == 2 && ours[0].id == added[0].id, || {
            format!("comments lists {listed:?}, expected {added:?} oldest first")
        })?;
        ensure(
            ours.iter()
                .zip(&added)
                .all(|(l, a)| l.body == a.body && l.source == a.source),
            || format!("listed comments {ours:?} differ from added {added:?}"),
        )
    }

    async fn attachments(&self, tag: &str) -> CheckResult {
        let created = self.create(&format!("{tag} attachments"), None).await?;
        let content: Vec<u8> = (0..=255u8).chain(tag.bytes()).collect();
        let new = NewAttachment {
            file_name: "conformance.bin".to_owned(),
            content_type: "application/octet-stream".to_owned(),
            content: content.clone(),
            source: Some(format!("{tag}:attachment")),
        };
        let uploaded = self
            .connector
            .upload(&created.id, &new)
            .await
            .map_err(failed("upload"))?;
        let listed = self
            .connector
            .attachments(&created.id)
            .await
            .map_err(failed("attachments"))?;
        let found = listed
            .iter()
            .find(|a| a.id == uploaded.id)
            .ok_or_else(|| format!("attachments lists {listed:?} without {uploaded:?}"))?;
        ensure(
            found.file_name == new.file_name
                && found.size == content.len() as u64
                && found.source == new.source,
            || {
                format!(
                    "listed {found:?} for uploaded {} bytes named {}",
                    content.len(),
                    new.file_name
                )
            },
        )?;
        let downloaded = self
            .connector
            .download(&created.id, &uploaded.id)
            .await
            .map_err(failed("download"))?;
        ensure(downloaded == content, || {
            format!(
                "downloaded {} bytes differ from the uploaded ones",
                downloaded.len()
            )
        })
    }

    async fn time_entries(&self, tag: &str) -> CheckResult {
        let created = self.create(&format!("{tag} time entries"), None).await?;
        let empty = self.create(&format!("{tag} no time entries"), None).await?;
        let day = NaiveDate::from_ymd_opt(2026, 1, 15).ok_or("a valid date")?;
        let mut added = Vec::new();
        for (n, minutes) in [(1u32, 20u32), (2, 135)] {
            let new = NewTimeEntry {
                author: None,
                spent_on: day,
                minutes,
                comment: format!("{tag} work {n}"),
                activity: None,
                source: Some(format!("{tag}:time:{n}")),
            };
            let entry = self
                .connector
                .add_time_entry(&created.id, &new)
                .await
                .map_err(failed("add_time_entry"))?;
            ensure(
                !entry.id.is_empty()
                    && !entry.author.id.is_empty()
                    && entry.minutes == new.minutes
                    && entry.spent_on == new.spent_on
                    && entry.comment == new.comment
                    && entry.source == new.source,
                || format!("add_time_entry answered {entry:?} for {new:?}"),
            )?;
            added.push(entry);
        }
        let listed = self
            .connector
            .time_entries(&created.id)
            .await
            .map_err(failed("time_entries"))?;
        ensure(listed == added, || {
            format!("time_entries lists {listed:?}, expected {added:?} oldest first")
        })?;
        let none = self
            .connector
            .time_entries(&empty.id)
            .await
            .map_err(failed("time_entries"))?;
        ensure(none.is_empty(), || {
            format!("an artifact nobody logged time on lists {none:?}")
        })?;
        let zero = NewTimeEntry {
            author: None,
            spent_on: day,
            minutes: 0,
            comment: String::new(),
            activity: None,
            source: None,
        };
        expect_class(
            self.connector.add_time_entry(&created.id, &zero).await,
            ErrorClass::InvalidValue,
            "logging no time",
        )
    }

    async fn time_entries_for_worker(&self, tag: &str) -> CheckResult {
        let query = self.time_entry_worker.clone().ok_or("no worker query")?;
        let found = self
            .connector
            .search_persons(&query)
            .await
            .map_err(failed("search_persons"))?;
        let [worker] = found.as_slice() else {
            return Err(format!("{query:?} found {found:?}, not one person"));
        };
        let created = self.create(&format!("{tag} worker"), None).await?;
        let new = NewTimeEntry {
            author: Some(worker.clone()),
            spent_on: NaiveDate::from_ymd_opt(2026, 1, 16).ok_or("a valid date")?,
            minutes: 45,
            comment: format!("{tag} for a worker"),
            activity: None,
            source: None,
        };
        let entry = self
            .connector
            .add_time_entry(&created.id, &new)
            .await
            .map_err(failed("add_time_entry"))?;
        ensure(entry.author.id == worker.id, || {
            format!("logged for {worker:?}, filed under {:?}", entry.author)
        })?;
        let listed = self
            .connector
            .time_entries(&created.id)
            .await
            .map_err(failed("time_entries"))?;
        ensure(listed == [entry.clone()], || {
            format!("time_entries lists {listed:?}, expected [{entry:?}]")
        })
    }

    async fn transitions(&self, tag: &str) -> CheckResult {
        let state_field = self.state_field.as_deref().unwrap_or_default();
        let created = self.create(&format!("{tag} transitions"), None).await?;
        let available = self
            .connector
            .transitions(&created.id)
            .await
            .map_err(failed("transitions"))?;
        let transition = available
            .first()
            .ok_or("a new artifact has no transitions")?;
        let moved = self
            .connector
            .perform_transition(&created.id, Some(&created.version), &transition.id)
            .await
            .map_err(failed("perform_transition"))?;
        ensure(moved.version != created.version, || {
            "the transition did not change the version".to_owned()
        })?;
        let fetched = self.fetch(&created.id).await?;
        let state = match fetched.fields.get(state_field) {
            Some(FieldValue::Option(s) | FieldValue::Text(s)) => Some(s.as_str()),
            _ => None,
        };
        ensure(state == Some(transition.to_state.as_str()), || {
            format!(
                "after '{}' the state is {state:?}, not '{}'",
                transition.id, transition.to_state
            )
        })
    }

    /// A transition expecting a version the artifact has left is refused and moves nothing,
    /// so the version of a transition's answer holds no one else's edit.
    async fn stale_transition_conflicts(&self, tag: &str) -> CheckResult {
        let state_field = self.state_field.as_deref().unwrap_or_default();
        let created = self
            .create(&format!("{tag} stale transition"), None)
            .await?;
        let edited = self
            .connector
            .update(
                &created.id,
                None,
                &self.text_value(&format!("{tag} stale transition edited")),
            )
            .await
            .map_err(failed("update"))?;
        let transition = self
            .connector
            .transitions(&created.id)
            .await
            .map_err(failed("transitions"))?
            .into_iter()
            .next()
            .ok_or("a new artifact has no transitions")?;
        let stale = self
            .connector
            .perform_transition(&created.id, Some(&created.version), &transition.id)
            .await;
        expect_class(
            stale,
            ErrorClass::VersionConflict,
            "perform_transition with a stale version",
        )?;
        let fetched = self.fetch(&created.id).await?;
        ensure(
            fetched.fields.get(state_field) == created.fields.get(state_field)
                && fetched.version == edited.version,
            || "the refused transition was performed anyway".to_owned(),
        )
    }

    async fn relationships(&self, tag: &str) -> CheckResult {
        let field = self.relationship_field.clone().unwrap_or_default();
        let from = self.create(&format!("{tag} link from"), None).await?;
        let to = self.create(&format!("{tag} link to"), None).await?;
        let links = FieldValue::Links(vec![to.id.clone()]);
        let fields = BTreeMap::from([(field.clone(), links.clone())]);
        self.connector
            .update(&from.id, None, &fields)
            .await
            .map_err(failed("update with a link"))?;
        let fetched = self.fetch(&from.id).await?;
        ensure(fetched.fields.get(&field) == Some(&links), || {
            format!(
                "field '{field}' reads {:?} after linking {}",
                fetched.fields.get(&field),
                to.id
            )
        })
    }

    async fn persons_search(&self, tag: &str) -> CheckResult {
        let query = self.person_query.clone().unwrap_or_else(|| PersonQuery {
            field: String::new(),
            value: String::new(),
        });
        let fields = self
            .connector
            .person_search_fields()
            .await
            .map_err(failed("person_search_fields"))?;
        ensure(fields.contains(&query.field), || {
            format!(
                "persons cannot be searched by '{}': {fields:?}",
                query.field
            )
        })?;
        let found = self
            .connector
            .search_persons(&query)
            .await
            .map_err(failed("search_persons"))?;
        ensure(!found.is_empty(), || format!("{query:?} found nobody"))?;
        let upper = PersonQuery {
            value: query.value.to_uppercase(),
            ..query.clone()
        };
        let found_upper = self
            .connector
            .search_persons(&upper)
            .await
            .map_err(failed("search_persons"))?;
        ensure(found_upper == found, || {
            format!("the search is case-sensitive: {upper:?} found {found_upper:?}")
        })?;
        let nobody = PersonQuery {
            value: format!("{tag}-nobody"),
            ..query
        };
        let found_nobody = self
            .connector
            .search_persons(&nobody)
            .await
            .map_err(failed("search_persons"))?;
        ensure(found_nobody.is_empty(), || {
            format!("{nobody:?} found {found_nobody:?}")
        })
    }

    async fn changed_since_paging(&self, tag: &str) -> CheckResult {
        let mut created = Vec::new();
        for n in 0..self.paging_artifacts.max(1) {
            created.push(self.create(&format!("{tag} page {n}"), None).await?);
        }
        let since = created.iter().map(|a| a.updated_at).min();
        let changes = self.changes(since).await?;
        let mut seen = BTreeSet::new();
        for change in &changes {
            ensure(seen.insert(&change.id), || {
                format!("artifact {} is reported twice", change.id)
            })?;
        }
        for artifact in &created {
            ensure(seen.contains(&artifact.id), || {
                format!("artifact {} is missing from the pages", artifact.id)
            })?;
        }
        ensure(
            changes
                .windows(2)
                .all(|w| w[0].updated_at <= w[1].updated_at),
            || "changes are not ordered oldest first".to_owned(),
        )?;
        ensure(
            since.is_none_or(|s| changes.iter().all(|c| c.updated_at >= s)),
            || "a change older than `since` is reported".to_owned(),
        )
    }

    async fn fetch_missing_is_not_found(&self) -> CheckResult {
        expect_class(
            self.connector.fetch(&self.missing_id).await,
            ErrorClass::NotFound,
            "fetch of a missing id",
        )
    }

    /// Every change of the scope since `since`, all pages.
    async fn changes(&self, since: Option<DateTime<Utc>>) -> Result<Vec<ChangedArtifact>, String> {
        const MAX_PAGES: usize = 100_000;
        let scope = self.scope();
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .connector
                .changed_since(&scope, since, token.as_deref())
                .await
                .map_err(failed("changed_since"))?;
            all.extend(page.items);
            match page.next {
                Some(next) if token.as_ref() == Some(&next) => {
                    return Err(format!("page token {next} repeats"));
                }
                Some(next) => token = Some(next),
                None => return Ok(all),
            }
        }
        Err(format!("changed_since did not end after {MAX_PAGES} pages"))
    }

    async fn create(&self, text: &str, source: Option<String>) -> Result<Artifact, String> {
        let new = NewArtifact {
            project: self.project.clone(),
            artifact_type: self.artifact_type.clone(),
            fields: self.values(text),
            source,
        };
        self.connector.create(&new).await.map_err(failed("create"))
    }

    async fn fetch(&self, id: &str) -> Result<Artifact, String> {
        self.connector.fetch(id).await.map_err(failed("fetch"))
    }

    /// The values of a new artifact with `text` in the text field.
    fn values(&self, text: &str) -> BTreeMap<String, FieldValue> {
        let mut values = self.create_fields.clone();
        values.insert(self.text_field.clone(), FieldValue::Text(text.to_owned()));
        values
    }

    fn text_value(&self, text: &str) -> BTreeMap<String, FieldValue> {
        BTreeMap::from([(self.text_field.clone(), FieldValue::Text(text.to_owned()))])
    }

    fn scope(&self) -> ArtifactScope {
        ArtifactScope {
            projects: vec![self.project.clone()],
            artifact_types: vec![self.artifact_type.clone()],
        }
    }

    fn descriptor_can(&self, capability: Capability) -> bool {
        self.connector.descriptor().can(capability)
    }
}

/// The checks, in the order they run.
#[derive(Debug, Clone, Copy)]
enum Check {
    TestConnection,
    ProjectsIncludeProject,
    ArtifactTypesAndSchema,
    CreateThenFetch,
    UpdateChangesVersionAndTime,
    StaleVersionConflicts,
    InvalidValueRefused,
    FindByFormattedId,
    FindBySource,
    Comments,
    Attachments,
    TimeEntries,
    TimeEntriesForWorker,
    Transitions,
    StaleTransitionConflicts,
    Relationships,
    PersonsSearch,
    ChangedSincePaging,
    FetchMissingIsNotFound,
}

impl Check {
    const ALL: [Check; 19] = [
        Check::TestConnection,
        Check::ProjectsIncludeProject,
        Check::ArtifactTypesAndSchema,
        Check::CreateThenFetch,
        Check::UpdateChangesVersionAndTime,
        Check::StaleVersionConflicts,
        Check::InvalidValueRefused,
        Check::FindByFormattedId,
        Check::FindBySource,
        Check::Comments,
        Check::Attachments,
        Check::TimeEntries,
        Check::TimeEntriesForWorker,
        Check::Transitions,
        Check::StaleTransitionConflicts,
        Check::Relationships,
        Check::PersonsSearch,
        Check::ChangedSincePaging,
        Check::FetchMissingIsNotFound,
    ];

    /// Its name in reports and the capabilities it needs.
    fn spec(self) -> (&'static str, &'static [Capability]) {
        use Capability::*;
        match self {
            Check::TestConnection => ("test_connection", &[]),
            Check::ProjectsIncludeProject => ("projects_include_project", &[]),
            Check::ArtifactTypesAndSchema => ("artifact_types_and_schema", &[]),
            Check::CreateThenFetch => ("create_then_fetch", &[Create]),
            Check::UpdateChangesVersionAndTime => {
                ("update_changes_version_and_time", &[Create, Update])
            }
            Check::StaleVersionConflicts => (
                "stale_version_conflicts",
                &[Create, Update, OptimisticLocking],
            ),
            Check::InvalidValueRefused => ("invalid_value_refused", &[Create, Update]),
            Check::FindByFormattedId => ("find_by_formatted_id", &[Create]),
            Check::FindBySource => ("find_by_source", &[Create, SourceIdentity]),
            Check::Comments => ("comments", &[Create, Comments]),
            Check::Attachments => ("attachments", &[Create, Attachments]),
            Check::TimeEntries => ("time_entries", &[Create, TimeEntries]),
            Check::TimeEntriesForWorker => {
                ("time_entries_for_worker", &[Create, TimeEntries, Persons])
            }
            Check::Transitions => ("transitions", &[Create, Transitions]),
            Check::StaleTransitionConflicts => (
                "stale_transition_conflicts",
                &[Create, Update, Transitions, OptimisticLocking],
            ),
            Check::Relationships => ("relationships", &[Create, Update, Relationships]),
            Check::PersonsSearch => ("persons_search", &[Persons]),
            Check::ChangedSincePaging => ("changed_since_paging", &[Create]),
            Check::FetchMissingIsNotFound => ("fetch_missing_is_not_found", &[]),
        }
    }
}

/// A tag unique to this run, so a shared tracker's older artifacts are never mistaken for ours.
fn run_tag() -> String {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    format!(
        "conformance-{}-{}",
        Utc::now().timestamp_millis(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    )
}

fn ensure(condition: bool, problem: impl FnOnce() -> String) -> CheckResult {
    if condition { Ok(()) } else { Err(problem()) }
}

fn failed(call: &'static str) -> impl Fn(ConnectorError) -> String {
    move |e| format!("{call} failed: {e}")
}

fn expect_class<T: fmt::Debug>(
    result: crate::Result<T>,
    class: ErrorClass,
    what: &str,
) -> CheckResult {
    match result {
        Err(e) if e.class == class => Ok(()),
        Err(e) => Err(format!("{what} failed with {e}, expected {class:?}")),
        Ok(value) => Err(format!("{what} succeeded ({value:?}), expected {class:?}")),
    }
}
