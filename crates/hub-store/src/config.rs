//! Configuration objects: repositories, models, collections, mappings, integrations.
//!
//! Every write validates the object first ([`hub_domain::Validate`]) and writes one row, so a
//! refused object leaves nothing behind. Names are unique per kind; a reference to a missing
//! object, or the deletion of an object still in use, is refused by the database's foreign keys
//! and reported as a coded error rather than a raw SQL message.
//!
//! The queries are crate-private functions generic over [`ConnectionTrait`], so the same code runs
//! on the pool (the [`Store`] methods below) and inside a transaction (applying a configuration
//! file, see [`crate::document`], writes many objects all-or-nothing).

use hub_domain::collection::{Collection, CollectionSource};
use hub_domain::integration::Integration;
use hub_domain::mapping::Mapping;
use hub_domain::model::Model;
use hub_domain::repository::Repository;
use hub_domain::{CollectionId, DomainError, IntegrationId, ModelId, RepositoryId, Validate};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    SqlErr,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::connect::Store;
use crate::entity::{collection, integration, mapping, model, repository};
use crate::error::StoreError;
use crate::time::now_ms;

fn encode<T: Serialize>(table: &'static str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::corrupt(table, "new", e))
}

fn decode<T: DeserializeOwned>(table: &'static str, id: i64, json: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::corrupt(table, id, e))
}

/// Turns constraint violations into the coded errors an administrator understands.
fn write_error(err: DbErr, object: &'static str, name: &str) -> StoreError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Duplicate {
            object,
            name: name.to_owned(),
        },
        Some(SqlErr::ForeignKeyConstraintViolation(detail)) => foreign_key(object, name, &detail),
        // SQLite reports an `ON DELETE RESTRICT` violation as a trigger constraint (1811), which
        // sea-orm does not classify; its message is fixed.
        _ if err.to_string().contains("FOREIGN KEY constraint failed") => {
            foreign_key(object, name, "FOREIGN KEY constraint failed")
        }
        _ => StoreError::Database(err),
    }
}

fn foreign_key(object: &'static str, name: &str, detail: &str) -> StoreError {
    StoreError::Invalid(DomainError::invalid(
        object,
        name,
        "references",
        format!("refers to an object that does not exist or is still in use ({detail})"),
    ))
}

fn not_found(object: &'static str, key: impl ToString) -> StoreError {
    StoreError::NotFound {
        object,
        key: key.to_string(),
    }
}

fn checked<T: Validate>(object: &T) -> Result<(), StoreError> {
    object.validate().map_err(StoreError::Invalid)
}

/// The style as stored in its column: the serde name without quotes.
fn style_column(i: &Integration) -> Result<String, StoreError> {
    Ok(encode("integrations", &i.style)?
        .trim_matches('"')
        .to_owned())
}

/// The searchable columns of a collection: its kind and, for repository sources, the repository.
fn collection_columns(c: &Collection) -> (&'static str, Option<i64>) {
    match &c.source {
        CollectionSource::Repository { repository, .. } => ("repository", Some(repository.0)),
        CollectionSource::Gateway { .. } => ("gateway", None),
        CollectionSource::Sql { .. } => ("sql", None),
    }
}

// ---- repositories ------------------------------------------------------------------------------

fn repository_row(repo: &Repository) -> Result<repository::ActiveModel, StoreError> {
    Ok(repository::ActiveModel {
        name: Set(repo.name.clone()),
        connector: Set(repo.connector.clone()),
        enabled: Set(repo.enabled),
        definition: Set(encode(
            "repositories",
            &Repository {
                id: None,
                ..repo.clone()
            },
        )?),
        updated_at: Set(now_ms()),
        ..Default::default()
    })
}

pub(crate) async fn create_repository<C: ConnectionTrait>(
    db: &C,
    repo: &Repository,
) -> Result<Repository, StoreError> {
    checked(repo)?;
    let mut row = repository_row(repo)?;
    row.created_at = row.updated_at.clone();
    let id = repository::Entity::insert(row)
        .exec(db)
        .await
        .map_err(|e| write_error(e, "repository", &repo.name))?
        .last_insert_id;
    Ok(Repository {
        id: Some(RepositoryId(id)),
        ..repo.clone()
    })
}

