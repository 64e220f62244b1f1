//! Back-office users, on SQLite and PostgreSQL: passwords checked against their argon2id hash,
//! refused alike for an unknown address, a wrong password and a disabled user; a reset password
//! replaces the old one; the demo merchant's admin is made once. Merchants' failed API
//! authentications are throttled per merchant id (from any address) and per address.

use domain::back_office_user::{Password, Role};
use domain::clock::{ManualClock, SystemClock, Timestamp};
use domain::random::OsRandom;
use gateway::api_access::{ApiAccess, ApiThrottlePolicy, ApiVerdict};
use gateway::back_office_sign_in::{BackOfficeSignIn, SignIn, SignInPolicy};
use gateway::back_office_users::UserRequest;
use gateway::configuration_cache::ConfigurationCache;
use gateway::demo;
use gateway::{BackOfficeUsers, MerchantConfig};
use std::sync::Arc;
use store::{DatabaseUrl, Store, StoreError};
use testkit::{TestDb, dump_database};

testkit::backend_suite![
    passwords_are_checked_against_their_hash,
    the_demo_merchant_gets_one_admin,
    every_sign_in_opens_a_new_session_that_ends_when_idle,
    failed_sign_ins_lock_the_account_and_the_address,
    a_one_time_password_is_changed_and_other_sessions_end,
    api_failures_are_throttled_per_merchant_and_per_address,
];

async fn services(db: &TestDb) -> (MerchantConfig, BackOfficeUsers) {
    let store = Store::open(&DatabaseUrl::parse(&db.url).unwrap())
        .await
        .unwrap();
    let config = MerchantConfig::new(store.clone(), Arc::new(SystemClock), Arc::new(OsRandom))
        .await
        .unwrap();
    let users = BackOfficeUsers::new(store, Arc::new(SystemClock), Arc::new(OsRandom));
    (config, users)
}

async fn passwords_are_checked_against_their_hash(db: TestDb) {
    let (config, users) = services(&db).await;
    let (merchant, _) = config.create_merchant("Shop").await.unwrap();
    let request = UserRequest {
        merchant: Some(merchant.id.to_string()),
        email: "Camille@Example.com".to_owned(),
        role: "operator".to_owned(),
    };
    let (user, password) = users.create(&request).await.unwrap();
    assert_eq!(
        (user.role, user.must_change_password),
        (Role::Operator, true)
    );
    assert!(!dump_database(&db).await.contains_secret(password.expose()));

    let signed_in = users
        .check_password("camille@example.com", &password)
        .await
        .unwrap();
    assert_eq!(signed_in.map(|u| u.id), Some(user.id));
    let wrong = Password::from_clear("not the password");
    for (email, password) in [
        ("camille@example.com", &wrong),
        ("nobody@example.com", &password),
        ("not an address", &password),
    ] {
        assert_eq!(
            users.check_password(email, password).await.unwrap(),
            None,
            "{email}"
        );
    }

    let (_, new_password) = users.reset_password("camille@example.com").await.unwrap();
    assert_eq!(
        users
            .check_password("camille@example.com", &password)
            .await
            .unwrap(),
        None,
        "the old password stopped working"
    );
    assert!(
        users
            .check_password("camille@example.com", &new_password)
            .await
            .unwrap()
            .is_some()
    );
    users.disable("camille@example.com").await.unwrap();
    assert_eq!(
        users
            .check_password("camille@example.com", &new_password)
            .await
            .unwrap(),
        None,
        "a disabled user cannot sign in"
    );
}

async fn the_demo_merchant_gets_one_admin(db: TestDb) {
    let (config, users) = services(&db).await;
    let merchant = config.ensure_demo_merchant().await.unwrap();
    let (user, password) = users
        .ensure_demo_user(merchant.merchant_id())
        .await
        .unwrap()
        .expect("made by the first call");
    assert_eq!(user.email.as_str(), demo::USER_EMAIL);
    assert_eq!((user.role, user.must_change_password), (Role::Admin, false));
    assert!(
        users
            .check_password(demo::USER_EMAIL, &password)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        users
            .ensure_demo_user(merchant.merchant_id())
            .await
            .unwrap()
            .is_none()
    );
    let listed = users
        .list(Some(merchant.merchant_id().as_str()))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
}

const MINUTE: i64 = 60_000;

/// A merchant's operator, and sign-in on a clock the test moves.
async fn signing_in(
    db: &TestDb,
) -> (
    BackOfficeSignIn,
    BackOfficeUsers,
    Arc<ManualClock>,
    Password,
) {
    let (config, users) = services(db).await;
    let (merchant, _) = config.create_merchant("Shop").await.unwrap();
    let request = UserRequest {
        merchant: Some(merchant.id.to_string()),
        email: "camille@example.com".to_owned(),
        role: "operator".to_owned(),
    };
    let (_, password) = users.create(&request).await.unwrap();
    let clock = Arc::new(ManualClock::at(Timestamp(1_800_000_000_000)));
    let store = Store::open(&DatabaseUrl::parse(&db.url).unwrap())
        .await
        .unwrap();
    let sign_in = BackOfficeSignIn::new(
        store,
        clock.clone(),
        Arc::new(OsRandom),
        SignInPolicy::default(),
    );
    (sign_in, users, clock, password)
}

