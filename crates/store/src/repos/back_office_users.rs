use crate::StoreError;
use domain::back_office_user::{Email, Role, User, UserId, UserStatus};
use domain::clock::Timestamp;
use domain::merchant::MerchantId;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Back-office users (`back_office_users`).
pub struct BackOfficeUsers<'a> {
    conn: &'a mut AnyConnection,
}

/// A user to create: who, for which merchant, and the hash of a first password.
#[derive(Debug)]
pub struct NewUser<'a> {
    /// Sign-in name.
    pub email: &'a Email,
    /// The merchant (`None` for a platform operator).
    pub merchant_id: Option<&'a MerchantId>,
    /// What the user may do.
    pub role: Role,
    /// The argon2id PHC string of the first password.
    pub password_hash: &'a str,
    /// Whether that password is to be changed at the first sign-in.
    pub must_change_password: bool,
}

const SELECT: &str = "SELECT id, email, merchant_id, role, status, must_change_password, created_at
     FROM back_office_users";

impl<'a> BackOfficeUsers<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        BackOfficeUsers { conn }
    }

    /// Creates an active user and returns its id; [`StoreError::Conflict`] when the e-mail
    /// address is taken.
    pub async fn insert(
        &mut self,
        user: &NewUser<'_>,
        at: Timestamp,
    ) -> Result<UserId, StoreError> {
        let row = sqlx::query(
            "INSERT INTO back_office_users
                 (email, merchant_id, role, status, password_hash, must_change_password,
                  created_at, updated_at)
             VALUES ($1, $2, $3, 'active', $4, $5, $6, $6) RETURNING id",
        )
        .bind(user.email.as_str())
        .bind(user.merchant_id.map(MerchantId::as_str))
        .bind(user.role.as_str())
        .bind(user.password_hash)
        .bind(i64::from(user.must_change_password))
        .bind(at.millis())
        .fetch_one(&mut *self.conn)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// The user with this sign-in name.
    pub async fn find_by_email(&mut self, email: &Email) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE email = $1")))
            .bind(email.as_str())
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// The user with this id.
    pub async fn find_by_id(&mut self, id: UserId) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// The stored password hash of the user with this sign-in name.
    pub async fn password_hash(&mut self, email: &Email) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT password_hash FROM back_office_users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(&mut *self.conn)
            .await?;
        row.map(|row| row.try_get("password_hash"))
            .transpose()
            .map_err(Into::into)
    }

    /// The merchant's users (`Some`), or the platform's operators (`None`), oldest first.
    pub async fn list(
        &mut self,
        merchant_id: Option<&MerchantId>,
    ) -> Result<Vec<User>, StoreError> {
        let rows = match merchant_id {
            Some(merchant_id) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{SELECT} WHERE merchant_id = $1 ORDER BY created_at, id"
                )))
                .bind(merchant_id.as_str())
                .fetch_all(&mut *self.conn)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{SELECT} WHERE merchant_id IS NULL ORDER BY created_at, id"
                )))
                .fetch_all(&mut *self.conn)
                .await?
            }
        };
        rows.iter().map(user_from_row).collect()
    }

    /// Switches the user on or off; false when there is no such user.
    pub async fn set_status(
        &mut self,
        id: UserId,
        status: UserStatus,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE back_office_users SET status = $1, updated_at = $2 WHERE id = $3")
                .bind(status.as_str())
                .bind(at.millis())
                .bind(id)
                .execute(&mut *self.conn)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces the user's password hash; false when there is no such user.
    pub async fn set_password(
        &mut self,
        id: UserId,
        password_hash: &str,
        must_change_password: bool,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE back_office_users
             SET password_hash = $1, must_change_password = $2, updated_at = $3
             WHERE id = $4",
        )
        .bind(password_hash)
        .bind(i64::from(must_change_password))
        .bind(at.millis())
        .bind(id)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

fn user_from_row(row: &AnyRow) -> Result<User, StoreError> {
    let corrupt = |e: String| StoreError::corrupt("back_office_users", e);
    let merchant_id = row
        .try_get::<Option<String>, _>("merchant_id")?
        .map(|id| MerchantId::parse("merchant_id", &id).map_err(|e| corrupt(e.to_string())))
        .transpose()?;
    Ok(User {
        id: row.try_get("id")?,
        email: Email::parse(&row.try_get::<String, _>("email")?)
            .map_err(|e| corrupt(e.to_string()))?,
        merchant_id,
        role: row
            .try_get::<String, _>("role")?
            .parse()
            .map_err(|()| corrupt("unknown role".to_owned()))?,
        status: row
            .try_get::<String, _>("status")?
            .parse()
            .map_err(corrupt)?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        created_at: Timestamp(row.try_get("created_at")?),
    })
}
