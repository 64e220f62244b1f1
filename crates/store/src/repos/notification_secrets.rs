use crate::StoreError;
use domain::clock::Timestamp;
use domain::point_of_sale::PosId;
use sqlx::{AnyConnection, Row};

/// The secrets points of sale sign their notifications with (`notification_secrets`).
pub struct NotificationSecrets<'a> {
    conn: &'a mut AnyConnection,
}

impl<'a> NotificationSecrets<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        NotificationSecrets { conn }
    }

    /// Makes `secret` the current one; the current one stays valid until `previous_until`, and
    /// any older one ends now (at most two are valid at once).
    pub async fn rotate(
        &mut self,
        pos_id: PosId,
        secret: &str,
        now: Timestamp,
        previous_until: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM notification_secrets WHERE pos_id = $1 AND valid_until IS NOT NULL",
        )
        .bind(pos_id)
        .execute(&mut *self.conn)
        .await?;
        sqlx::query(
            "UPDATE notification_secrets SET valid_until = $2 WHERE pos_id = $1 AND valid_until IS NULL",
        )
        .bind(pos_id)
        .bind(previous_until.millis())
        .execute(&mut *self.conn)
        .await?;
        sqlx::query(
            "INSERT INTO notification_secrets (pos_id, secret, created_at, valid_until)
             VALUES ($1, $2, $3, NULL)",
        )
        .bind(pos_id)
        .bind(secret)
        .bind(now.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Stops signing: every secret of the point of sale is forgotten.
    pub async fn remove_all(&mut self, pos_id: PosId) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM notification_secrets WHERE pos_id = $1")
            .bind(pos_id)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// The secrets valid at `now`, the current one first.
    pub async fn valid(
        &mut self,
        pos_id: PosId,
        now: Timestamp,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT secret FROM notification_secrets
             WHERE pos_id = $1 AND (valid_until IS NULL OR valid_until > $2)
             ORDER BY id DESC",
        )
        .bind(pos_id)
        .bind(now.millis())
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter()
            .map(|row| row.try_get("secret").map_err(StoreError::from))
            .collect()
    }
}
