//! Operational tables: artifact pairs, activities, blockers, background jobs.
//!
//! Activities carry a `pending_key` that is set only while the activity is pending and is unique:
//! that is how "at most one pending activity per (integration, artifact)" holds on every
//! database, including MySQL which has no partial indexes (NULLs never collide).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("artifact_pairs")
                .col(big_pk_auto("id"))
                .col(big_integer("integration_id"))
                .col(big_integer("left_repository_id"))
                .col(string_len("left_artifact_id", 255))
                .col(string_len("left_formatted_id", 255))
                .col(string_len_null("left_version", 255))
                .col(big_integer("right_repository_id"))
                .col(string_len("right_artifact_id", 255))
                .col(string_len("right_formatted_id", 255))
                .col(string_len_null("right_version", 255))
                .col(text_null("snapshot"))
                .col(big_integer("created_at"))
                .col(big_integer("synchronized_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("artifact_pairs", "integration_id")
                        .to("integrations", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        for (name, side) in [("pairs_left", "left"), ("pairs_right", "right")] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table("artifact_pairs")
                    .col("integration_id")
                    .col(format!("{side}_repository_id"))
                    .col(format!("{side}_artifact_id"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("activities")
                .col(big_pk_auto("id"))
                .col(big_integer("integration_id"))
                .col(big_integer("repository_id"))
                .col(string_len("artifact_id", 255))
                .col(string_len("kind", 32))
                .col(string_len("state", 16))
                .col(integer("priority"))
                .col(integer("attempts"))
                .col(big_integer("next_attempt_at"))
                .col(string_len_null("pending_key", 320))
                .col(string_len_null("lease_owner", 64))
                .col(big_integer_null("lease_expires_at"))
                .col(string_len_null("error_code", 16))
                .col(text_null("error_message"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("activities", "integration_id")
                        .to("integrations", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("activities_pending_key")
                .table("activities")
                .col("pending_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("activities_due")
                .table("activities")
                .col("state")
                .col("next_attempt_at")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("activities_artifact")
                .table("activities")
                .col("integration_id")
                .col("repository_id")
                .col("artifact_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("blockers")
                .col(big_pk_auto("id"))
                .col(string_len("scope", 16))
                .col(big_integer("scope_id"))
                .col(string_len("code", 16))
                .col(text("message"))
                .col(big_integer("first_seen"))
                .col(big_integer("last_checked"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("blockers_scope_code")
                .table("blockers")
                .col("scope")
                .col("scope_id")
                .col("code")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("background_jobs")
                .col(big_pk_auto("id"))
                .col(string_len("kind", 64))
                .col(text("description"))
                .col(string_len("state", 16))
                .col(big_integer("done"))
                .col(big_integer_null("total"))
                .col(big_integer_null("started_at"))
                .col(big_integer_null("finished_at"))
                .col(text_null("error"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "background_jobs",
            "blockers",
            "activities",
            "artifact_pairs",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
