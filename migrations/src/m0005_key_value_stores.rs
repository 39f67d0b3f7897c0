//! Key-value stores that extensions read: plain and confidential stores and their pairs.
//!
//! Keys are case-sensitive, but MySQL compares strings case-insensitively by default, so pairs
//! carry their own id and the store (not an index) keeps keys unique; a store holds at most a
//! few thousand pairs and is always read whole. Values of confidential stores arrive here
//! already encrypted.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("kv_stores")
                .col(big_pk_auto("id"))
                .col(string_len("name", 255))
                .col(boolean("confidential"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("kv_stores_name")
                .table("kv_stores")
                .col("name")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kv_pairs")
                .col(big_pk_auto("id"))
                .col(big_integer("store_id"))
                .col(text("pair_key"))
                .col(text("pair_value"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("kv_pairs", "store_id")
                        .to("kv_stores", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("kv_pairs_store")
                .table("kv_pairs")
                .col("store_id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("kv_pairs").to_owned())
            .await?;
        m.drop_table(Table::drop().table("kv_stores").to_owned())
            .await
    }
}
