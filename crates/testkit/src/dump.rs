//! Reads every row of every table as text, to prove what is *not* stored (keys, card numbers).

use crate::database::{Backend, TestDb};
use sqlx::{AnyConnection, Connection, Row};

/// Every row of every table, as `table: col=value …` lines. Values are cast to text by the
/// database itself; bytes appear in hex (PostgreSQL `\x…`, SQLite `hex()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseDump(pub String);

impl DatabaseDump {
    /// Whether `secret` is stored anywhere, as text or as bytes.
    pub fn contains_secret(&self, secret: &str) -> bool {
        let hex_secret = hex::encode(secret.as_bytes());
        self.0.contains(secret) || self.0.to_ascii_lowercase().contains(&hex_secret)
    }

    /// Whether `text` appears anywhere in the dump, as stored text.
    pub fn contains(&self, text: &str) -> bool {
        self.0.contains(text)
    }
}

impl std::fmt::Display for DatabaseDump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The names of the database's tables, sorted.
pub async fn table_names(db: &TestDb) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&db.url)
        .await
        .expect("the test database opens");
    names(&mut conn, catalogue(db.backend).0, None).await
}

/// The backend's queries for table names and column names, and its cast of a column to text.
fn catalogue(backend: Backend) -> (&'static str, &'static str, &'static str) {
    match backend {
        Backend::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            "SELECT name FROM pragma_table_info($1) ORDER BY cid",
            "CASE WHEN typeof(\"{}\") = 'blob' THEN hex(\"{}\") ELSE CAST(\"{}\" AS TEXT) END",
        ),
        Backend::Postgres => (
            "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1",
            "SELECT column_name::text AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            "\"{}\"::text",
        ),
    }
}

/// Reads every row of every table of the test database (panics if it has no table).
pub async fn dump_database(db: &TestDb) -> DatabaseDump {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&db.url)
        .await
        .expect("the test database opens for the dump");
    let (tables_sql, columns_sql, cast) = catalogue(db.backend);
    let tables = names(&mut conn, tables_sql, None).await;
    assert!(
        !tables.is_empty(),
        "the dump found no table at all in {}",
        db.url
    );
    let mut dump = String::new();
    for table in tables {
        let columns = names(&mut conn, columns_sql, Some(&table)).await;
        let select: Vec<String> = columns.iter().map(|c| cast.replace("{}", c)).collect();
        let sql = format!("SELECT {} FROM \"{table}\"", select.join(", "));
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut conn)
            .await
            .expect("table readable");
        for row in rows {
            dump.push_str(&table);
            dump.push(':');
            for (index, column) in columns.iter().enumerate() {
                let value: Option<String> = row.get(index);
                dump.push_str(&format!(" {column}={}", value.as_deref().unwrap_or("NULL")));
            }
            dump.push('\n');
        }
    }
    DatabaseDump(dump)
}

async fn names(conn: &mut AnyConnection, sql: &'static str, bind: Option<&str>) -> Vec<String> {
    let mut query = sqlx::query(sql);
    if let Some(value) = bind {
        query = query.bind(value.to_owned());
    }
    let rows = query.fetch_all(conn).await.expect("catalogue readable");
    rows.iter()
        .map(|row| row.get::<String, _>("name"))
        .collect()
}
