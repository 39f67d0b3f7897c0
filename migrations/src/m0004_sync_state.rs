//! State the sync engine keeps between runs: change-detection watermarks, creation intents, and
//! a revision per pair so concurrent writers of one pair detect each other.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("watermarks")
                .col(big_integer("integration_id"))
                .col(string_len("side", 8))
                .col(big_integer("watermark"))
                .col(text("seen"))
                .col(big_integer("last_full_scan"))
                .primary_key(Index::create().col("integration_id").col("side"))
                .foreign_key(
                    ForeignKey::create()
                        .from("watermarks", "integration_id")
                        .to("integrations", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("creation_intents")
                .col(big_pk_auto("id"))
                .col(big_integer("integration_id"))
                .col(big_integer("source_repository_id"))
                .col(string_len("source_artifact_id", 255))
                .col(string_len("source_identity", 400))
                .col(big_integer("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("creation_intents", "integration_id")
                        .to("integrations", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("creation_intents_source")
                .table("creation_intents")
                .col("integration_id")
                .col("source_repository_id")
                .col("source_artifact_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("artifact_pairs")
                .add_column(big_integer("revision").default(0))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("artifact_pairs")
                .drop_column("revision")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("creation_intents").to_owned())
            .await?;
        m.drop_table(Table::drop().table("watermarks").to_owned())
            .await
    }
}