async fn token(sign_in: &BackOfficeSignIn, password: &Password, address: &str) -> String {
    match sign_in
        .sign_in("camille@example.com", password, address)
        .await
        .unwrap()
    {
        SignIn::SignedIn { token, .. } => token,
        other => panic!("not signed in: {other:?}"),
    }
}

async fn every_sign_in_opens_a_new_session_that_ends_when_idle(db: TestDb) {
    let (sign_in, users, clock, password) = signing_in(&db).await;
    let first = token(&sign_in, &password, "192.0.2.1").await;
    let second = token(&sign_in, &password, "192.0.2.1").await;
    assert_ne!(first, second, "every sign-in gets a new session id");
    assert_eq!(first.len(), 64);
    assert!(
        !dump_database(&db).await.contains_secret(&first),
        "only a hash is stored"
    );
    let session = sign_in.session(&first).await.unwrap().expect("live");
    assert_eq!(session.user.email.as_str(), "camille@example.com");
    assert_eq!(session.csrf_secret.len(), 64);
    assert!(sign_in.session("not a session").await.unwrap().is_none());

    clock.advance_millis(29 * MINUTE);
    assert!(
        sign_in.session(&first).await.unwrap().is_some(),
        "used: idle again from now"
    );
    clock.advance_millis(29 * MINUTE);
    assert!(sign_in.session(&first).await.unwrap().is_some());
    assert!(
        sign_in.session(&second).await.unwrap().is_none(),
        "58 minutes unused"
    );
    sign_in.sign_out(&first, "192.0.2.1").await.unwrap();
    assert!(
        sign_in.session(&first).await.unwrap().is_none(),
        "signed out"
    );

    let third = token(&sign_in, &password, "192.0.2.1").await;
    users.disable("camille@example.com").await.unwrap();
    assert!(
        sign_in.session(&third).await.unwrap().is_none(),
        "a disabled user's sessions end"
    );
}

async fn failed_sign_ins_lock_the_account_and_the_address(db: TestDb) {
    let (sign_in, _, clock, password) = signing_in(&db).await;
    let wrong = Password::from_clear("wrong password");
    for email in ["camille@example.com", "nobody@example.com"] {
        for _ in 0..5 {
            let refused = sign_in.sign_in(email, &wrong, "192.0.2.1").await.unwrap();
            assert!(matches!(refused, SignIn::Refused), "{email}: {refused:?}");
        }
        // Known or not, the sixth attempt is throttled the same way, even with the password.
        let throttled = sign_in
            .sign_in(email, &password, "198.51.100.7")
            .await
            .unwrap();
        assert!(
            matches!(
                throttled,
                SignIn::Throttled {
                    retry_after_seconds: 900
                }
            ),
            "{email}: {throttled:?}"
        );
    }
    assert_eq!(
        sign_in.locked_until("Camille@example.com").await.unwrap(),
        Some(Timestamp(1_800_000_000_000 + 15 * MINUTE)),
        "operators see the lockout"
    );
    clock.advance_millis(15 * MINUTE + 1);
    token(&sign_in, &password, "198.51.100.7").await;
    assert_eq!(
        sign_in.locked_until("camille@example.com").await.unwrap(),
        None
    );

    // Twenty failures from one address, on any accounts, close that address only.
    for n in 0..20 {
        let email = format!("guess{n}@example.com");
        sign_in
            .sign_in(&email, &wrong, "203.0.113.9")
            .await
            .unwrap();
    }
    let from_there = sign_in
        .sign_in("camille@example.com", &password, "203.0.113.9")
        .await
        .unwrap();
    assert!(
        matches!(from_there, SignIn::Throttled { .. }),
        "{from_there:?}"
    );
    token(&sign_in, &password, "198.51.100.7").await;
}

async fn a_one_time_password_is_changed_and_other_sessions_end(db: TestDb) {
    let (sign_in, users, _, password) = signing_in(&db).await;
    let elsewhere = token(&sign_in, &password, "192.0.2.1").await;
    let here = token(&sign_in, &password, "192.0.2.2").await;
    let wrong = Password::from_clear("not my password");
    for (current, new, field) in [
        (&wrong, "a brand new password", "current_password"),
        (&password, "short", "new_password"),
        (&password, password.expose(), "new_password"),
    ] {
        let refused = sign_in
            .change_password(&here, current, new, "192.0.2.2")
            .await
            .unwrap_err();
        assert!(refused.to_string().starts_with(field), "{refused}");
    }
    let user = sign_in
        .change_password(&here, &password, "a brand new password", "192.0.2.2")
        .await
        .unwrap();
    assert!(!user.must_change_password);
    assert!(
        sign_in.session(&here).await.unwrap().is_some(),
        "this session goes on"
    );
    assert!(
        sign_in.session(&elsewhere).await.unwrap().is_none(),
        "the others end"
    );
    let old = sign_in
        .sign_in("camille@example.com", &password, "192.0.2.1")
        .await
        .unwrap();
    assert!(matches!(old, SignIn::Refused));
    let trail = users
        .audit_trail(user.merchant_id.as_ref(), 50)
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["sign_in", "sign_in", "password_changed", "sign_in_refused"],
        "oldest first here"
    );
    assert!(
        trail
            .iter()
            .all(|e| e.actor == "camille@example.com" && !e.address.is_empty())
    );
    assert!(
        !format!("{trail:?}").contains(password.expose()),
        "no password in the trail"
    );
    let new = Password::from_clear("a brand new password");
    let signed_in = sign_in
        .sign_in("camille@example.com", &new, "192.0.2.1")
        .await
        .unwrap();
    assert!(
        matches!(&signed_in, SignIn::SignedIn { user, .. } if !user.must_change_password),
        "{signed_in:?}"
    );
}