pub(crate) async fn update_repository<C: ConnectionTrait>(
    db: &C,
    repo: &Repository,
) -> Result<(), StoreError> {
    checked(repo)?;
    let id = repo
        .id
        .ok_or_else(|| not_found("repository", "without id"))?;
    let res = repository::Entity::update_many()
        .set(repository_row(repo)?)
        .filter(repository::Column::Id.eq(id.0))
        .exec(db)
        .await
        .map_err(|e| write_error(e, "repository", &repo.name))?;
    if res.rows_affected == 0 {
        return Err(not_found("repository", id));
    }
    Ok(())
}

pub(crate) async fn repositories<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<Repository>, StoreError> {
    let rows = repository::Entity::find()
        .order_by_asc(repository::Column::Name)
        .all(db)
        .await?;
    rows.into_iter().map(repository_of).collect()
}

pub(crate) async fn delete_repository<C: ConnectionTrait>(
    db: &C,
    id: RepositoryId,
) -> Result<(), StoreError> {
    let res = repository::Entity::delete_by_id(id.0)
        .exec(db)
        .await
        .map_err(|e| write_error(e, "repository", &id.to_string()))?;
    if res.rows_affected == 0 {
        return Err(not_found("repository", id));
    }
    Ok(())
}

// ---- models ------------------------------------------------------------------------------------

fn model_row(m: &Model) -> Result<model::ActiveModel, StoreError> {
    Ok(model::ActiveModel {
        name: Set(m.name.clone()),
        definition: Set(encode(
            "models",
            &Model {
                id: None,
                ..m.clone()
            },
        )?),
        updated_at: Set(now_ms()),
        ..Default::default()
    })
}

pub(crate) async fn create_model<C: ConnectionTrait>(
    db: &C,
    m: &Model,
) -> Result<Model, StoreError> {
    checked(m)?;
    let mut row = model_row(m)?;
    row.created_at = row.updated_at.clone();
    let id = model::Entity::insert(row)
        .exec(db)
        .await
        .map_err(|e| write_error(e, "model", &m.name))?
        .last_insert_id;
    Ok(Model {
        id: Some(ModelId(id)),
        ..m.clone()
    })
}

pub(crate) async fn update_model<C: ConnectionTrait>(db: &C, m: &Model) -> Result<(), StoreError> {
    checked(m)?;
    let id = m.id.ok_or_else(|| not_found("model", "without id"))?;
    let res = model::Entity::update_many()
        .set(model_row(m)?)
        .filter(model::Column::Id.eq(id.0))
        .exec(db)
        .await
        .map_err(|e| write_error(e, "model", &m.name))?;
    if res.rows_affected == 0 {
        return Err(not_found("model", id));
    }
    Ok(())
}

pub(crate) async fn model_by_id<C: ConnectionTrait>(
    db: &C,
    id: ModelId,
) -> Result<Model, StoreError> {
    let row = model::Entity::find_by_id(id.0).one(db).await?;
    model_of(row.ok_or_else(|| not_found("model", id))?)
}

pub(crate) async fn models<C: ConnectionTrait>(db: &C) -> Result<Vec<Model>, StoreError> {
    let rows = model::Entity::find()
        .order_by_asc(model::Column::Name)
        .all(db)
        .await?;
    rows.into_iter().map(model_of).collect()
}

pub(crate) async fn delete_model<C: ConnectionTrait>(
    db: &C,
    id: ModelId,
) -> Result<(), StoreError> {
    let res = model::Entity::delete_by_id(id.0)
        .exec(db)
        .await
        .map_err(|e| write_error(e, "model", &id.to_string()))?;
    if res.rows_affected == 0 {
        return Err(not_found("model", id));
    }
    Ok(())
}

// ---- collections -------------------------------------------------------------------------------

fn collection_row(c: &Collection) -> Result<collection::ActiveModel, StoreError> {
    let (kind, repository_id) = collection_columns(c);
    Ok(collection::ActiveModel {
        name: Set(c.name.clone()),
        kind: Set(kind.to_owned()),
        model_id: Set(c.model.0),
        repository_id: Set(repository_id),
        definition: Set(encode(
            "collections",
            &Collection {
                id: None,
                ..c.clone()
            },
        )?),
        updated_at: Set(now_ms()),
        ..Default::default()
    })
}

