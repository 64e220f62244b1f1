//! Signing in to the back office: a password checked under two throttles (per account and per
//! address), a new session on every sign-in (so a session id planted before cannot be carried
//! over), sessions that end after a time without use, and the change of a one-time password.
//!
//! Only a SHA-256 of a session's cookie value is stored. A throttled account answers the same
//! whether or not the address is a user's, so the answers never tell which addresses exist.

use crate::back_office_users::{BackOfficeUsers, hash_password};
use crate::config_error::ConfigError;
use crate::failure_throttle::FailureThrottle;
use domain::FieldError;
use domain::audit::{AuditAction, AuditEvent};
use domain::back_office_user::{Email, Password, Role, User, UserStatus};
use domain::clock::{Clock, Timestamp};
use domain::merchant::MerchantId;
use domain::random::SharedRandom;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use store::Store;

type Result<T> = std::result::Result<T, ConfigError>;

/// How hard sign-in is to abuse, and how long a session lasts unused.
#[derive(Debug, Clone, Copy)]
pub struct SignInPolicy {
    /// Failed sign-ins for one account within [`Self::window_ms`] before it is locked.
    pub account_failures: i64,
    /// Failed sign-ins from one address within the window before it is refused.
    pub address_failures: i64,
    /// The window failures are counted in; a lockout lasts until the window ends.
    pub window_ms: i64,
    /// A session unused for this long is over.
    pub idle_ms: i64,
}

impl Default for SignInPolicy {
    /// 5 failures per account, 20 per address, in 15 minutes; 30 minutes of idleness.
    fn default() -> Self {
        SignInPolicy {
            account_failures: 5,
            address_failures: 20,
            window_ms: 15 * 60_000,
            idle_ms: 30 * 60_000,
        }
    }
}

/// How a sign-in ended.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: the new session's cookie value (to send once, never stored) and its user.
    SignedIn {
        /// The cookie value.
        token: String,
        /// Who signed in (`must_change_password`: send them to the change form first).
        user: User,
    },
    /// Unknown address, wrong password or disabled user: one answer for all three.
    Refused,
    /// Too many failures for this account or from this address: try again after this many
    /// seconds (nothing was checked).
    Throttled {
        /// Seconds until the window ends.
        retry_after_seconds: u64,
    },
}

/// A live session: its user and the secret its forms must carry.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    /// The signed-in user.
    pub user: User,
    /// The CSRF secret of the session's forms.
    pub csrf_secret: String,
    /// The merchant a platform operator opened ([`BackOfficeSignIn::act_for`]).
    pub acting_for: Option<MerchantId>,
}

/// A user as operators see it: whether sign-in is locked for it now.
#[derive(Debug, Clone)]
pub struct Account {
    /// The user.
    pub user: User,
    /// Until when sign-in is refused after too many failures, if it is.
    pub locked_until: Option<Timestamp>,
}

/// Sign-in, sessions and password changes (cheap to clone).
#[derive(Clone)]
pub struct BackOfficeSignIn {
    store: Store,
    users: BackOfficeUsers,
    clock: Arc<dyn Clock>,
    random: SharedRandom,
    policy: SignInPolicy,
    throttle: FailureThrottle,
}

