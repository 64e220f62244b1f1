//! The store's contract: every test runs on SQLite and on PostgreSQL.

use domain::access_key::AccessKeyHash;
use domain::clock::Timestamp;
use domain::contract::{ContractNumber, ContractRequest, ContractStatus, MethodSettings};
use domain::merchant::{Merchant, MerchantId, MerchantStatus};
use domain::point_of_sale::SessionLifetime;
use store::{DatabaseUrl, Store, StoreError};
use testkit::TestDb;

testkit::backend_suite![
    migrations_are_idempotent,
    merchant_round_trip,
    duplicate_merchant_id_is_a_conflict,
    contracts_keep_their_complementary_order,
    duplicate_contract_number_is_a_conflict,
    uncommitted_work_is_rolled_back,
    server_secret_first_insert_wins,
    demo_fixture_is_claimed_once,
    concurrent_writers_all_succeed,
];

async fn open(db: &TestDb) -> Store {
    Store::open(&DatabaseUrl::parse(&db.url).expect("test url parses"))
        .await
        .expect("store opens")
}

fn merchant(id: &str) -> Merchant {
    Merchant {
        id: MerchantId::parse("id", id).unwrap(),
        name: format!("Merchant {id}"),
        status: MerchantStatus::Active,
        created_at: Timestamp(1_700_000_000_000),
    }
}

fn hash(text: &str) -> AccessKeyHash {
    AccessKeyHash::from_stored(format!("hmac-sha256:{text}"))
}

async fn with_merchant_and_pos(store: &Store, id: &str) -> (MerchantId, i64) {
    let mut uow = store.write().await.unwrap();
    let merchant = merchant(id);
    uow.merchants()
        .insert(&merchant, &hash("00"))
        .await
        .unwrap();
    let pos = uow
        .points_of_sale()
        .insert(&merchant.id, "Shop", SessionLifetime::DEFAULT, Timestamp(1))
        .await
        .unwrap();
    uow.commit().await.unwrap();
    (merchant.id, pos)
}

async fn migrations_are_idempotent(db: TestDb) {
    let store = open(&db).await;
    store
        .migrate()
        .await
        .expect("a second migration run changes nothing");
    let again = open(&db).await;
    again.ping().await.unwrap();
}

