use crate::StoreError;
use domain::clock::Timestamp;
use sqlx::{AnyConnection, Row};

/// Per-deployment secrets generated once and shared by every instance on the database (e.g. the
/// key under which access keys are hashed).
pub struct ServerSecrets<'a> {
    conn: &'a mut AnyConnection,
}

impl<'a> ServerSecrets<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        ServerSecrets { conn }
    }

    /// Returns the secret called `name`, storing `candidate` first if there is none yet. Safe when
    /// several instances race: the first insert wins and everyone reads the winner.
    pub async fn get_or_insert(
        &mut self,
        name: &str,
        candidate: &str,
        at: Timestamp,
    ) -> Result<String, StoreError> {
        sqlx::query("INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(candidate)
            .bind(at.millis())
            .execute(&mut *self.conn)
            .await?;
        let row = sqlx::query("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&mut *self.conn)
            .await?;
        Ok(row.try_get("value")?)
    }
}
