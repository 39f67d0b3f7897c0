//! Configuration tables: repositories, models, collections, mappings, integrations.
//!
//! Times are stored as milliseconds since the Unix epoch in 64-bit integers on every database:
//! compact, exact, and free of MySQL's 2038 limit on `TIMESTAMP`.
//!
//! Each object keeps its searchable columns (name, kind, references) as columns and the rest of
//! its definition as JSON, so adding a setting to an object needs no migration.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn stamps(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(big_integer("created_at"))
        .col(big_integer("updated_at"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            stamps(
                Table::create()
                    .table("repositories")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("name", 200))
                    .col(string_len("connector", 64))
                    .col(boolean("enabled"))
                    .col(text("definition")),
            )
            .to_owned(),
        )
        .await?;
        m.create_table(
            stamps(
                Table::create()
                    .table("models")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("name", 200))
                    .col(text("definition")),
            )
            .to_owned(),
        )
        .await?;
        m.create_table(
            stamps(
                Table::create()
                    .table("collections")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("name", 200))
                    .col(string_len("kind", 32))
                    .col(big_integer("model_id"))
                    .col(big_integer_null("repository_id"))
                    .col(text("definition"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("collections", "model_id")
                            .to("models", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("collections", "repository_id")
                            .to("repositories", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    ),
            )
            .to_owned(),
        )
        .await?;
        m.create_table(
            stamps(
                Table::create()
                    .table("mappings")
                    .col(big_pk_auto("id"))
                    .col(big_integer("collection_id"))
                    .col(big_integer("model_id"))
                    .col(text("definition"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("mappings", "collection_id")
                            .to("collections", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("mappings", "model_id")
                            .to("models", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    ),
            )
            .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("mappings_collection_model")
                .table("mappings")
                .col("collection_id")
                .col("model_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            stamps(
                Table::create()
                    .table("integrations")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("name", 200))
                    .col(string_len("style", 32))
                    .col(boolean("running"))
                    .col(big_integer("left_collection_id"))
                    .col(big_integer("right_collection_id"))
                    .col(text("definition"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("integrations", "left_collection_id")
                            .to("collections", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("integrations", "right_collection_id")
                            .to("collections", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    ),
            )
            .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "integrations",
            "mappings",
            "collections",
            "models",
            "repositories",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
