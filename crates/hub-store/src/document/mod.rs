//! Configuration as files: repositories, models, collections (with their mappings) and
//! integrations declared in TOML, checked, compared with the store and applied in one
//! transaction.
//!
//! This lives in the store, not in the binary, because every way of changing configuration —
//! `hub-server apply`, and later the API and the web UI — must go through the same checks and
//! the same all-or-nothing write. The stages, each in its own file:
//!
//! 1. [`Document::parse`] (`parse.rs`, `format.rs`): TOML syntax, unknown keys, types, unique
//!    names. Needs no store.
//! 2. [`Store::plan_document`] (`plan.rs`, `diff.rs`): references resolved by name against the
//!    file and the store, every object checked with the domain's rules, and a [`Plan`] — one
//!    [`Change`] per object (`+`, `~` with the changed fields, `=`, `-`).
//! 3. [`Store::apply_document`] (`execute.rs`): the plan's writes in one transaction. A dry run
//!    performs them too and rolls back, so it also finds what only the database can refuse
//!    (deleting an object still in use) while writing nothing.
//!
//! Every mistake becomes a [`Problem`] with its catalogue code, line and field, and all of them
//! are reported together. Objects the file does not mention are left alone unless `prune` is
//! set; an integration's `running` flag, when the file leaves it out, keeps the store's value,
//! so re-applying a file never stops an integration someone started.
//!
//! ```toml
//! [[repository]]
//! name = "Left"
//! connector = "memory"
//! settings = { instance = "left" }
//!
//! [[integration]]
//! name = "Left <-> Right"
//! style = "work_item_sync"
//! left = "Left bugs"
//! right = "Right bugs"
//! [integration.field_flow]
//! priority = "left_to_right"
//! ```
//!
//! `fixtures/config/hub.toml` is a complete example.

mod diff;
mod execute;
mod format;
mod parse;
mod plan;
mod report;
mod scripts;

use sea_orm::TransactionTrait;

pub use diff::{Action, Change, Plan};
pub use parse::Document;
pub use report::{ApplyError, ObjectKind, Problem};
pub use scripts::{DeclaredExtension, ScriptField, ScriptProblem};

use crate::connect::Store;
use crate::error::StoreError;

/// How a document is applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Delete stored objects the file does not declare.
    pub prune: bool,
    /// Check and compute the diff, perform the writes inside the transaction, then roll back.
    pub dry_run: bool,
}

impl Store {
    /// What applying `doc` would do, from a read of the store. Writes nothing and does not ask
    /// the database about deletions; use [`Store::apply_document`] with `dry_run` for that.
    pub async fn plan_document(&self, doc: &Document, prune: bool) -> Result<Plan, ApplyError> {
        let snapshot = plan::Snapshot::read(&self.db).await?;
        plan::plan(doc, &snapshot, prune).map_err(ApplyError::Rejected)
    }

    /// Checks `doc` against the store and applies it in one transaction: everything or, on the
    /// first problem, nothing. Returns the plan that was applied (or, for a dry run, would be).
    pub async fn apply_document(
        &self,
        doc: &Document,
        options: ApplyOptions,
    ) -> Result<Plan, ApplyError> {
        let txn = self.db.begin().await.map_err(StoreError::from)?;
        let outcome = async {
            let snapshot = plan::Snapshot::read(&txn).await?;
            let plan = plan::plan(doc, &snapshot, options.prune).map_err(ApplyError::Rejected)?;
            execute::execute(&txn, doc, &plan).await?;
            Ok::<_, ApplyError>(plan)
        }
        .await;
        match outcome {
            Ok(plan) if !options.dry_run => {
                txn.commit().await.map_err(StoreError::from)?;
                Ok(plan)
            }
            Ok(plan) => {
                txn.rollback().await.map_err(StoreError::from)?;
                Ok(plan)
            }
            Err(e) => {
                // Dropping the transaction would roll back too; doing it here returns the
                // connection to the pool before the caller sees the error.
                if let Err(rollback) = txn.rollback().await {
                    tracing::warn!(error = %rollback, "rolling back a refused apply failed");
                }
                Err(e)
            }
        }
    }
}
