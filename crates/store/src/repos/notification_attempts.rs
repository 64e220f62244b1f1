use crate::StoreError;
use domain::clock::Timestamp;
use domain::notification::NotificationAttempt;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// The calls made to merchants' notification URLs (`notification_attempts`): added, then read.
pub struct NotificationAttempts<'a> {
    conn: &'a mut AnyConnection,
}

/// At most this many calls are read back for one page (a two-hour retry window is 120).
const READ_LIMIT: i64 = 500;

impl<'a> NotificationAttempts<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        NotificationAttempts { conn }
    }

    /// Adds a call.
    pub async fn append(&mut self, attempt: &NotificationAttempt) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO notification_attempts (subject, kind, at, url, status, outcome, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&attempt.subject)
        .bind(&attempt.kind)
        .bind(attempt.at.millis())
        .bind(&attempt.url)
        .bind(attempt.status.map(i32::from))
        .bind(attempt.outcome.as_str())
        .bind(&attempt.detail)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The calls about `subject` (a token or a transaction id), oldest first.
    pub async fn about(&mut self, subject: &str) -> Result<Vec<NotificationAttempt>, StoreError> {
        let rows = sqlx::query(
            "SELECT subject, kind, at, url, status, outcome, detail FROM notification_attempts
             WHERE subject = $1 ORDER BY id LIMIT $2",
        )
        .bind(subject)
        .bind(READ_LIMIT)
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(attempt_from_row).collect()
    }
}

fn attempt_from_row(row: &AnyRow) -> Result<NotificationAttempt, StoreError> {
    let corrupt = |e: String| StoreError::corrupt("notification_attempts", e);
    Ok(NotificationAttempt {
        subject: row.try_get("subject")?,
        kind: row.try_get("kind")?,
        at: Timestamp(row.try_get("at")?),
        url: row.try_get("url")?,
        status: row
            .try_get::<Option<i32>, _>("status")?
            .map(|status| u16::try_from(status).map_err(|e| corrupt(e.to_string())))
            .transpose()?,
        outcome: row
            .try_get::<String, _>("outcome")?
            .parse()
            .map_err(corrupt)?,
        detail: row.try_get("detail")?,
    })
}
