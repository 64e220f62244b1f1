//! Tables that keep one JSON document (`id` = 1, `settings`, `updated_at`): settings a part of
//! the application owns, read by every instance on the database (a sandbox's fault switches).

use crate::{StoreError, UnitOfWork};
use domain::clock::Timestamp;
use sqlx::Row;

/// The document kept in `table`; `None` when none was ever saved.
pub async fn load(uow: &mut UnitOfWork, table: &'static str) -> Result<Option<String>, StoreError> {
    let sql = format!("SELECT settings FROM {table} WHERE id = 1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_optional(uow.connection())
        .await?;
    row.map(|row| Ok(row.try_get("settings")?)).transpose()
}

/// Replaces the document kept in `table` (the last writer wins).
pub async fn save(
    uow: &mut UnitOfWork,
    table: &'static str,
    settings: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO {table} (id, settings, updated_at) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(settings)
        .bind(at.millis())
        .execute(uow.connection())
        .await?;
    Ok(())
}
