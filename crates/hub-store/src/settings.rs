//! Hub-wide settings: small JSON documents by key (change-detection defaults, notification
//! settings, the troubleshooting log level, …). Writers replace a whole value at once.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::connect::Store;
use crate::entity::setting::{self, Column, Entity};
use crate::error::StoreError;
use crate::time::now_ms;

impl Store {
    /// The setting stored under `key`, if any.
    pub async fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let Some(row) = Entity::find_by_id(key.to_owned()).one(&self.db).await? else {
            return Ok(None);
        };
        serde_json::from_str(&row.value)
            .map(Some)
            .map_err(|e| StoreError::corrupt("settings", key, e))
    }

    /// Stores `value` under `key`, replacing what was there.
    pub async fn put_setting<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let json =
            serde_json::to_string(value).map_err(|e| StoreError::corrupt("settings", key, e))?;
        let row = setting::ActiveModel {
            key: Set(key.to_owned()),
            value: Set(json),
            updated_at: Set(now_ms()),
        };
        Entity::insert(row)
            .on_conflict(
                OnConflict::column(Column::Key)
                    .update_columns([Column::Value, Column::UpdatedAt])
                    .to_owned(),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Removes a setting; absent keys are fine.
    pub async fn delete_setting(&self, key: &str) -> Result<(), StoreError> {
        Entity::delete_by_id(key.to_owned()).exec(&self.db).await?;
        Ok(())
    }
}
