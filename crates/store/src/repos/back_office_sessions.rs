use crate::StoreError;
use domain::back_office_user::UserId;
use domain::clock::Timestamp;
use domain::merchant::MerchantId;
use sqlx::{AnyConnection, Row};

/// Back-office sessions (`back_office_sessions`) and failed sign-ins (`sign_in_failures`).
pub struct BackOfficeSessions<'a> {
    conn: &'a mut AnyConnection,
}

/// A stored session: whose, its form secret, when it was last used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The signed-in user.
    pub user_id: UserId,
    /// The secret every form of the session carries (CSRF).
    pub csrf_secret: String,
    /// When a request last used it.
    pub last_seen_at: Timestamp,
    /// The merchant a platform operator opened in this session, if any.
    pub acting_for: Option<MerchantId>,
}

impl<'a> BackOfficeSessions<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        BackOfficeSessions { conn }
    }

    /// Records a new session under the hash of its cookie value.
    pub async fn insert(
        &mut self,
        token_hash: &str,
        user_id: UserId,
        csrf_secret: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO back_office_sessions (token_hash, user_id, csrf_secret, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_secret)
        .bind(at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The session with this cookie hash.
    pub async fn find(&mut self, token_hash: &str) -> Result<Option<StoredSession>, StoreError> {
        let row = sqlx::query(
            "SELECT user_id, csrf_secret, last_seen_at, acting_for FROM back_office_sessions
             WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut *self.conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(StoredSession {
            user_id: row.try_get("user_id")?,
            csrf_secret: row.try_get("csrf_secret")?,
            last_seen_at: Timestamp(row.try_get("last_seen_at")?),
            acting_for: row
                .try_get::<Option<String>, _>("acting_for")?
                .map(|id| {
                    MerchantId::parse("acting_for", &id)
                        .map_err(|e| StoreError::corrupt("back_office_sessions", e.to_string()))
                })
                .transpose()?,
        }))
    }

    /// Makes the session act for `merchant_id` (a platform operator's choice).
    pub async fn act_for(
        &mut self,
        token_hash: &str,
        merchant_id: &MerchantId,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE back_office_sessions SET acting_for = $1 WHERE token_hash = $2")
            .bind(merchant_id.as_str())
            .bind(token_hash)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Marks the session used now.
    pub async fn touch(&mut self, token_hash: &str, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE back_office_sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(at.millis())
            .bind(token_hash)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Ends one session.
    pub async fn delete(&mut self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM back_office_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Ends every session of a user but `keep` (a new password, a disabled user).
    pub async fn delete_for_user(
        &mut self,
        user_id: UserId,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM back_office_sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or(""))
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Counts a failed sign-in for `subject`: one more in the current window, or the first of a
    /// new window when the current one started before `window_from`. Returns the failures and
    /// when their window started.
    pub async fn record_failure(
        &mut self,
        subject: &str,
        at: Timestamp,
        window_from: Timestamp,
    ) -> Result<(i64, Timestamp), StoreError> {
        let row = sqlx::query(
            "INSERT INTO sign_in_failures (subject, window_start, failures) VALUES ($1, $2, 1)
             ON CONFLICT (subject) DO UPDATE SET
                 failures = CASE WHEN sign_in_failures.window_start < $3 THEN 1
                                 ELSE sign_in_failures.failures + 1 END,
                 window_start = CASE WHEN sign_in_failures.window_start < $3 THEN $2
                                     ELSE sign_in_failures.window_start END
             RETURNING failures, window_start",
        )
        .bind(subject)
        .bind(at.millis())
        .bind(window_from.millis())
        .fetch_one(&mut *self.conn)
        .await?;
        Ok((
            row.try_get("failures")?,
            Timestamp(row.try_get("window_start")?),
        ))
    }

    /// The failures counted for `subject` in a window started at or after `window_from`.
    pub async fn failures(
        &mut self,
        subject: &str,
        window_from: Timestamp,
    ) -> Result<Option<(i64, Timestamp)>, StoreError> {
        let row = sqlx::query(
            "SELECT failures, window_start FROM sign_in_failures
             WHERE subject = $1 AND window_start >= $2",
        )
        .bind(subject)
        .bind(window_from.millis())
        .fetch_optional(&mut *self.conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((
            row.try_get("failures")?,
            Timestamp(row.try_get("window_start")?),
        )))
    }

    /// Forgets the failures of `subject` (a successful sign-in, an operator's unlock).
    pub async fn clear_failures(&mut self, subject: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE subject = $1")
            .bind(subject)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }
}
