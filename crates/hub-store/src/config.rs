//! Configuration objects: repositories, models, collections, mappings, integrations.
//!
//! Every write validates the object first ([`hub_domain::Validate`]) and writes one row, so a
//! refused object leaves nothing behind. Names are unique per kind; a reference to a missing
//! object, or the deletion of an object still in use, is refused by the database's foreign keys
//! and reported as a coded error rather than a raw SQL message.

use hub_domain::collection::{Collection, CollectionSource};
use hub_domain::integration::Integration;
use hub_domain::mapping::Mapping;
use hub_domain::model::Model;
use hub_domain::repository::Repository;
use hub_domain::{CollectionId, DomainError, IntegrationId, ModelId, RepositoryId, Validate};
use sea_orm::{ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, SqlErr};
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
        Some(SqlErr::ForeignKeyConstraintViolation(detail)) => {
            StoreError::Invalid(DomainError::invalid(
                object,
                name,
                "references",
                format!("refers to an object that does not exist or is still in use ({detail})"),
            ))
        }
        _ => StoreError::Database(err),
    }
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

impl Store {
    /// Saves a new repository.
    pub async fn create_repository(&self, repo: &Repository) -> Result<Repository, StoreError> {
        checked(repo)?;
        let now = now_ms();
        let row = repository::ActiveModel {
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
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let id = repository::Entity::insert(row)
            .exec(&self.db)
            .await
            .map_err(|e| write_error(e, "repository", &repo.name))?
            .last_insert_id;
        Ok(Repository {
            id: Some(RepositoryId(id)),
            ..repo.clone()
        })
    }

    /// Replaces a saved repository.
    pub async fn update_repository(&self, repo: &Repository) -> Result<(), StoreError> {
        checked(repo)?;
        let id = repo
            .id
            .ok_or_else(|| not_found("repository", "without id"))?;
        let row = repository::ActiveModel {
            id: Set(id.0),
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
        };
        let res = repository::Entity::update_many()
            .set(row)
            .filter(repository::Column::Id.eq(id.0))
            .exec(&self.db)
            .await
            .map_err(|e| write_error(e, "repository", &repo.name))?;
        if res.rows_affected == 0 {
            return Err(not_found("repository", id));
        }
        Ok(())
    }

    /// All repositories, by name.
    pub async fn repositories(&self) -> Result<Vec<Repository>, StoreError> {
        let rows = repository::Entity::find()
            .order_by_asc(repository::Column::Name)
            .all(&self.db)
            .await?;
        rows.into_iter().map(repository_of).collect()
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
        let res = repository::Entity::delete_by_id(id.0)
            .exec(&self.db)
            .await
            .map_err(|e| write_error(e, "repository", &id.to_string()))?;
        if res.rows_affected == 0 {
            return Err(not_found("repository", id));
        }
        Ok(())
    }

    /// Saves a new model.
    pub async fn create_model(&self, m: &Model) -> Result<Model, StoreError> {
        checked(m)?;
        let now = now_ms();
        let row = model::ActiveModel {
            name: Set(m.name.clone()),
            definition: Set(encode(
                "models",
                &Model {
                    id: None,
                    ..m.clone()
                },
            )?),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let id = model::Entity::insert(row)
            .exec(&self.db)
            .await
            .map_err(|e| write_error(e, "model", &m.name))?
            .last_insert_id;
        Ok(Model {
            id: Some(ModelId(id)),
            ..m.clone()
        })
    }

    /// The model with that id.
    pub async fn model(&self, id: ModelId) -> Result<Model, StoreError> {
        let row = model::Entity::find_by_id(id.0).one(&self.db).await?;
        let row = row.ok_or_else(|| not_found("model", id))?;
        let m: Model = decode("models", row.id, &row.definition)?;
        Ok(Model {
            id: Some(id),
            name: row.name,
            ..m
        })
    }

    /// All models, by name.
    pub async fn models(&self) -> Result<Vec<Model>, StoreError> {
        let rows = model::Entity::find()
            .order_by_asc(model::Column::Name)
            .all(&self.db)
            .await?;
        rows.into_iter()
            .map(|row| {
                let m: Model = decode("models", row.id, &row.definition)?;
                Ok(Model {
                    id: Some(ModelId(row.id)),
                    name: row.name,
                    ..m
                })
            })
            .collect()
    }

    /// Saves a new collection; its model (and repository) must exist.
    pub async fn create_collection(&self, c: &Collection) -> Result<Collection, StoreError> {
        checked(c)?;
        let (kind, repository_id) = match &c.source {
            CollectionSource::Repository { repository, .. } => ("repository", Some(repository.0)),
            CollectionSource::Gateway { .. } => ("gateway", None),
            CollectionSource::Sql { .. } => ("sql", None),
        };
        let now = now_ms();
        let row = collection::ActiveModel {
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
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let id = collection::Entity::insert(row)
            .exec(&self.db)
            .await
            .map_err(|e| write_error(e, "collection", &c.name))?
            .last_insert_id;
        Ok(Collection {
            id: Some(CollectionId(id)),
            ..c.clone()
        })
    }

    /// The collection with that id.
    pub async fn collection(&self, id: CollectionId) -> Result<Collection, StoreError> {
        let row = collection::Entity::find_by_id(id.0).one(&self.db).await?;
        let row = row.ok_or_else(|| not_found("collection", id))?;
        let c: Collection = decode("collections", row.id, &row.definition)?;
        Ok(Collection {
            id: Some(id),
            name: row.name,
            ..c
        })
    }

    /// Saves (or replaces) the mapping of a collection onto a model.
    pub async fn put_mapping(&self, m: &Mapping) -> Result<(), StoreError> {
        checked(m)?;
        let model = self.model(m.model).await?;
        if let Some(problem) = m.problems_against(&model).into_iter().next() {
            return Err(StoreError::Invalid(problem));
        }
        let now = now_ms();
        let existing = mapping::Entity::find()
            .filter(mapping::Column::CollectionId.eq(m.collection.0))
            .filter(mapping::Column::ModelId.eq(m.model.0))
            .one(&self.db)
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
            mapping::Entity::update(row)
                .exec(&self.db)
                .await
                .map(|_| ())
        } else {
            mapping::Entity::insert(row)
                .exec(&self.db)
                .await
                .map(|_| ())
        };
        result.map_err(|e| write_error(e, "mapping", &name))
    }

    /// The mapping of a collection onto a model, if saved.
    pub async fn mapping(
        &self,
        c: CollectionId,
        m: ModelId,
    ) -> Result<Option<Mapping>, StoreError> {
        let row = mapping::Entity::find()
            .filter(mapping::Column::CollectionId.eq(c.0))
            .filter(mapping::Column::ModelId.eq(m.0))
            .one(&self.db)
            .await?;
        row.map(|r| decode("mappings", r.id, &r.definition))
            .transpose()
    }

    /// Saves a new integration; both collections must exist.
    pub async fn create_integration(&self, i: &Integration) -> Result<Integration, StoreError> {
        checked(i)?;
        let now = now_ms();
        let row = integration::ActiveModel {
            name: Set(i.name.clone()),
            style: Set(encode("integrations", &i.style)?
                .trim_matches('"')
                .to_owned()),
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
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        let id = integration::Entity::insert(row)
            .exec(&self.db)
            .await
            .map_err(|e| write_error(e, "integration", &i.name))?
            .last_insert_id;
        Ok(Integration {
            id: Some(IntegrationId(id)),
            ..i.clone()
        })
    }

    /// All integrations, by name.
    pub async fn integrations(&self) -> Result<Vec<Integration>, StoreError> {
        let rows = integration::Entity::find()
            .order_by_asc(integration::Column::Name)
            .all(&self.db)
            .await?;
        rows.into_iter().map(integration_of).collect()
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

fn integration_of(row: integration::Model) -> Result<Integration, StoreError> {
    let i: Integration = decode("integrations", row.id, &row.definition)?;
    Ok(Integration {
        id: Some(IntegrationId(row.id)),
        name: row.name,
        running: row.running,
        ..i
    })
}
