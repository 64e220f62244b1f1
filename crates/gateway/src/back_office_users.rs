//! Back-office users: created with a one-time password (shown once, changed at the first
//! sign-in), listed, disabled, given a new one-time password; passwords checked at sign-in.
//! Passwords are hashed with argon2id (OWASP's parameters: 19 MiB, 2 passes) on a blocking
//! thread, never inside a database transaction.

use crate::config_error::ConfigError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use domain::FieldError;
use domain::audit::AuditEvent;
use domain::back_office_user::{Email, Password, Role, User, UserStatus};
use domain::clock::Clock;
use domain::merchant::MerchantId;
use domain::random::SharedRandom;
use std::sync::{Arc, OnceLock};
use store::repos::NewUser;
use store::{Store, StoreError, UnitOfWork};

type Result<T> = std::result::Result<T, ConfigError>;

/// A user to create: whose back office (`None`: the platform's), the sign-in name, the role.
#[derive(Debug, Clone)]
pub struct UserRequest {
    /// The merchant id as typed (`None` for a platform operator).
    pub merchant: Option<String>,
    /// The e-mail address as typed.
    pub email: String,
    /// `admin`, `operator` or `viewer` as typed (ignored for a platform operator).
    pub role: String,
}

/// The back office's users (cheap to clone: the clones share the store).
#[derive(Clone)]
pub struct BackOfficeUsers {
    store: Store,
    clock: Arc<dyn Clock>,
    random: SharedRandom,
}

impl BackOfficeUsers {
    /// The users kept in `store`.
    pub fn new(store: Store, clock: Arc<dyn Clock>, random: SharedRandom) -> BackOfficeUsers {
        BackOfficeUsers {
            store,
            clock,
            random,
        }
    }

    /// Creates a user with a one-time password, returned in clear this once.
    pub async fn create(&self, request: &UserRequest) -> Result<(User, Password)> {
        self.create_with(request, true).await
    }

    /// The user with this sign-in name, if any.
    pub async fn find(&self, email: &str) -> Result<Option<User>> {
        let email = Email::parse(email)?;
        let mut uow = self.store.read().await?;
        Ok(uow.back_office_users().find_by_email(&email).await?)
    }

    /// Creates a user with a generated password (to change at the first sign-in when
    /// `one_time`), returned in clear this once.
    pub(crate) async fn create_with(
        &self,
        request: &UserRequest,
        one_time: bool,
    ) -> Result<(User, Password)> {
        let email = Email::parse(&request.email)?;
        let (merchant_id, role) = match &request.merchant {
            Some(merchant) => (
                Some(MerchantId::parse("merchant", merchant)?),
                Role::merchant_role(&request.role)?,
            ),
            None => (None, Role::Platform),
        };
        let password = one_time_password(&self.random);
        let hash = hash_password(&password, &self.random).await?;
        let mut uow = self.store.write().await?;
        let user = insert(
            &mut uow,
            &NewUser {
                email: &email,
                merchant_id: merchant_id.as_ref(),
                role,
                password_hash: &hash,
                must_change_password: one_time,
            },
            self.clock.as_ref(),
        )
        .await?;
        uow.commit().await?;
        Ok((user, password))
    }

    /// The merchant's users, or (`None`) the platform's operators, oldest first.
    pub async fn list(&self, merchant: Option<&str>) -> Result<Vec<User>> {
        let merchant_id = merchant
            .map(|merchant| MerchantId::parse("merchant", merchant))
            .transpose()?;
        let mut uow = self.store.read().await?;
        if let Some(merchant_id) = &merchant_id
            && uow.merchants().find(merchant_id).await?.is_none()
        {
            return Err(unknown_merchant(merchant_id).into());
        }
        Ok(uow.back_office_users().list(merchant_id.as_ref()).await?)
    }

    /// Switches a user off: sign-in is refused from now on.
    pub async fn disable(&self, email: &str) -> Result<User> {
        let email = Email::parse(email)?;
        let mut uow = self.store.write().await?;
        let user = existing(&mut uow, &email).await?;
        uow.back_office_users()
            .set_status(user.id, UserStatus::Disabled, self.clock.now())
            .await?;
        uow.back_office_sessions()
            .delete_for_user(user.id, None)
            .await?;
        uow.commit().await?;
        Ok(User {
            status: UserStatus::Disabled,
            ..user
        })
    }

    /// Gives a user a new one-time password (returned in clear this once), to change at the
    /// next sign-in; the previous password stops working.
    pub async fn reset_password(&self, email: &str) -> Result<(User, Password)> {
        let email = Email::parse(email)?;
        let password = one_time_password(&self.random);
        let hash = hash_password(&password, &self.random).await?;
        let mut uow = self.store.write().await?;
        let user = existing(&mut uow, &email).await?;
        uow.back_office_users()
            .set_password(user.id, &hash, true, self.clock.now())
            .await?;
        uow.back_office_sessions()
            .delete_for_user(user.id, None)
            .await?;
        uow.commit().await?;
        Ok((
            User {
                must_change_password: true,
                ..user
            },
            password,
        ))
    }