pub(crate) async fn create_collection<C: ConnectionTrait>(
    db: &C,
    c: &Collection,
) -> Result<Collection, StoreError> {
    checked(c)?;
    let mut row = collection_row(c)?;
    row.created_at = row.updated_at.clone();
    let id = collection::Entity::insert(row)
        .exec(db)
        .await
        .map_err(|e| write_error(e, "collection", &c.name))?
        .last_insert_id;
    Ok(Collection {
        id: Some(CollectionId(id)),
        ..c.clone()
    })
}

pub(crate) async fn update_collection<C: ConnectionTrait>(
    db: &C,
    c: &Collection,
) -> Result<(), StoreError> {
    checked(c)?;
    let id = c.id.ok_or_else(|| not_found("collection", "without id"))?;
    let res = collection::Entity::update_many()
        .set(collection_row(c)?)
        .filter(collection::Column::Id.eq(id.0))
        .exec(db)
        .await
        .map_err(|e| write_error(e, "collection", &c.name))?;
    if res.rows_affected == 0 {
        return Err(not_found("collection", id));
    }
    Ok(())
}

pub(crate) async fn collections<C: ConnectionTrait>(db: &C) -> Result<Vec<Collection>, StoreError> {
    let rows = collection::Entity::find()
        .order_by_asc(collection::Column::Name)
        .all(db)
        .await?;
    rows.into_iter().map(collection_of).collect()
}

pub(crate) async fn delete_collection<C: ConnectionTrait>(
    db: &C,
    id: CollectionId,
) -> Result<(), StoreError> {
    let res = collection::Entity::delete_by_id(id.0)
        .exec(db)
        .await
        .map_err(|e| write_error(e, "collection", &id.to_string()))?;
    if res.rows_affected == 0 {
        return Err(not_found("collection", id));
    }
    Ok(())
}

// ---- mappings ----------------------------------------------------------------------------------

pub(crate) async fn put_mapping<C: ConnectionTrait>(db: &C, m: &Mapping) -> Result<(), StoreError> {
    checked(m)?;
    let model = model_by_id(db, m.model).await?;
    if let Some(problem) = m.problems_against(&model).into_iter().next() {
        return Err(StoreError::Invalid(problem));
    }
    let now = now_ms();
    let existing = mapping::Entity::find()
        .filter(mapping::Column::CollectionId.eq(m.collection.0))
        .filter(mapping::Column::ModelId.eq(m.model.0))
        .one(db)
        .await?;
    let name = format!("collection {}", m.collection);
    let row = mapping::ActiveModel {
        id: existing
            .as_ref()
            .map_or(sea_orm::ActiveValue::NotSet, |e| Set(e.id)),
        collection_id: Set(m.collection.0),
        model_id: Set(m.model.0),
        definition: Set(encode("mappings", m)?),
        created_at: Set(existing.as_ref().map_or(now, |e| e.created_at)),
        updated_at: Set(now),
    };
    let result = if existing.is_some() {
        mapping::Entity::update(row).exec(db).await.map(|_| ())
    } else {
        mapping::Entity::insert(row).exec(db).await.map(|_| ())
    };
    result.map_err(|e| write_error(e, "mapping", &name))
}

pub(crate) async fn mapping_of<C: ConnectionTrait>(
    db: &C,
    c: CollectionId,
    m: ModelId,
) -> Result<Option<Mapping>, StoreError> {
    let row = mapping::Entity::find()
        .filter(mapping::Column::CollectionId.eq(c.0))
        .filter(mapping::Column::ModelId.eq(m.0))
        .one(db)
        .await?;
    row.map(|r| decode("mappings", r.id, &r.definition))
        .transpose()
}

/// Every saved mapping.
pub(crate) async fn mappings<C: ConnectionTrait>(db: &C) -> Result<Vec<Mapping>, StoreError> {
    let rows = mapping::Entity::find()
        .order_by_asc(mapping::Column::Id)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|r| decode("mappings", r.id, &r.definition))
        .collect()
}

/// Deletes the mappings of a collection onto models other than `keep`: a collection is mapped
/// onto its own model only, and a stale mapping would pin its old model in place.
pub(crate) async fn delete_other_mappings<C: ConnectionTrait>(
    db: &C,
    c: CollectionId,
    keep: ModelId,
) -> Result<(), StoreError> {
    mapping::Entity::delete_many()
        .filter(mapping::Column::CollectionId.eq(c.0))
        .filter(mapping::Column::ModelId.ne(keep.0))
        .exec(db)
        .await?;
    Ok(())
}

