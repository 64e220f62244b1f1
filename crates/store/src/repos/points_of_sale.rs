use crate::StoreError;
use domain::clock::Timestamp;
use domain::merchant::MerchantId;
use domain::point_of_sale::{PointOfSale, PosId, SessionLifetime};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

const SELECT: &str =
    "SELECT id, merchant_id, label, reference, session_minutes, widget_data_updates, created_at
     FROM points_of_sale";

/// Merchants' points of sale (`points_of_sale`).
pub struct PointsOfSale<'a> {
    conn: &'a mut AnyConnection,
}

impl<'a> PointsOfSale<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        PointsOfSale { conn }
    }

    /// Creates a point of sale for the merchant and returns its new id; without a reference it
    /// gets `POS-<id>`, or `POS-<id>-2`, `-3`… when the merchant chose that one for another
    /// (a reference given that the merchant already uses breaks a unique index).
    pub async fn insert(
        &mut self,
        merchant_id: &MerchantId,
        label: &str,
        reference: Option<&str>,
        session_lifetime: SessionLifetime,
        at: Timestamp,
    ) -> Result<PosId, StoreError> {
        super::configuration_version::bump(&mut *self.conn).await?;
        let row = sqlx::query(
            "INSERT INTO points_of_sale (merchant_id, label, reference, session_minutes, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(merchant_id.as_str())
        .bind(label)
        .bind(reference)
        .bind(session_lifetime.as_minutes())
        .bind(at.millis())
        .fetch_one(&mut *self.conn)
        .await?;
        let id: PosId = row.try_get("id")?;
        if reference.is_none() {
            let mut default = format!("POS-{id}");
            let mut n = 1;
            while self.reference_taken(merchant_id, &default).await? {
                n += 1;
                default = format!("POS-{id}-{n}");
            }
            sqlx::query("UPDATE points_of_sale SET reference = $1 WHERE id = $2")
                .bind(default)
                .bind(id)
                .execute(&mut *self.conn)
                .await?;
        }
        Ok(id)
    }

    /// The merchant's point of sale with this reference.
    pub async fn find_by_reference(
        &mut self,
        merchant_id: &MerchantId,
        reference: &str,
    ) -> Result<Option<PointOfSale>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE merchant_id = $1 AND reference = $2"
        )))
        .bind(merchant_id.as_str())
        .bind(reference)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(pos_from_row).transpose()
    }

    /// Whether the merchant already has a point of sale with this reference.
    pub async fn reference_taken(
        &mut self,
        merchant_id: &MerchantId,
        reference: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .find_by_reference(merchant_id, reference)
            .await?
            .is_some())
    }

    /// The point of sale with this id, whoever owns it.
    pub async fn find(&mut self, id: PosId) -> Result<Option<PointOfSale>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(pos_from_row).transpose()
    }

    /// Lets the widget update sessions' data (or not); false when no such point of sale.
    pub async fn set_widget_data_updates(
        &mut self,
        id: PosId,
        allowed: bool,
    ) -> Result<bool, StoreError> {
        super::configuration_version::bump(&mut *self.conn).await?;
        let done = sqlx::query("UPDATE points_of_sale SET widget_data_updates = $1 WHERE id = $2")
            .bind(i64::from(allowed))
            .bind(id)
            .execute(&mut *self.conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Writes the changeable settings of a point of sale (label, session lifetime, widget data
    /// updates), found by its id; false when there is no such point of sale. Its id, merchant,
    /// reference and creation date stay.
    pub async fn update_settings(&mut self, pos: &PointOfSale) -> Result<bool, StoreError> {
        super::configuration_version::bump(&mut *self.conn).await?;
        let done = sqlx::query(
            "UPDATE points_of_sale SET label = $1, session_minutes = $2, widget_data_updates = $3
             WHERE id = $4 AND merchant_id = $5",
        )
        .bind(&pos.label)
        .bind(pos.session_lifetime.as_minutes())
        .bind(i64::from(pos.widget_data_updates))
        .bind(pos.id)
        .bind(pos.merchant_id.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The merchant's points of sale, oldest first.
    pub async fn list_for(
        &mut self,
        merchant_id: &MerchantId,
    ) -> Result<Vec<PointOfSale>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE merchant_id = $1 ORDER BY id"
        )))
        .bind(merchant_id.as_str())
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(pos_from_row).collect()
    }
}

fn pos_from_row(row: &AnyRow) -> Result<PointOfSale, StoreError> {
    let corrupt = |e| StoreError::corrupt("points_of_sale", e);
    Ok(PointOfSale {
        id: row.try_get("id")?,
        merchant_id: MerchantId::parse("merchant_id", &row.try_get::<String, _>("merchant_id")?)
            .map_err(corrupt)?,
        label: row.try_get("label")?,
        reference: row
            .try_get::<Option<String>, _>("reference")?
            .ok_or_else(|| corrupt(domain::FieldError::new("reference", "is missing")))?,
        session_lifetime: SessionLifetime::minutes(
            "session_minutes",
            row.try_get("session_minutes")?,
        )
        .map_err(corrupt)?,
        widget_data_updates: row.try_get::<i64, _>("widget_data_updates")? != 0,
        created_at: Timestamp(row.try_get("created_at")?),
    })
}