impl BackOfficeSignIn {
    /// Sign-in over `store` under `policy`.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        policy: SignInPolicy,
    ) -> BackOfficeSignIn {
        BackOfficeSignIn {
            users: BackOfficeUsers::new(store.clone(), clock.clone(), random.clone()),
            throttle: FailureThrottle::new(store.clone(), clock.clone(), policy.window_ms),
            store,
            clock,
            random,
            policy,
        }
    }

    /// Checks `email` and `password` coming from `address`; on success opens a new session.
    pub async fn sign_in(&self, email: &str, password: &Password, address: &str) -> Result<SignIn> {
        let account = account_subject(email);
        let peer = address;
        let address = format!("address:{peer}");
        let limits = [
            (account.as_str(), self.policy.account_failures),
            (address.as_str(), self.policy.address_failures),
        ];
        if let Some(seconds) = self.throttle.retry_after(&limits).await? {
            self.record_refusal(email, "throttled", peer).await?;
            return Ok(SignIn::Throttled {
                retry_after_seconds: seconds,
            });
        }
        let Some(user) = self.users.check_password(email, password).await? else {
            self.throttle.record(&[&account, &address]).await?;
            self.record_refusal(email, "wrong password or disabled user", peer)
                .await?;
            return Ok(SignIn::Refused);
        };
        let token = self.random.hex(32);
        let now = self.clock.now();
        let mut uow = self.store.write().await?;
        let mut sessions = uow.back_office_sessions();
        sessions.clear_failures(&account).await?;
        sessions
            .insert(&token_hash(&token), user.id, &self.random.hex(32), now)
            .await?;
        let signed_in = audit_event(&user, AuditAction::SignIn, "", peer, now);
        uow.audit_events().append(&signed_in).await?;
        uow.commit().await?;
        Ok(SignIn::SignedIn { token, user })
    }

    /// Until when an account is locked (for operators), if it is.
    pub async fn locked_until(&self, email: &str) -> Result<Option<Timestamp>> {
        let (subject, limit) = (account_subject(email), self.policy.account_failures);
        Ok(self
            .throttle
            .locked_until(&subject, limit, self.clock.now())
            .await?)
    }

    /// The live session with this cookie value; `None` when unknown, unused for too long (it is
    /// ended), or its user is disabled.
    pub async fn session(&self, token: &str) -> Result<Option<ActiveSession>> {
        let hash = token_hash(token);
        let now = self.clock.now();
        let mut uow = self.store.read().await?;
        let Some(stored) = uow.back_office_sessions().find(&hash).await? else {
            return Ok(None);
        };
        let user = uow.back_office_users().find_by_id(stored.user_id).await?;
        drop(uow);
        let idle = now.millis() - stored.last_seen_at.millis();
        let Some(user) = user.filter(|user| user.status == UserStatus::Active) else {
            return Ok(None);
        };
        if idle > self.policy.idle_ms {
            let mut uow = self.store.write().await?;
            uow.back_office_sessions().delete(&hash).await?;
            uow.commit().await?;
            return Ok(None);
        }
        // Written at most once a minute: reading a page should not always write.
        if idle > 60_000 {
            let mut uow = self.store.write().await?;
            uow.back_office_sessions().touch(&hash, now).await?;
            uow.commit().await?;
        }
        Ok(Some(ActiveSession {
            user,
            csrf_secret: stored.csrf_secret,
            acting_for: stored.acting_for,
        }))
    }

    /// A platform operator's session opens `merchant`'s back office (recorded in that
    /// merchant's audit trail, so its admins see who looked). Refused for anyone else.
    pub async fn act_for(&self, token: &str, merchant: &str, address: &str) -> Result<MerchantId> {
        let Some(session) = self.session(token).await? else {
            return Err(FieldError::new("session", "has ended: sign in again").into());
        };
        if session.user.role != Role::Platform {
            return Err(
                FieldError::new("role", "must be platform to open another merchant").into(),
            );
        }
        let merchant_id = MerchantId::parse("merchant", merchant)?;
        let now = self.clock.now();
        let mut uow = self.store.write().await?;
        if uow.merchants().find(&merchant_id).await?.is_none() {
            return Err(FieldError::new("merchant", "is not a merchant of this gateway").into());
        }
        uow.back_office_sessions()
            .act_for(&token_hash(token), &merchant_id)
            .await?;
        let opened = AuditEvent {
            merchant_id: Some(merchant_id.clone()),
            subject: merchant_id.to_string(),
            ..audit_event(&session.user, AuditAction::PlatformAccess, "", address, now)
        };
        uow.audit_events().append(&opened).await?;
        uow.commit().await?;
        Ok(merchant_id)
    }

    /// The merchant's users (`None`: the platform's operators) and whether each is locked out.
    pub async fn accounts(&self, merchant: Option<&str>) -> Result<Vec<Account>> {
        let mut accounts = Vec::new();
        for user in self.users.list(merchant).await? {
            let locked_until = self.locked_until(user.email.as_str()).await?;
            accounts.push(Account { user, locked_until });
        }
        Ok(accounts)
    }

    /// Ends the session with this cookie value, signed out from `address` (nothing happens for
    /// an unknown one).
    pub async fn sign_out(&self, token: &str, address: &str) -> Result<()> {
        let hash = token_hash(token);
        let now = self.clock.now();
        let mut uow = self.store.write().await?;
        if let Some(stored) = uow.back_office_sessions().find(&hash).await?
            && let Some(user) = uow.back_office_users().find_by_id(stored.user_id).await?
        {
            let signed_out = audit_event(&user, AuditAction::SignOut, "", address, now);
            uow.audit_events().append(&signed_out).await?;
        }
        uow.back_office_sessions().delete(&hash).await?;
        uow.commit().await?;
        Ok(())
    }

    /// A refused sign-in of a known user goes to its merchant's trail (an unknown address has
    /// no trail to go to).
    async fn record_refusal(&self, email: &str, why: &str, address: &str) -> Result<()> {
        let Ok(Some(user)) = self.users.find(email).await else {
            return Ok(());
        };
        let now = self.clock.now();
        let refused = audit_event(&user, AuditAction::SignInRefused, why, address, now);
        let mut uow = self.store.write().await?;
        uow.audit_events().append(&refused).await?;
        uow.commit().await?;
        Ok(())
    }

    /// Replaces the session user's password after checking the current one; the user's other
    /// sessions end. `new_password` must follow [`Password::chosen`]'s rule and differ.
    pub async fn change_password(
        &self,
        token: &str,
        current: &Password,
        new_password: &str,
        address: &str,
    ) -> Result<User> {
        let Some(session) = self.session(token).await? else {
            return Err(FieldError::new("session", "has ended: sign in again").into());
        };
        let email = session.user.email.as_str();
        if self.users.check_password(email, current).await?.is_none() {
            return Err(FieldError::new("current_password", "is not your password").into());
        }
        let chosen = Password::chosen("new_password", new_password)?;
        if &chosen == current {
            return Err(FieldError::new("new_password", "must differ from the current one").into());
        }
        let hash = hash_password(&chosen, &self.random).await?;
        let now = self.clock.now();
        let mut uow = self.store.write().await?;
        uow.back_office_users()
            .set_password(session.user.id, &hash, false, now)
            .await?;
        let changed = audit_event(
            &session.user,
            AuditAction::PasswordChanged,
            "",
            address,
            now,
        );
        uow.audit_events().append(&changed).await?;
        uow.back_office_sessions()
            .delete_for_user(session.user.id, Some(&token_hash(token)))
            .await?;
        uow.commit().await?;
        Ok(User {
            must_change_password: false,
            ..session.user
        })
    }
}

/// An entry of `user`'s merchant's trail, about `user`.
fn audit_event(
    user: &User,
    action: AuditAction,
    detail: &str,
    address: &str,
    at: Timestamp,
) -> AuditEvent {
    AuditEvent {
        at,
        merchant_id: user.merchant_id.clone(),
        actor: user.email.to_string(),
        action,
        subject: user.email.to_string(),
        detail: detail.to_owned(),
        address: address.to_owned(),
    }
}

/// The failure counter of an address as typed, known or not (normalised like [`Email`]).
fn account_subject(email: &str) -> String {
    let email = Email::parse(email).map_or_else(|_| email.trim().to_lowercase(), |e| e.to_string());
    format!("account:{email}")
}

/// What the database keeps of a session's cookie value.
fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
