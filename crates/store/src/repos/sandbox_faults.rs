//! The sandboxes' fault switches (crates `card` and `ancv-sandbox`), one row per sandbox. The
//! settings are the sandbox's own JSON: this table keeps them, the sandbox owns their meaning.

use crate::StoreError;
use domain::clock::Timestamp;
use sqlx::{AnyConnection, Row};

pub struct SandboxFaults<'a> {
    conn: &'a mut AnyConnection,
}

impl<'a> SandboxFaults<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        SandboxFaults { conn }
    }

    /// The settings last saved for `sandbox`; `None` when none were ever saved.
    pub async fn find(&mut self, sandbox: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT settings FROM sandbox_faults WHERE sandbox = $1")
            .bind(sandbox)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.map(|row| Ok(row.try_get("settings")?)).transpose()
    }

    /// Replaces the settings of `sandbox` (the last writer wins).
    pub async fn save(
        &mut self,
        sandbox: &str,
        settings: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sandbox_faults (sandbox, settings, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (sandbox) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
        )
        .bind(sandbox)
        .bind(settings)
        .bind(at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }
}
