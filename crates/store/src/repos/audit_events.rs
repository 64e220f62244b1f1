use crate::StoreError;
use domain::audit::AuditEvent;
use domain::clock::Timestamp;
use domain::merchant::MerchantId;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// The audit trail (`audit_events`): rows are added and read, never changed or deleted.
pub struct AuditEvents<'a> {
    conn: &'a mut AnyConnection,
}

impl<'a> AuditEvents<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        AuditEvents { conn }
    }

    /// Adds an entry.
    pub async fn append(&mut self, event: &AuditEvent) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_events (at, merchant_id, actor, action, subject, detail, address)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(event.at.millis())
        .bind(event.merchant_id.as_ref().map(MerchantId::as_str))
        .bind(&event.actor)
        .bind(event.action.as_str())
        .bind(&event.subject)
        .bind(&event.detail)
        .bind(&event.address)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The merchant's entries (`None`: the platform's), newest first, at most `limit`.
    pub async fn newest(
        &mut self,
        merchant_id: Option<&MerchantId>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        const COLUMNS: &str = "SELECT at, merchant_id, actor, action, subject, detail, address
             FROM audit_events";
        let rows = match merchant_id {
            Some(merchant_id) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{COLUMNS} WHERE merchant_id = $1 ORDER BY id DESC LIMIT $2"
                )))
                .bind(merchant_id.as_str())
                .bind(limit)
                .fetch_all(&mut *self.conn)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{COLUMNS} WHERE merchant_id IS NULL ORDER BY id DESC LIMIT $1"
                )))
                .bind(limit)
                .fetch_all(&mut *self.conn)
                .await?
            }
        };
        rows.iter().map(event_from_row).collect()
    }
}

fn event_from_row(row: &AnyRow) -> Result<AuditEvent, StoreError> {
    let corrupt = |e: String| StoreError::corrupt("audit_events", e);
    Ok(AuditEvent {
        at: Timestamp(row.try_get("at")?),
        merchant_id: row
            .try_get::<Option<String>, _>("merchant_id")?
            .map(|id| MerchantId::parse("merchant_id", &id).map_err(|e| corrupt(e.to_string())))
            .transpose()?,
        actor: row.try_get("actor")?,
        action: row
            .try_get::<String, _>("action")?
            .parse()
            .map_err(corrupt)?,
        subject: row.try_get("subject")?,
        detail: row.try_get("detail")?,
        address: row.try_get("address")?,
    })
}