// ---- integrations ------------------------------------------------------------------------------

fn integration_row(i: &Integration) -> Result<integration::ActiveModel, StoreError> {
    Ok(integration::ActiveModel {
        name: Set(i.name.clone()),
        style: Set(style_column(i)?),
        running: Set(i.running),
        left_collection_id: Set(i.left.0),
        right_collection_id: Set(i.right.0),
        definition: Set(encode(
            "integrations",
            &Integration {
                id: None,
                ..i.clone()
            },
        )?),
        updated_at: Set(now_ms()),
        ..Default::default()
    })
}

pub(crate) async fn create_integration<C: ConnectionTrait>(
    db: &C,
    i: &Integration,
) -> Result<Integration, StoreError> {
    checked(i)?;
    let mut row = integration_row(i)?;
    row.created_at = row.updated_at.clone();
    let id = integration::Entity::insert(row)
        .exec(db)
        .await
        .map_err(|e| write_error(e, "integration", &i.name))?
        .last_insert_id;
    Ok(Integration {
        id: Some(IntegrationId(id)),
        ..i.clone()
    })
}

pub(crate) async fn update_integration<C: ConnectionTrait>(
    db: &C,
    i: &Integration,
) -> Result<(), StoreError> {
    checked(i)?;
    let id = i.id.ok_or_else(|| not_found("integration", "without id"))?;
    let res = integration::Entity::update_many()
        .set(integration_row(i)?)
        .filter(integration::Column::Id.eq(id.0))
        .exec(db)
        .await
        .map_err(|e| write_error(e, "integration", &i.name))?;
    if res.rows_affected == 0 {
        return Err(not_found("integration", id));
    }
    Ok(())
}

pub(crate) async fn integrations<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<Integration>, StoreError> {
    let rows = integration::Entity::find()
        .order_by_asc(integration::Column::Name)
        .all(db)
        .await?;
    rows.into_iter().map(integration_of).collect()
}

pub(crate) async fn delete_integration<C: ConnectionTrait>(
    db: &C,
    id: IntegrationId,
) -> Result<(), StoreError> {
    let res = integration::Entity::delete_by_id(id.0)
        .exec(db)
        .await
        .map_err(|e| write_error(e, "integration", &id.to_string()))?;
    if res.rows_affected == 0 {
        return Err(not_found("integration", id));
    }
    Ok(())
}

impl Store {
    /// Saves a new repository.
    pub async fn create_repository(&self, repo: &Repository) -> Result<Repository, StoreError> {
        create_repository(&self.db, repo).await
    }

    /// Replaces a saved repository.
    pub async fn update_repository(&self, repo: &Repository) -> Result<(), StoreError> {
        update_repository(&self.db, repo).await
    }

    /// All repositories, by name.
    pub async fn repositories(&self) -> Result<Vec<Repository>, StoreError> {
        repositories(&self.db).await
    }

    /// The repository with that id.
    pub async fn repository(&self, id: RepositoryId) -> Result<Repository, StoreError> {
        let row = repository::Entity::find_by_id(id.0).one(&self.db).await?;
        repository_of(row.ok_or_else(|| not_found("repository", id))?)
    }

    /// The repository with that name, if any.
    pub async fn repository_by_name(&self, name: &str) -> Result<Option<Repository>, StoreError> {
        let row = repository::Entity::find()
            .filter(repository::Column::Name.eq(name))
            .one(&self.db)
            .await?;
        row.map(repository_of).transpose()
    }

    /// Deletes a repository no collection uses.
    pub async fn delete_repository(&self, id: RepositoryId) -> Result<(), StoreError> {
        delete_repository(&self.db, id).await
    }

    /// Saves a new model.
    pub async fn create_model(&self, m: &Model) -> Result<Model, StoreError> {
        create_model(&self.db, m).await
    }

    /// Replaces a saved model. Mappings onto it are not re-checked here; applying a
    /// configuration file checks them together with the model.
    pub async fn update_model(&self, m: &Model) -> Result<(), StoreError> {
        update_model(&self.db, m).await
    }

    /// The model with that id.
    pub async fn model(&self, id: ModelId) -> Result<Model, StoreError> {
        model_by_id(&self.db, id).await
    }

