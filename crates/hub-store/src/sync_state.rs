//! What the engine remembers per integration between runs: change-detection watermarks,
//! creation intents, and each pair's snapshot with a revision.
//!
//! Creating an artifact is the one sync step that is not naturally idempotent. The engine writes
//! an intent first, creates, then records the pair and drops the intent in one transaction.
//! After a crash an open intent tells the engine to *search* for the twin (by the source
//! identity the connector stored on it) instead of creating a second one.

use chrono::{DateTime, Utc};
use hub_domain::integration::Side;
use hub_domain::pair::{ArtifactPair, ArtifactRef};
use hub_domain::{ArtifactPairId, IntegrationId};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

use crate::connect::Store;
use crate::entity::{artifact_pair, creation_intent, watermark};
use crate::error::StoreError;
use crate::time::{from_ms, now_ms, to_ms};

/// Where change detection of one side stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Watermark {
    /// Changes at or after this time are still to be looked at (minus the overlap).
    pub at: Option<DateTime<Utc>>,
    /// `id@version` of artifacts already queued within the overlap window, so re-reading the
    /// overlap queues nothing twice.
    pub seen: Vec<String>,
    /// When the last full scan finished.
    pub last_full_scan: Option<DateTime<Utc>>,
}

/// A pair with the engine's bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRecord {
    /// The pair.
    pub pair: ArtifactPair,
    /// Incremented by every write; writers compare-and-swap on it.
    pub revision: i64,
    /// The engine's snapshot document (opaque to the store).
    pub snapshot: Option<String>,
}

/// How [`Store::begin_creation`] found the source.
#[derive(Debug, Clone, PartialEq)]
pub enum Creation {
    /// No earlier attempt: create the twin, tagged with this identity.
    New(String),
    /// An earlier attempt was interrupted: look for a twin tagged with this identity first.
    Resumed(String),
    /// The source is paired already (recorded meanwhile): synchronize that pair instead.
    Paired(Box<PairRecord>),
}

/// The creation intent of `source` in `integration` (one at most: the key is unique).
fn intent_of(integration: IntegrationId, source: &ArtifactRef) -> sea_orm::Condition {
    use creation_intent::Column as C;
    sea_orm::Condition::all()
        .add(C::IntegrationId.eq(integration.0))
        .add(C::SourceRepositoryId.eq(source.repository.0))
        .add(C::SourceArtifactId.eq(source.id.clone()))
}

impl Store {
    /// The watermark of one side of an integration.
    pub async fn watermark(
        &self,
        integration: IntegrationId,
        side: Side,
    ) -> Result<Watermark, StoreError> {
        let row = watermark::Entity::find_by_id((integration.0, side.as_str().to_owned()))
            .one(&self.db)
            .await?;
        let Some(row) = row else {
            return Ok(Watermark::default());
        };
        Ok(Watermark {
            at: (row.watermark > 0).then(|| from_ms(row.watermark)),
            seen: serde_json::from_str(&row.seen)
                .map_err(|e| StoreError::corrupt("watermarks", integration, e))?,
            last_full_scan: (row.last_full_scan > 0).then(|| from_ms(row.last_full_scan)),
        })
    }

