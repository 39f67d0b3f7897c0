//! Tables of the hub process itself: settings and the single-instance lock.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("settings")
                .col(string_len("key", 128).primary_key())
                .col(text("value"))
                .col(big_integer("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("instance_lock")
                .col(integer("id").primary_key())
                .col(string_len("instance_id", 64))
                .col(string_len("host", 255))
                .col(big_integer("pid"))
                .col(big_integer("since"))
                .col(big_integer("expires_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("instance_lock").to_owned())
            .await?;
        m.drop_table(Table::drop().table("settings").to_owned())
            .await
    }
}