    /// All models, by name.
    pub async fn models(&self) -> Result<Vec<Model>, StoreError> {
        models(&self.db).await
    }

    /// Deletes a model no collection or mapping uses.
    pub async fn delete_model(&self, id: ModelId) -> Result<(), StoreError> {
        delete_model(&self.db, id).await
    }

    /// Saves a new collection; its model (and repository) must exist.
    pub async fn create_collection(&self, c: &Collection) -> Result<Collection, StoreError> {
        create_collection(&self.db, c).await
    }

    /// Replaces a saved collection; its model (and repository) must exist.
    pub async fn update_collection(&self, c: &Collection) -> Result<(), StoreError> {
        update_collection(&self.db, c).await
    }

    /// The collection with that id.
    pub async fn collection(&self, id: CollectionId) -> Result<Collection, StoreError> {
        let row = collection::Entity::find_by_id(id.0).one(&self.db).await?;
        collection_of(row.ok_or_else(|| not_found("collection", id))?)
    }

    /// All collections, by name.
    pub async fn collections(&self) -> Result<Vec<Collection>, StoreError> {
        collections(&self.db).await
    }

    /// Deletes a collection no integration uses; its mappings go with it.
    pub async fn delete_collection(&self, id: CollectionId) -> Result<(), StoreError> {
        delete_collection(&self.db, id).await
    }

    /// Saves (or replaces) the mapping of a collection onto a model.
    pub async fn put_mapping(&self, m: &Mapping) -> Result<(), StoreError> {
        put_mapping(&self.db, m).await
    }

    /// The mapping of a collection onto a model, if saved.
    pub async fn mapping(
        &self,
        c: CollectionId,
        m: ModelId,
    ) -> Result<Option<Mapping>, StoreError> {
        mapping_of(&self.db, c, m).await
    }

    /// Saves a new integration; both collections must exist.
    pub async fn create_integration(&self, i: &Integration) -> Result<Integration, StoreError> {
        create_integration(&self.db, i).await
    }

    /// Replaces a saved integration (including whether it runs); both collections must exist.
    pub async fn update_integration(&self, i: &Integration) -> Result<(), StoreError> {
        update_integration(&self.db, i).await
    }

    /// All integrations, by name.
    pub async fn integrations(&self) -> Result<Vec<Integration>, StoreError> {
        integrations(&self.db).await
    }

    /// Deletes an integration, and with it its pairs, activities and other operational state.
    pub async fn delete_integration(&self, id: IntegrationId) -> Result<(), StoreError> {
        delete_integration(&self.db, id).await
    }

    /// Starts or stops an integration.
    pub async fn set_integration_running(
        &self,
        id: IntegrationId,
        running: bool,
    ) -> Result<(), StoreError> {
        let row = integration::Entity::find_by_id(id.0).one(&self.db).await?;
        let row = row.ok_or_else(|| not_found("integration", id))?;
        let mut definition: Integration = decode("integrations", row.id, &row.definition)?;
        definition.running = running;
        let update = integration::ActiveModel {
            id: Set(row.id),
            running: Set(running),
            definition: Set(encode("integrations", &definition)?),
            updated_at: Set(now_ms()),
            ..Default::default()
        };
        integration::Entity::update(update).exec(&self.db).await?;
        Ok(())
    }
}

fn repository_of(row: repository::Model) -> Result<Repository, StoreError> {
    let r: Repository = decode("repositories", row.id, &row.definition)?;
    Ok(Repository {
        id: Some(RepositoryId(row.id)),
        name: row.name,
        enabled: row.enabled,
        ..r
    })
}

fn model_of(row: model::Model) -> Result<Model, StoreError> {
    let m: Model = decode("models", row.id, &row.definition)?;
    Ok(Model {
        id: Some(ModelId(row.id)),
        name: row.name,
        ..m
    })
}

pub(crate) fn collection_of(row: collection::Model) -> Result<Collection, StoreError> {
    let c: Collection = decode("collections", row.id, &row.definition)?;
    Ok(Collection {
        id: Some(CollectionId(row.id)),
        name: row.name,
        ..c
    })
}

pub(crate) fn integration_of(row: integration::Model) -> Result<Integration, StoreError> {
    let i: Integration = decode("integrations", row.id, &row.definition)?;
    Ok(Integration {
        id: Some(IntegrationId(row.id)),
        name: row.name,
        running: row.running,
        ..i
    })
}
