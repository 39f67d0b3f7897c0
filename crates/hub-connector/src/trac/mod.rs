//! The Trac connector: tickets of one Trac environment over JSON-RPC (the XML-RPC plugin).
//!
//! **One project per environment.** A Trac environment is one project; its components and
//! milestones are single-select fields of every ticket rather than containers, because a
//! ticket can move between them freely and Trac scopes nothing (permissions, workflow,
//! numbering) by them. The project's key is a setting (`project`, default `trac`). Ticket types
//! are the artifact types; all of them share the fields of `ticket.getTicketFields`.
//!
//! What Trac makes special, and where it is handled:
//! - errors arrive as HTTP 200 with an `error` object ([`errors`]);
//! - datetimes and binary content are `__jsonclass__` values ([`codec`]);
//! - the `_ts` token is the version: updates send it and Trac refuses a stale one, which
//!   becomes a version conflict; every update goes through the workflow's `leave` action so
//!   that Trac validates values ([`tickets`]);
//! - status changes only through workflow actions (`ticket.getActions`), never by writing
//!   `status`; the whole workflow comes from `ticket.getWorkflow` (the `ticket_workflow.py`
//!   plugin in `fixtures/trac/`) and is unsupported without it ([`workflow`]);
//! - the source identity of a created ticket lives in the `external_id` custom field;
//!   comments and attachments carry theirs in a hidden wiki comment and in the attachment
//!   description ([`parts`]);
//! - change queries order by `changetime` and page by the last ticket seen ([`changes`]);
//! - Trac keeps users' names and e-mails in its session store; the `user.getKnownUsers`
//!   method (a one-file plugin in `fixtures/trac/`) exposes them, and without it persons are
//!   the user names the owner field offers ([`persons`]).
//!
//! Relationships are not part of Trac itself, so the connector does not claim them.

mod changes;
mod codec;
mod connector;
mod errors;
mod mapping;
mod parts;
mod persons;
pub mod probe;
mod rpc;
mod schema;
mod settings;
mod tickets;
mod workflow;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use hub_domain::model::PersonRef;

pub use settings::TracSettings;

use crate::connector::Result;
use crate::registry::ConnectorKind;
use mapping::Context;
use rpc::RpcClient;
use schema::TracField;

/// Registry key.
pub const KIND: &str = "trac";
/// Name shown to administrators.
pub const DISPLAY_NAME: &str = "Trac";

/// The registry entry of the Trac connector.
pub fn kind() -> ConnectorKind {
    ConnectorKind {
        kind: KIND,
        display_name: DISPLAY_NAME,
        settings_schema: settings::json_schema(),
        build: Arc::new(|settings| {
            let settings = TracSettings::from_connection(settings)?;
            Ok(Arc::new(TracConnector::new(settings)?))
        }),
    }
}

/// A connection to one Trac environment.
#[derive(Debug)]
pub struct TracConnector {
    rpc: RpcClient,
    context: Context,
    page_size: usize,
    fields: Mutex<Option<Arc<Vec<TracField>>>>,
    /// Whether the environment has the source-identity custom field (as of the last read).
    has_source_field: AtomicBool,
    users: Mutex<Option<Arc<Vec<PersonRef>>>>,
}

impl TracConnector {
    /// A connector for the environment the settings name. Makes no request yet.
    pub fn new(settings: TracSettings) -> Result<Self> {
        let rpc = RpcClient::new(&settings.url, &settings.username, &settings.password)?;
        Ok(Self {
            rpc,
            context: Context {
                base_url: settings.url.trim_end_matches('/').to_owned(),
                project: settings.project,
                source_field: settings.source_field,
            },
            page_size: settings.page_size.max(1),
            fields: Mutex::new(None),
            has_source_field: AtomicBool::new(false),
            users: Mutex::new(None),
        })
    }

    /// The ticket fields, read once and kept.
    async fn fields(&self) -> Result<Arc<Vec<TracField>>> {
        if let Some(fields) = self.fields.lock().expect("fields lock").clone() {
            return Ok(fields);
        }
        self.reload_fields().await
    }

    /// Reads the ticket fields again (an administrator may have added one).
    async fn reload_fields(&self) -> Result<Arc<Vec<TracField>>> {
        let answer = self
            .rpc
            .call("ticket.getTicketFields", serde_json::json!([]))
            .await?;
        let has_source_field = answer
            .as_array()
            .is_some_and(|all| all.iter().any(|f| f["name"] == *self.context.source_field));
        self.has_source_field
            .store(has_source_field, Ordering::Relaxed);
        let fields = schema::parse_fields(answer, &self.context.source_field)
            .map_err(|e| errors::malformed("ticket.getTicketFields", e))?;
        let fields = Arc::new(fields);
        *self.fields.lock().expect("fields lock") = Some(fields.clone());
        Ok(fields)
    }

    /// Fails unless the environment has the source-identity custom field: without it Trac
    /// would drop the identity silently, and a creation repeated after a crash would not
    /// find its twin.
    async fn require_source_field(&self) -> Result<()> {
        self.fields().await?;
        if self.has_source_field.load(Ordering::Relaxed) {
            return Ok(());
        }
        let field = &self.context.source_field;
        Err(crate::ConnectorError::new(
            crate::ErrorClass::InvalidValue,
            format!(
                "Trac has no ticket field '{field}' to record where a ticket was copied from: \
                 add `{field} = text` to the [ticket-custom] section of trac.ini, or name an \
                 existing text field in the connector's `source_field` setting"
            ),
        ))
    }
}
