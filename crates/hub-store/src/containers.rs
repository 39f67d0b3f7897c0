//! Container mirroring's one configuration write: a new project pair becomes a route of the
//! integration and joins both collections, in one transaction, so a crash leaves either the whole
//! route or none of it (the twin project found again by key on the next round).

use hub_domain::collection::CollectionSource;
use hub_domain::integration::Route;
use hub_domain::{CollectionId, IntegrationId};
use sea_orm::{EntityTrait, TransactionTrait};

use crate::config::{collection_of, integration_of, update_collection, update_integration};
use crate::connect::Store;
use crate::entity::{collection, integration};
use crate::error::StoreError;

impl Store {
    /// Adds `routes` to an integration (those whose left or right project is routed already are
    /// skipped) and their projects to its left and right collections. Returns how many routes
    /// were added.
    pub async fn add_mirrored_routes(
        &self,
        id: IntegrationId,
        routes: &[Route],
    ) -> Result<usize, StoreError> {
        let txn = self.db.begin().await?;
        let row = integration::Entity::find_by_id(id.0).one(&txn).await?;
        let mut definition = integration_of(row.ok_or_else(|| StoreError::NotFound {
            object: "integration",
            key: id.to_string(),
        })?)?;
        let new: Vec<Route> = routes
            .iter()
            .filter(|r| {
                !definition
                    .routes
                    .iter()
                    .any(|have| have.left == r.left || have.right == r.right)
            })
            .cloned()
            .collect();
        if new.is_empty() {
            return Ok(0);
        }
        add_projects(&txn, definition.left, new.iter().map(|r| &r.left)).await?;
        add_projects(&txn, definition.right, new.iter().map(|r| &r.right)).await?;
        definition.routes.extend(new.iter().cloned());
        update_integration(&txn, &definition).await?;
        txn.commit().await?;
        Ok(new.len())
    }
}

async fn add_projects<'a>(
    txn: &sea_orm::DatabaseTransaction,
    id: CollectionId,
    keys: impl Iterator<Item = &'a String>,
) -> Result<(), StoreError> {
    let row = collection::Entity::find_by_id(id.0).one(txn).await?;
    let mut c = collection_of(row.ok_or_else(|| StoreError::NotFound {
        object: "collection",
        key: id.to_string(),
    })?)?;
    if let CollectionSource::Repository { projects, .. } = &mut c.source {
        for key in keys {
            if !projects.contains(key) {
                projects.push(key.clone());
            }
        }
    }
    update_collection(txn, &c).await
}
