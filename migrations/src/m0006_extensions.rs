//! Extensions as administrators save them: name, kind, script and description.
//!
//! The script is kept as written (before any compatibility translation), so what an
//! administrator reads back is what they pasted in; the extension host checks and compiles it
//! each time it loads. Names are unique and are how integrations and mappings refer to an
//! extension.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("extensions")
                .col(big_pk_auto("id"))
                .col(string_len("name", 255))
                .col(string_len("kind", 64))
                .col(text("source"))
                .col(text_null("description"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("extensions_name")
                .table("extensions")
                .col("name")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("extensions").to_owned())
            .await
    }
}
