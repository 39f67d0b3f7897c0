//! The Redmine connector: issues of Redmine 5 over its REST/JSON API.
//!
//! Projects are containers (keyed by identifier), trackers are artifact types (keyed by name),
//! issue attributes, relations and custom fields are fields ([`schema`]), journals with notes
//! are comments, attachments go through uploads, time entries are work logs
//! ([`time_entries`]), and statuses the role's workflow allows are transitions. Redmine has no API for the workflow rules themselves, so the whole workflow
//! of a tracker is read from what the project's issues in each status allow (the connector's
//! `workflow` module says what that can and cannot see). The identity of a hub-made issue's
//! source lives in a string custom field ("External ID" by default), so a creation
//! interrupted by a crash is found again instead of repeated.
//!
//! What Redmine makes hard, and how this module copes: lists hide closed issues unless asked
//! (`status_id=*`); `updated_on` has one-second resolution, so change queries overlap by a
//! second and page by `(updated_on, id)` ([`changes`]); an update answers 204 without a body,
//! so every write reads the issue back; `lock_version` is not exposed, so the version token is
//! `updated_on` plus a fingerprint of the content; validation errors arrive as 422 with
//! `{"errors": [...]}` and become invalid values with Redmine's messages ([`errors`]).
//! Descriptions and notes are Textile or Markdown, converted through [`crate::markup`].

mod catalog;
mod changes;
mod client;
mod connector;
mod errors;
mod parts;
mod persons;
mod probe;
mod read;
mod recent;
pub mod schema;
mod settings;
mod time_entries;
mod write;

use std::sync::Arc;

pub use connector::{CAPABILITIES, RedmineConnector};
pub use probe::{ProbeReport, probe};
pub use settings::{DEFAULT_PAGE_SIZE, DEFAULT_SOURCE_FIELD, RedmineSettings, TextFormatting};

use crate::registry::ConnectorKind;

/// Registry key of the Redmine connector.
pub const KIND: &str = "redmine";
/// Name shown to administrators.
pub const DISPLAY_NAME: &str = "Redmine";

/// The Redmine kind for [`crate::Registry`].
pub fn kind() -> ConnectorKind {
    ConnectorKind {
        kind: KIND,
        display_name: DISPLAY_NAME,
        settings_schema: settings::schema(),
        build: Arc::new(|settings| Ok(Arc::new(RedmineConnector::from_settings(settings)?))),
    }
}
