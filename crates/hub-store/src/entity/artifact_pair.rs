use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "artifact_pairs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub integration_id: i64,
    pub left_repository_id: i64,
    pub left_artifact_id: String,
    pub left_formatted_id: String,
    pub left_version: Option<String>,
    pub right_repository_id: i64,
    pub right_artifact_id: String,
    pub right_formatted_id: String,
    pub right_version: Option<String>,
    pub snapshot: Option<String>,
    pub created_at: i64,
    pub synchronized_at: i64,
    pub revision: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
