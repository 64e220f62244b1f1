use crate::StoreError;
use domain::clock::Timestamp;
use domain::merchant::MerchantId;
use sqlx::{AnyConnection, Row};

/// Records which once-per-database fixtures exist (the homologation demo merchant).
pub struct DemoFixtures<'a> {
    conn: &'a mut AnyConnection,
}

impl<'a> DemoFixtures<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        DemoFixtures { conn }
    }

    /// Claims the fixture `name` for `merchant_id`; false when it was already claimed (by an
    /// earlier start or a concurrent instance, which then owns it).
    pub async fn claim(
        &mut self,
        name: &str,
        merchant_id: &MerchantId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO demo_fixtures (name, merchant_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(merchant_id.as_str())
        .bind(at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The merchant that claimed the fixture `name`, if any.
    pub async fn find(&mut self, name: &str) -> Result<Option<MerchantId>, StoreError> {
        let row = sqlx::query("SELECT merchant_id FROM demo_fixtures WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.map(|row| {
            let id: String = row.try_get("merchant_id")?;
            MerchantId::parse("merchant_id", &id)
                .map_err(|e| StoreError::corrupt("demo_fixtures", e))
        })
        .transpose()
    }
}
