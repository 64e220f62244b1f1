//! The merchants' configuration version (`configuration_version`): one more at every change of a
//! merchant, an access key, a point of sale or a contract, in the change's own transaction, so
//! that caches of the configuration (in this process or another one on the database) can tell
//! they are out of date.

use crate::StoreError;
use sqlx::{AnyConnection, Row};

/// Adds one to the version. Every configuration write calls it *before* writing: the version's
/// row lock then orders configuration transactions on PostgreSQL, so two of them cannot deadlock
/// on each other's rows.
pub(crate) async fn bump(conn: &mut AnyConnection) -> Result<(), StoreError> {
    sqlx::query("UPDATE configuration_version SET version = version + 1 WHERE id = 1")
        .execute(conn)
        .await?;
    Ok(())
}

/// Reads the version.
pub struct ConfigurationVersion<'a> {
    conn: &'a mut AnyConnection,
}

impl<'a> ConfigurationVersion<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        ConfigurationVersion { conn }
    }

    /// The version now.
    pub async fn current(&mut self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT version FROM configuration_version WHERE id = 1")
            .fetch_one(&mut *self.conn)
            .await?;
        Ok(row.try_get("version")?)
    }
}
