use crate::{Backend, StoreError};
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

    /// The sandboxes' tables (`sandbox_…`) that hold rows: data only homologation writes.
    pub async fn sandbox_tables_with_rows(
        &mut self,
        backend: Backend,
    ) -> Result<Vec<String>, StoreError> {
        let catalog = match backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'sandbox\\_%' ESCAPE '\\' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'sandbox\\_%' ESCAPE '\\' ORDER BY tablename"
            }
        };
        let names: Vec<String> = sqlx::query(catalog)
            .fetch_all(&mut *self.conn)
            .await?
            .iter()
            .map(|row| row.try_get("name"))
            .collect::<Result<_, _>>()?;
        let mut with_rows = Vec::new();
        for name in names {
            // Names from the catalog, checked to be plain identifiers before they go into SQL.
            if !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                continue;
            }
            let query = format!("SELECT 1 AS one FROM {name} LIMIT 1");
            if sqlx::query(sqlx::AssertSqlSafe(query))
                .fetch_optional(&mut *self.conn)
                .await?
                .is_some()
            {
                with_rows.push(name);
            }
        }
        Ok(with_rows)
    }
}