    /// Adds an entry to the audit trail, stamped now (its `at` is replaced).
    pub async fn record(&self, event: AuditEvent) -> Result<()> {
        let event = AuditEvent {
            at: self.clock.now(),
            ..event
        };
        let mut uow = self.store.write().await?;
        uow.audit_events().append(&event).await?;
        uow.commit().await?;
        Ok(())
    }

    /// The newest `limit` entries of a merchant's audit trail (`None`: the platform's).
    pub async fn audit_trail(
        &self,
        merchant_id: Option<&MerchantId>,
        limit: i64,
    ) -> Result<Vec<AuditEvent>> {
        let mut uow = self.store.read().await?;
        Ok(uow.audit_events().newest(merchant_id, limit).await?)
    }

    /// The active user with this e-mail address and password; `None` for an unknown address, a
    /// wrong password or a disabled user alike (an unknown address costs the same hashing time,
    /// so the answer's delay does not tell which).
    pub async fn check_password(&self, email: &str, password: &Password) -> Result<Option<User>> {
        let Ok(email) = Email::parse(email) else {
            verify_password(password, None).await;
            return Ok(None);
        };
        let (user, hash) = {
            let mut uow = self.store.read().await?;
            let user = uow.back_office_users().find_by_email(&email).await?;
            let hash = uow.back_office_users().password_hash(&email).await?;
            (user, hash)
        };
        let matches = verify_password(password, hash).await;
        Ok(user.filter(|user| matches && user.status == UserStatus::Active))
    }
}

/// Inserts a user in `uow` and returns it as stored (the demo merchant's user is made in the
/// merchant's own unit of work).
pub(crate) async fn insert(
    uow: &mut UnitOfWork,
    user: &NewUser<'_>,
    clock: &dyn Clock,
) -> Result<User> {
    if let Some(merchant_id) = user.merchant_id
        && uow.merchants().find(merchant_id).await?.is_none()
    {
        return Err(unknown_merchant(merchant_id).into());
    }
    let id = match uow.back_office_users().insert(user, clock.now()).await {
        Err(StoreError::Conflict { .. }) => {
            return Err(FieldError::new("email", "is already a user's").into());
        }
        other => other?,
    };
    let stored = uow.back_office_users().find_by_email(user.email).await?;
    stored.filter(|stored| stored.id == id).ok_or_else(|| {
        StoreError::corrupt("back_office_users", format!("user {id} vanished")).into()
    })
}

/// A fresh one-time password.
pub(crate) fn one_time_password(random: &SharedRandom) -> Password {
    let mut pool = [0u8; 64];
    random.fill(&mut pool);
    let mut bytes = pool.into_iter().cycle();
    // 64 bytes give 16 base-62 characters unless more than 48 are rejected (p ≈ 0).
    Password::generate(|| bytes.next().unwrap_or_default())
}

/// The argon2id PHC string of `password` under a random salt (on a blocking thread).
pub(crate) async fn hash_password(password: &Password, random: &SharedRandom) -> Result<String> {
    let mut salt = [0u8; 16];
    random.fill(&mut salt);
    let password = password.clone();
    let hashed = tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|hashed| hashed);
    hashed.map_err(|e| {
        StoreError::corrupt("back_office_users", format!("hashing failed: {e}")).into()
    })
}

/// Whether `password` matches `stored` (on a blocking thread). Without a stored hash, a hash
/// of a password nobody knows is checked instead, so that the time taken is the same.
async fn verify_password(password: &Password, stored: Option<String>) -> bool {
    static NOBODYS: OnceLock<String> = OnceLock::new();
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| {
            NOBODYS
                .get_or_init(|| {
                    let salt = SaltString::encode_b64(b"cvgate-nobody-16").unwrap_or_else(|_| {
                        SaltString::from_b64("Y3ZnYXRlbm9ib2R5").expect("a valid salt")
                    });
                    Argon2::default()
                        .hash_password(b"no user has this password", &salt)
                        .map(|hash| hash.to_string())
                        .unwrap_or_default()
                })
                .clone()
        });
        let matches = PasswordHash::new(&stored).is_ok_and(|hash| {
            Argon2::default()
                .verify_password(password.expose().as_bytes(), &hash)
                .is_ok()
        });
        matches && known
    })
    .await
    .unwrap_or(false)
}

async fn existing(uow: &mut UnitOfWork, email: &Email) -> Result<User> {
    uow.back_office_users()
        .find_by_email(email)
        .await?
        .ok_or_else(|| FieldError::new("email", "is no user's").into())
}

fn unknown_merchant(id: &MerchantId) -> FieldError {
    FieldError::new("merchant", format!("no merchant has the id {id}"))
}