    /// Saves the watermark of one side.
    pub async fn save_watermark(
        &self,
        integration: IntegrationId,
        side: Side,
        mark: &Watermark,
    ) -> Result<(), StoreError> {
        let row = watermark::ActiveModel {
            integration_id: Set(integration.0),
            side: Set(side.as_str().to_owned()),
            watermark: Set(mark.at.map_or(0, to_ms)),
            seen: Set(serde_json::to_string(&mark.seen).unwrap_or_else(|_| "[]".into())),
            last_full_scan: Set(mark.last_full_scan.map_or(0, to_ms)),
        };
        watermark::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([watermark::Column::IntegrationId, watermark::Column::Side])
                    .update_columns([
                        watermark::Column::Watermark,
                        watermark::Column::Seen,
                        watermark::Column::LastFullScan,
                    ])
                    .to_owned(),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Records the intent to create a twin of `source`; returns the identity to tag it with.
    /// An intent that already exists (a crash interrupted an earlier attempt) is returned as is.
    pub async fn open_creation_intent(
        &self,
        integration: IntegrationId,
        source: &ArtifactRef,
        identity: &str,
    ) -> Result<(String, bool), StoreError> {
        if let Some(existing) = self.creation_intent(integration, source).await? {
            return Ok((existing, true));
        }
        let row = creation_intent::ActiveModel {
            integration_id: Set(integration.0),
            source_repository_id: Set(source.repository.0),
            source_artifact_id: Set(source.id.clone()),
            source_identity: Set(identity.to_owned()),
            created_at: Set(now_ms()),
            ..Default::default()
        };
        match creation_intent::Entity::insert(row).exec(&self.db).await {
            Ok(_) => Ok((identity.to_owned(), false)),
            Err(e) if StoreError::is_unique_violation(&e) => {
                let existing = self.creation_intent(integration, source).await?;
                Ok((existing.unwrap_or_else(|| identity.to_owned()), true))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Starts creating a twin of `source`: opens its creation intent (or takes up the one a
    /// crash left), then looks for a pair of `source` once more. The look comes after the
    /// intent on purpose: a pair recorded meanwhile by the activity of the twin itself (a twin
    /// made before a crash, found and recorded from its own side) closed the old intent in the
    /// same transaction, so either this call met that intent (and searches for the twin) or it
    /// sees the pair here — never neither, which would create a second twin.
    pub async fn begin_creation(
        &self,
        integration: IntegrationId,
        source: &ArtifactRef,
        identity: &str,
    ) -> Result<Creation, StoreError> {
        let (identity, resumed) = self
            .open_creation_intent(integration, source, identity)
            .await?;
        if let Some(record) = self.pair_record(integration, source).await? {
            creation_intent::Entity::delete_many()
                .filter(intent_of(integration, source))
                .exec(&self.db)
                .await?;
            return Ok(Creation::Paired(Box::new(record)));
        }
        Ok(if resumed {
            Creation::Resumed(identity)
        } else {
            Creation::New(identity)
        })
    }

    /// The open creation intent for `source`, if any.
    pub async fn creation_intent(
        &self,
        integration: IntegrationId,
        source: &ArtifactRef,
    ) -> Result<Option<String>, StoreError> {
        let row = creation_intent::Entity::find()
            .filter(intent_of(integration, source))
            .one(&self.db)
            .await?;
        Ok(row.map(|r| r.source_identity))
    }

    /// Records the pair of a created twin and closes the intent, atomically.
    pub async fn complete_creation(
        &self,
        pair: &ArtifactPair,
        source: &ArtifactRef,
        snapshot: &str,
    ) -> Result<ArtifactPair, StoreError> {
        let txn = self.db.begin().await?;
        let row = pair_row(pair, snapshot);
        let id = artifact_pair::Entity::insert(row)
            .exec(&txn)
            .await
            .map_err(|e| {
                if StoreError::is_unique_violation(&e) {
                    StoreError::Duplicate {
                        object: "artifact pair",
                        name: pair.left.formatted_id.clone(),
                    }
                } else {
                    e.into()
                }
            })?;
        creation_intent::Entity::delete_many()
            .filter(intent_of(pair.integration, source))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(ArtifactPair {
            id: Some(ArtifactPairId(id.last_insert_id)),
            ..pair.clone()
        })
    }

    /// The pair an artifact belongs to, with revision and snapshot.
    ///
    /// Two point lookups, each on its side's unique index, rather than one query with an `OR`
    /// over both sides, which the databases answer with a slower plan.
    pub async fn pair_record(
        &self,
        integration: IntegrationId,
        artifact: &ArtifactRef,
    ) -> Result<Option<PairRecord>, StoreError> {
        use artifact_pair::Column as C;
        for (repo, id) in [
            (C::LeftRepositoryId, C::LeftArtifactId),
            (C::RightRepositoryId, C::RightArtifactId),
        ] {
            let row = artifact_pair::Entity::find()
                .filter(C::IntegrationId.eq(integration.0))
                .filter(repo.eq(artifact.repository.0))
                .filter(id.eq(artifact.id.clone()))
                .one(&self.db)
                .await?;
            if let Some(r) = row {
                return Ok(Some(record_of(r)));
            }
        }
        Ok(None)
    }

    /// A pair by id, with revision and snapshot.
    pub async fn pair_record_by_id(
        &self,
        id: ArtifactPairId,
    ) -> Result<Option<PairRecord>, StoreError> {
        let row = artifact_pair::Entity::find_by_id(id.0)
            .one(&self.db)
            .await?;
        Ok(row.map(record_of))
    }

    /// A pair's current revision (`None` when it no longer exists): a cheap check that a
    /// record read earlier is still the latest.
    pub async fn pair_revision(&self, id: ArtifactPairId) -> Result<Option<i64>, StoreError> {
        use sea_orm::QuerySelect;
        let revision = artifact_pair::Entity::find_by_id(id.0)
            .select_only()
            .column(artifact_pair::Column::Revision)
            .into_tuple::<i64>()
            .one(&self.db)
            .await?;
        Ok(revision)
    }

    /// The versions the hub last synchronized of those of `ids` that are paired on `side` of
    /// `repository`: change detection skips an artifact still at that version (the echo of the
    /// hub's own write, or a change already synchronized).
    pub async fn paired_versions(
        &self,
        integration: IntegrationId,
        side: Side,
        repository: hub_domain::RepositoryId,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        use artifact_pair::Column as C;
        use sea_orm::QuerySelect;
        let (repo, id, version) = match side {
            Side::Left => (C::LeftRepositoryId, C::LeftArtifactId, C::LeftVersion),
            Side::Right => (C::RightRepositoryId, C::RightArtifactId, C::RightVersion),
        };
        let mut found = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let rows: Vec<(String, Option<String>)> = artifact_pair::Entity::find()
                .select_only()
                .column(id)
                .column(version)
                .filter(C::IntegrationId.eq(integration.0))
                .filter(repo.eq(repository.0))
                .filter(id.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(&self.db)
                .await?;
            found.extend(rows.into_iter().filter_map(|(id, v)| Some((id, v?))));
        }
        Ok(found)
    }

    /// Stores a pair's new versions and snapshot if nobody changed it since `revision`.
    /// Returns `false` when another writer got there first (the caller re-reads and retries).
    pub async fn update_pair_sync(
        &self,
        id: ArtifactPairId,
        revision: i64,
        left_version: Option<&str>,
        right_version: Option<&str>,
        snapshot: &str,
    ) -> Result<bool, StoreError> {
        use artifact_pair::Column as C;
        let result = artifact_pair::Entity::update_many()
            .col_expr(C::LeftVersion, Expr::value(left_version.map(str::to_owned)))
            .col_expr(
                C::RightVersion,
                Expr::value(right_version.map(str::to_owned)),
            )
            .col_expr(C::Snapshot, Expr::value(snapshot.to_owned()))
            .col_expr(C::SynchronizedAt, Expr::value(now_ms()))
            .col_expr(C::Revision, Expr::value(revision + 1))
            .filter(C::Id.eq(id.0))
            .filter(C::Revision.eq(revision))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected == 1)
    }

    /// Every pair of an integration (for full scans), in id order, a page at a time.
    pub async fn pairs_after(
        &self,
        integration: IntegrationId,
        after: i64,
        limit: u64,
    ) -> Result<Vec<ArtifactPair>, StoreError> {
        use sea_orm::{QueryOrder, QuerySelect};
        let rows = artifact_pair::Entity::find()
            .filter(artifact_pair::Column::IntegrationId.eq(integration.0))
            .filter(artifact_pair::Column::Id.gt(after))
            .order_by_asc(artifact_pair::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(crate::ops::pair_of).collect())
    }
}

fn record_of(r: artifact_pair::Model) -> PairRecord {
    PairRecord {
        revision: r.revision,
        snapshot: r.snapshot.clone(),
        pair: crate::ops::pair_of(r),
    }
}

fn pair_row(pair: &ArtifactPair, snapshot: &str) -> artifact_pair::ActiveModel {
    artifact_pair::ActiveModel {
        integration_id: Set(pair.integration.0),
        left_repository_id: Set(pair.left.artifact.repository.0),
        left_artifact_id: Set(pair.left.artifact.id.clone()),
        left_formatted_id: Set(pair.left.formatted_id.clone()),
        left_version: Set(pair.left.version.clone()),
        right_repository_id: Set(pair.right.artifact.repository.0),
        right_artifact_id: Set(pair.right.artifact.id.clone()),
        right_formatted_id: Set(pair.right.formatted_id.clone()),
        right_version: Set(pair.right.version.clone()),
        snapshot: Set(Some(snapshot.to_owned())),
        created_at: Set(to_ms(pair.created_at)),
        synchronized_at: Set(to_ms(pair.synchronized_at)),
        revision: Set(0),
        ..Default::default()
    }
}

impl Store {
    /// Deletes a pair (to re-create a twin that was deleted in its tracker).
    pub async fn delete_pair(&self, id: ArtifactPairId) -> Result<(), StoreError> {
        artifact_pair::Entity::delete_by_id(id.0)
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
