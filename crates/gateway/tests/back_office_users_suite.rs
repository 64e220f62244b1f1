//! Back-office users, on SQLite and PostgreSQL: passwords checked against their argon2id hash,
//! refused alike for an unknown address, a wrong password and a disabled user; a reset password
//! replaces the old one; the demo merchant's admin is made once.

use domain::back_office_user::{Password, Role};
use domain::clock::SystemClock;
use domain::random::OsRandom;
use gateway::back_office_users::UserRequest;
use gateway::demo;
use gateway::{BackOfficeUsers, MerchantConfig};
use std::sync::Arc;
use store::{DatabaseUrl, Store};
use testkit::{TestDb, dump_database};

testkit::backend_suite![
    passwords_are_checked_against_their_hash,
    the_demo_merchant_gets_one_admin,
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
