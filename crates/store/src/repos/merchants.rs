use crate::StoreError;
use domain::access_key::AccessKeyHash;
use domain::clock::Timestamp;
use domain::merchant::{Merchant, MerchantId, MerchantStatus};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Merchant accounts (`merchants`).
pub struct Merchants<'a> {
    conn: &'a mut AnyConnection,
}

/// What authentication needs: whether the merchant may call, and the hash to check the key against.
#[derive(Debug, Clone)]
pub struct MerchantCredentials {
    /// Whether the merchant may call the API.
    pub status: MerchantStatus,
    /// The stored hash of the merchant's access key.
    pub access_key_hash: AccessKeyHash,
}

impl<'a> Merchants<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        Merchants { conn }
    }

    /// Fails with [`StoreError::Conflict`] when the id is taken.
    pub async fn insert(
        &mut self,
        merchant: &Merchant,
        hash: &AccessKeyHash,
    ) -> Result<(), StoreError> {
        super::configuration_version::bump(&mut *self.conn).await?;
        sqlx::query(
            "INSERT INTO merchants (id, name, status, access_key_hash, access_key_rotated_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(merchant.id.as_str())
        .bind(&merchant.name)
        .bind(merchant.status.as_str())
        .bind(hash.as_str())
        .bind(merchant.created_at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The merchant with this id (without its key hash).
    pub async fn find(&mut self, id: &MerchantId) -> Result<Option<Merchant>, StoreError> {
        let row = sqlx::query("SELECT id, name, status, created_at FROM merchants WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(merchant_from_row).transpose()
    }

    /// Every merchant, oldest first.
    pub async fn list(&mut self) -> Result<Vec<Merchant>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, status, created_at FROM merchants ORDER BY created_at, id",
        )
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(merchant_from_row).collect()
    }

    /// What authenticating this merchant needs; `None` for an unknown id.
    pub async fn credentials(
        &mut self,
        id: &MerchantId,
    ) -> Result<Option<MerchantCredentials>, StoreError> {
        let row = sqlx::query("SELECT status, access_key_hash FROM merchants WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(MerchantCredentials {
            status: row
                .try_get::<String, _>("status")?
                .parse()
                .map_err(|e| StoreError::corrupt("merchants", e))?,
            access_key_hash: AccessKeyHash::from_stored(row.try_get("access_key_hash")?),
        }))
    }

    /// Replaces the key's hash; false when the merchant does not exist.
    pub async fn replace_access_key(
        &mut self,
        id: &MerchantId,
        hash: &AccessKeyHash,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        super::configuration_version::bump(&mut *self.conn).await?;
        let done = sqlx::query(
            "UPDATE merchants SET access_key_hash = $1, access_key_rotated_at = $2 WHERE id = $3",
        )
        .bind(hash.as_str())
        .bind(at.millis())
        .bind(id.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

fn merchant_from_row(row: &AnyRow) -> Result<Merchant, StoreError> {
    let corrupt = |e| StoreError::corrupt("merchants", e);
    Ok(Merchant {
        id: MerchantId::parse("id", &row.try_get::<String, _>("id")?).map_err(corrupt)?,
        name: row.try_get("name")?,
        status: row
            .try_get::<String, _>("status")?
            .parse()
            .map_err(corrupt)?,
        created_at: Timestamp(row.try_get("created_at")?),
    })
}