async fn merchant_round_trip(db: TestDb) {
    let store = open(&db).await;
    let (id, pos_id) = with_merchant_and_pos(&store, "123456789012").await;

    let mut uow = store.read().await.unwrap();
    let found = uow
        .merchants()
        .find(&id)
        .await
        .unwrap()
        .expect("merchant stored");
    assert_eq!(found, merchant("123456789012"));
    assert_eq!(uow.merchants().list().await.unwrap(), vec![found]);
    let credentials = uow.merchants().credentials(&id).await.unwrap().unwrap();
    assert_eq!(credentials.access_key_hash, hash("00"));
    let pos = uow.points_of_sale().find(pos_id).await.unwrap().unwrap();
    assert_eq!(
        (pos.label.as_str(), pos.session_lifetime, &pos.merchant_id),
        ("Shop", SessionLifetime::DEFAULT, &id)
    );
    assert_eq!(uow.points_of_sale().list_for(&id).await.unwrap(), vec![pos]);
    assert!(
        uow.merchants()
            .find(&MerchantId::parse("id", "1").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    drop(uow);

    let mut uow = store.write().await.unwrap();
    assert!(
        uow.merchants()
            .replace_access_key(&id, &hash("11"), Timestamp(2))
            .await
            .unwrap()
    );
    assert!(
        !uow.merchants()
            .replace_access_key(
                &MerchantId::parse("id", "1").unwrap(),
                &hash("11"),
                Timestamp(2)
            )
            .await
            .unwrap()
    );
    uow.commit().await.unwrap();
    let mut uow = store.read().await.unwrap();
    assert_eq!(
        uow.merchants()
            .credentials(&id)
            .await
            .unwrap()
            .unwrap()
            .access_key_hash,
        hash("11")
    );
}

async fn duplicate_merchant_id_is_a_conflict(db: TestDb) {
    let store = open(&db).await;
    with_merchant_and_pos(&store, "42").await;
    let mut uow = store.write().await.unwrap();
    let err = uow
        .merchants()
        .insert(&merchant("42"), &hash("00"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
}

fn card(number: &str) -> ContractRequest {
    ContractRequest {
        number: number.into(),
        card_code: "CB".into(),
        ..ContractRequest::default()
    }
}

async fn contracts_keep_their_complementary_order(db: TestDb) {
    let store = open(&db).await;
    let (id, pos) = with_merchant_and_pos(&store, "7").await;
    let ancv = ContractRequest {
        number: "ANCV-1".into(),
        card_code: "ANCV_CONNECT".into(),
        shop_id: Some("20000001".into()),
        complementary: vec!["CB-2".into(), "CB-1".into()],
        description: Some("Holiday vouchers".into()),
        ..ContractRequest::default()
    };
    let mut uow = store.write().await.unwrap();
    for request in [card("CB-1"), card("CB-2"), ancv] {
        uow.contracts()
            .insert(&id, pos, &request.validate().unwrap(), Timestamp(5))
            .await
            .unwrap();
    }
    uow.commit().await.unwrap();

    let number = ContractNumber::parse("n", "ANCV-1").unwrap();
    let mut uow = store.read().await.unwrap();
    let stored = uow.contracts().find(&id, &number).await.unwrap().unwrap();
    assert_eq!(stored.shop_id().map(|s| s.as_str()), Some("20000001"));
    let order: Vec<&str> = stored
        .complementary()
        .iter()
        .map(ContractNumber::as_str)
        .collect();
    assert_eq!(order, ["CB-2", "CB-1"]);
    assert_eq!(stored.description, "Holiday vouchers");
    assert_eq!(stored.status, ContractStatus::Active);
    let all = uow.contracts().list_for(&id).await.unwrap();
    let numbers: Vec<&str> = all.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(numbers, ["ANCV-1", "CB-1", "CB-2"]);
    assert_eq!(all[0], stored);
    assert_eq!(all[1].method, MethodSettings::Card);
    drop(uow);

    let mut uow = store.write().await.unwrap();
    assert!(
        uow.contracts()
            .set_status(&id, &number, ContractStatus::Inactive, Timestamp(6))
            .await
            .unwrap()
    );
    uow.commit().await.unwrap();
    let mut uow = store.read().await.unwrap();
    assert_eq!(
        uow.contracts()
            .find(&id, &number)
            .await
            .unwrap()
            .unwrap()
            .status,
        ContractStatus::Inactive
    );
}

async fn duplicate_contract_number_is_a_conflict(db: TestDb) {
    let store = open(&db).await;
    let (id, pos) = with_merchant_and_pos(&store, "8").await;
    let mut uow = store.write().await.unwrap();
    uow.contracts()
        .insert(&id, pos, &card("CB-1").validate().unwrap(), Timestamp(5))
        .await
        .unwrap();
    let err = uow
        .contracts()
        .insert(&id, pos, &card("CB-1").validate().unwrap(), Timestamp(5))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
}

async fn uncommitted_work_is_rolled_back(db: TestDb) {
    let store = open(&db).await;
    let mut uow = store.write().await.unwrap();
    uow.merchants()
        .insert(&merchant("9"), &hash("00"))
        .await
        .unwrap();
    drop(uow);
    let mut uow = store.write().await.unwrap();
    uow.merchants()
        .insert(&merchant("10"), &hash("00"))
        .await
        .unwrap();
    uow.rollback().await.unwrap();
    let mut uow = store.read().await.unwrap();
    assert!(uow.merchants().list().await.unwrap().is_empty());
}

async fn server_secret_first_insert_wins(db: TestDb) {
    let store = open(&db).await;
    let mut uow = store.write().await.unwrap();
    assert_eq!(
        uow.server_secrets()
            .get_or_insert("k", "first", Timestamp(1))
            .await
            .unwrap(),
        "first"
    );
    assert_eq!(
        uow.server_secrets()
            .get_or_insert("k", "second", Timestamp(2))
            .await
            .unwrap(),
        "first"
    );
    assert_eq!(
        uow.server_secrets()
            .get_or_insert("other", "x", Timestamp(2))
            .await
            .unwrap(),
        "x"
    );
}

async fn demo_fixture_is_claimed_once(db: TestDb) {
    let store = open(&db).await;
    with_merchant_and_pos(&store, "11").await;
    with_merchant_and_pos(&store, "12").await;
    let first = MerchantId::parse("m", "11").unwrap();
    let mut uow = store.write().await.unwrap();
    assert!(
        uow.demo_fixtures()
            .claim("demo", &first, Timestamp(1))
            .await
            .unwrap()
    );
    assert!(
        !uow.demo_fixtures()
            .claim("demo", &MerchantId::parse("m", "12").unwrap(), Timestamp(1))
            .await
            .unwrap()
    );
    assert_eq!(uow.demo_fixtures().find("demo").await.unwrap(), Some(first));
    assert_eq!(uow.demo_fixtures().find("other").await.unwrap(), None);
}

async fn concurrent_writers_all_succeed(db: TestDb) {
    let store = open(&db).await;
    let (id, _) = with_merchant_and_pos(&store, "13").await;
    let mut tasks = Vec::new();
    for n in 0..16 {
        let store = store.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let mut uow = store.write().await?;
            let existing = uow.points_of_sale().list_for(&id).await?.len();
            uow.points_of_sale()
                .insert(
                    &id,
                    &format!("Shop {n} after {existing}"),
                    SessionLifetime::DEFAULT,
                    Timestamp(n),
                )
                .await?;
            uow.commit().await
        }));
    }
    for task in tasks {
        task.await.unwrap().expect("every writer commits");
    }
    let mut uow = store.read().await.unwrap();
    assert_eq!(uow.points_of_sale().list_for(&id).await.unwrap().len(), 17);
}