/// 50 failures naming one merchant id, each from another address, close that merchant id
/// (from anywhere) until the window ends; a success forgets them. User names that are not
/// merchant ids count against their address only.
async fn api_failures_are_throttled_per_merchant_and_per_address(db: TestDb) {
    let store = Store::open(&DatabaseUrl::parse(&db.url).unwrap())
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::at(Timestamp(1_800_000_000_000)));
    let config = MerchantConfig::new(store, clock.clone(), Arc::new(OsRandom))
        .await
        .unwrap();
    let throttle =
        ApiThrottle(config.api_access(ApiThrottlePolicy::default(), ConfigurationCache::default()));
    let merchant = "123456789012";
    for n in 0..49 {
        throttle
            .failed(Some(merchant), &format!("192.0.2.{n}"))
            .await
            .unwrap();
    }
    let elsewhere = "198.51.100.1";
    assert_eq!(
        throttle
            .retry_after(Some(merchant), elsewhere)
            .await
            .unwrap(),
        None
    );
    throttle
        .failed(Some(merchant), "192.0.2.200")
        .await
        .unwrap();
    assert_eq!(
        throttle
            .retry_after(Some(merchant), elsewhere)
            .await
            .unwrap(),
        Some(900),
        "the 50th failure closes the merchant id"
    );
    assert_eq!(
        throttle
            .retry_after(Some("210987654321"), elsewhere)
            .await
            .unwrap(),
        None,
        "other merchants are not concerned"
    );
    clock.advance_millis(15 * MINUTE + 1);
    assert_eq!(
        throttle
            .retry_after(Some(merchant), elsewhere)
            .await
            .unwrap(),
        None
    );
    made_up_names_close_their_address(&throttle, merchant, elsewhere).await;
    a_success_forgets_the_failures(&throttle, merchant, elsewhere).await;
}

/// The access check as these tests use it: calls with a wrong key.
struct ApiThrottle(ApiAccess);

impl ApiThrottle {
    async fn failed(&self, user: Option<&str>, address: &str) -> Result<(), StoreError> {
        self.0.failed(user, address).await
    }

    /// Seconds a call naming `user` must wait; `None` when it is checked.
    async fn retry_after(
        &self,
        user: Option<&str>,
        address: &str,
    ) -> Result<Option<u64>, StoreError> {
        let credentials = user.map(|user| (user, "a wrong key"));
        Ok(match self.0.check(credentials, address).await? {
            ApiVerdict::Throttled(seconds) => Some(seconds),
            _ => None,
        })
    }

    async fn succeeded(&self, merchant: &domain::merchant::MerchantId) -> Result<(), StoreError> {
        self.0.forget_failures(merchant).await
    }
}

async fn made_up_names_close_their_address(
    throttle: &ApiThrottle,
    merchant: &str,
    elsewhere: &str,
) {
    for _ in 0..20 {
        throttle
            .failed(Some("not a merchant id"), "203.0.113.9")
            .await
            .unwrap();
    }
    assert_eq!(
        throttle
            .retry_after(Some(merchant), "203.0.113.9")
            .await
            .unwrap(),
        Some(900),
        "the address is closed"
    );
    assert_eq!(
        throttle
            .retry_after(Some(merchant), elsewhere)
            .await
            .unwrap(),
        None
    );
}

async fn a_success_forgets_the_failures(throttle: &ApiThrottle, merchant: &str, elsewhere: &str) {
    for n in 0..10 {
        throttle
            .failed(Some(merchant), &format!("192.0.2.{n}"))
            .await
            .unwrap();
    }
    let id = domain::merchant::MerchantId::parse("merchant", merchant).unwrap();
    throttle.succeeded(&id).await.unwrap();
    for n in 0..49 {
        throttle
            .failed(Some(merchant), &format!("192.0.2.{n}"))
            .await
            .unwrap();
    }
    assert_eq!(
        throttle
            .retry_after(Some(merchant), elsewhere)
            .await
            .unwrap(),
        None,
        "the success forgot the 10 before"
    );
}
