//! Merchant configuration services, on SQLite and PostgreSQL.

use domain::clock::SystemClock;
use domain::contract::{ContractChange, ContractRequest, ContractStatus};
use domain::merchant::MerchantId;
use domain::point_of_sale::{PointOfSale, PointOfSaleChange, PointOfSaleRequest};
use domain::random::OsRandom;
use gateway::demo::DemoMerchant;
use gateway::merchant_config::{ChangeError, PosKey};
use gateway::{ConfigError, MerchantConfig};
use std::sync::Arc;
use store::{DatabaseUrl, Store};
use testkit::{TestDb, dump_database};

testkit::backend_suite![
    access_keys_are_stored_only_hashed,
    rotation_replaces_the_key,
    invalid_contracts_are_refused_and_write_nothing,
    contracts_can_be_listed_shown_and_disabled,
    demo_merchant_is_created_once,
    concurrent_demo_creation_makes_one_merchant,
    points_of_sale_and_contracts_change_by_the_rules_of_new_ones,
];

async fn config(db: &TestDb) -> MerchantConfig {
    let store = Store::open(&DatabaseUrl::parse(&db.url).unwrap())
        .await
        .unwrap();
    MerchantConfig::new(store, Arc::new(SystemClock), Arc::new(OsRandom))
        .await
        .unwrap()
}

async fn access_keys_are_stored_only_hashed(db: TestDb) {
    let config = config(&db).await;
    let (merchant, key) = config.create_merchant("Shop & Co").await.unwrap();
    assert_eq!(key.expose().len(), 24);
    let dump = dump_database(&db).await;
    assert!(
        dump.contains(merchant.id.as_str()),
        "the dump reads the merchant row: {dump}"
    );
    assert!(
        !dump.contains_secret(key.expose()),
        "the access key is stored in clear: {dump}"
    );
    assert_eq!(
        config
            .authenticate(merchant.id.as_str(), key.expose())
            .await
            .unwrap(),
        Some(merchant.id.clone())
    );
    assert_eq!(
        config
            .authenticate(merchant.id.as_str(), "wrong")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        config.authenticate("999", key.expose()).await.unwrap(),
        None
    );
    assert_eq!(
        config
            .authenticate("not digits", key.expose())
            .await
            .unwrap(),
        None
    );
}

async fn rotation_replaces_the_key(db: TestDb) {
    let config = config(&db).await;
    let (merchant, old_key) = config.create_merchant("Shop").await.unwrap();
    let (id, new_key) = config.rotate_key(merchant.id.as_str()).await.unwrap();
    assert_eq!(id, merchant.id);
    assert_ne!(old_key, new_key);
    assert_eq!(
        config
            .authenticate(id.as_str(), old_key.expose())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        config
            .authenticate(id.as_str(), new_key.expose())
            .await
            .unwrap(),
        Some(id)
    );
    let unknown = config.rotate_key("123").await.unwrap_err();
    assert!(
        matches!(&unknown, ConfigError::Invalid(e) if e.field == "merchant"),
        "{unknown}"
    );
}

fn request(number: &str, card_code: &str) -> ContractRequest {
    ContractRequest {
        number: number.into(),
        card_code: card_code.into(),
        ..ContractRequest::default()
    }
}

fn ancv(complementary: &[&str]) -> ContractRequest {
    ContractRequest {
        shop_id: Some("20000001".into()),
        complementary: complementary.iter().map(|s| (*s).to_owned()).collect(),
        ..request("ANCV-1", "ANCV_CONNECT")
    }
}

/// A merchant with two points of sale, CB-1 (CB) and ANCV-0 (ANCV_CONNECT) under the first, CB-2
/// (VISA) under the second, and another merchant with a point of sale of its own. Returns the
/// merchant's id, its first point of sale and the other merchant's.
async fn contracts_on_two_points_of_sale(config: &MerchantConfig) -> (MerchantId, i64, i64) {
    let (merchant, _) = config.create_merchant("Shop").await.unwrap();
    let (other, _) = config.create_merchant("Other").await.unwrap();
    let m = merchant.id.as_str();
    let pos = config
        .create_point_of_sale(m, "Main", None, None)
        .await
        .unwrap()
        .id;
    let second_pos = config
        .create_point_of_sale(m, "Second", None, Some(30))
        .await
        .unwrap()
        .id;
    let other_pos = config
        .create_point_of_sale(other.id.as_str(), "Theirs", None, None)
        .await
        .unwrap()
        .id;
    config
        .create_contract(m, pos, &request("CB-1", "CB"))
        .await
        .unwrap();
    config
        .create_contract(m, second_pos, &request("CB-2", "VISA"))
        .await
        .unwrap();
    config
        .create_contract(
            m,
            pos,
            &ContractRequest {
                shop_id: Some("1".into()),
                ..request("ANCV-0", "ANCV_CONNECT")
            },
        )
        .await
        .unwrap();
    (merchant.id, pos, other_pos)
}

/// Contracts that must be refused (under point of sale `pos` unless said otherwise): the case,
/// where, the contract, and the field and rule of the error.
fn refused_contracts(
    pos: i64,
    other_pos: i64,
) -> Vec<(
    &'static str,
    PosIdOrMerchant,
    ContractRequest,
    &'static str,
    &'static str,
)> {
    vec![
        (
            "missing Shop ID",
            PosIdOrMerchant::Pos(pos),
            ContractRequest {
                shop_id: None,
                ..ancv(&[])
            },
            "shop_id",
            "required",
        ),
        (
            "complementary is not a card contract",
            PosIdOrMerchant::Pos(pos),
            ancv(&["ANCV-0"]),
            "complementary",
            "not a card contract",
        ),
        (
            "complementary of another point of sale",
            PosIdOrMerchant::Pos(pos),
            ancv(&["CB-2"]),
            "complementary",
            "another point of sale",
        ),
        (
            "complementary unknown",
            PosIdOrMerchant::Pos(pos),
            ancv(&["CB-9"]),
            "complementary",
            "does not exist",
        ),
        (
            "duplicate number",
            PosIdOrMerchant::Pos(pos),
            request("CB-1", "CB"),
            "number",
            "already exists",
        ),
        (
            "unknown point of sale",
            PosIdOrMerchant::Pos(pos + 1000),
            request("CB-3", "CB"),
            "pos",
            "no point of sale",
        ),
        (
            "another merchant's point of sale",
            PosIdOrMerchant::Pos(other_pos),
            request("CB-3", "CB"),
            "pos",
            "no point of sale",
        ),
        (
            "unknown merchant",
            PosIdOrMerchant::Merchant("424242"),
            request("CB-3", "CB"),
            "merchant",
            "no merchant",
        ),
        (
            "bad card code",
            PosIdOrMerchant::Pos(pos),
            request("X-1", "PAYPAL"),
            "card_code",
            "one of",
        ),
    ]
}

async fn invalid_contracts_are_refused_and_write_nothing(db: TestDb) {
    let config = config(&db).await;
    let (merchant, pos, other_pos) = contracts_on_two_points_of_sale(&config).await;
    let m = merchant.as_str();
    let before = dump_database(&db).await;

    for (case, target, contract, field, rule) in refused_contracts(pos, other_pos) {
        let (merchant_id, pos_id) = match target {
            PosIdOrMerchant::Pos(pos_id) => (m, pos_id),
            PosIdOrMerchant::Merchant(id) => (id, pos),
        };
        let err = config
            .create_contract(merchant_id, pos_id, &contract)
            .await
            .unwrap_err();
        let ConfigError::Invalid(err) = err else {
            panic!("{case}: not a validation error: {err}")
        };
        assert_eq!(err.field, field, "{case}: {err}");
        assert!(err.rule.contains(rule), "{case}: {err}");
    }
    assert_eq!(
        dump_database(&db).await,
        before,
        "a refused contract wrote something"
    );

    let created = config
        .create_contract(m, pos, &ancv(&["CB-1"]))
        .await
        .unwrap();
    assert_eq!(created.complementary()[0].as_str(), "CB-1");
}

/// Where a refused contract is created: a point of sale of the merchant, or another merchant.
enum PosIdOrMerchant {
    Pos(i64),
    Merchant(&'static str),
}

async fn contracts_can_be_listed_shown_and_disabled(db: TestDb) {
    let config = config(&db).await;
    let (merchant, _) = config.create_merchant("Shop").await.unwrap();
    let m = merchant.id.as_str();
    let pos = config
        .create_point_of_sale(m, "Main", None, None)
        .await
        .unwrap()
        .id;
    config
        .create_contract(m, pos, &request("CB-1", "CB"))
        .await
        .unwrap();
    let disabled = config.disable_contract(m, "CB-1").await.unwrap();
    assert_eq!(disabled.status, ContractStatus::Inactive);
    assert_eq!(
        config.show_contract(m, "CB-1").await.unwrap().status,
        ContractStatus::Inactive
    );
    assert_eq!(config.list_contracts(m).await.unwrap(), vec![disabled]);
    let missing = config.disable_contract(m, "CB-9").await.unwrap_err();
    assert!(
        missing.to_string().contains("has no contract CB-9"),
        "{missing}"
    );
    // An inactive card contract cannot become a complementary contract.
    let err = config
        .create_contract(m, pos, &ancv(&["CB-1"]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("inactive"), "{err}");
}

async fn demo_merchant_is_created_once(db: TestDb) {
    let config = config(&db).await;
    let first = config.ensure_demo_merchant().await.unwrap();
    let DemoMerchant::Created {
        merchant_id,
        access_key,
    } = &first
    else {
        panic!("first start creates: {first:?}")
    };
    assert_eq!(
        config
            .authenticate(merchant_id.as_str(), access_key.expose())
            .await
            .unwrap()
            .as_ref(),
        Some(merchant_id)
    );
    let second = config.ensure_demo_merchant().await.unwrap();
    assert!(
        matches!(&second, DemoMerchant::Existing { merchant_id: id } if id == merchant_id),
        "{second:?}"
    );
    assert_eq!(config.list_merchants().await.unwrap().len(), 1);
    let contracts = config.list_contracts(merchant_id.as_str()).await.unwrap();
    let ancv = contracts
        .iter()
        .find(|c| c.number.as_str() == "ANCV-DEMO")
        .expect("ANCV-DEMO exists");
    assert_eq!(ancv.shop_id().unwrap().as_str(), "20000001");
    assert_eq!(ancv.complementary()[0].as_str(), "CB-DEMO");
    assert_eq!(contracts.len(), 2);
    let pos = config
        .list_points_of_sale(merchant_id.as_str())
        .await
        .unwrap();
    assert_eq!(pos[0].label, "Demo shop");
}

async fn concurrent_demo_creation_makes_one_merchant(db: TestDb) {
    let instances = [config(&db).await, config(&db).await, config(&db).await];
    let results = testkit::join_all(instances.iter().map(|c| c.ensure_demo_merchant())).await;
    let created = results
        .iter()
        .filter(|r| matches!(r, Ok(DemoMerchant::Created { .. })))
        .count();
    assert_eq!(created, 1, "{results:?}");
    let ids: Vec<_> = results
        .iter()
        .map(|r| r.as_ref().unwrap().merchant_id().clone())
        .collect();
    assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
    assert_eq!(instances[0].list_merchants().await.unwrap().len(), 1);
}

async fn points_of_sale_and_contracts_change_by_the_rules_of_new_ones(db: TestDb) {
    let config = config(&db).await;
    let (m, other, shop) = main_shop_with_three_contracts(&config).await;
    assert_eq!(
        config.point_of_sale(&m, "MAIN").await.unwrap(),
        Some(shop.clone())
    );
    assert_eq!(config.point_of_sale(&other, "MAIN").await.unwrap(), None);
    let before = dump_database(&db).await;
    taken_is_told_apart_from_a_broken_rule(&config, &m, &other).await;
    refused_changes_name_the_field(&config, &m).await;
    unknown_targets_are_none(&config, &m, &other).await;
    assert_eq!(
        dump_database(&db).await,
        before,
        "a refused request wrote something"
    );
    accepted_changes_are_read_back(&config, &m).await;
}

fn main_shop() -> PointOfSaleRequest {
    PointOfSaleRequest {
        label: "Main".into(),
        reference: Some("MAIN".into()),
        session_minutes: Some(20),
        widget_data_updates: true,
    }
}

/// A merchant with points of sale MAIN and SECOND, CB-1 (active), VISA-1 (inactive) and
/// ANCV-1 (complement CB-1) under MAIN, and another merchant; returns both and MAIN.
async fn main_shop_with_three_contracts(
    config: &MerchantConfig,
) -> (MerchantId, MerchantId, PointOfSale) {
    let (merchant, _) = config.create_merchant("Shop").await.unwrap();
    let (other, _) = config.create_merchant("Other").await.unwrap();
    let m = &merchant.id;
    let shop = config.add_point_of_sale(m, &main_shop()).await.unwrap();
    assert!(shop.widget_data_updates);
    let second = PointOfSaleRequest {
        label: "Second".into(),
        reference: Some("SECOND".into()),
        ..PointOfSaleRequest::default()
    };
    config.add_point_of_sale(m, &second).await.unwrap();
    let contracts = [
        (request("CB-1", "CB"), ContractStatus::Active),
        (request("VISA-1", "VISA"), ContractStatus::Inactive),
        (ancv(&["CB-1"]), ContractStatus::Active),
    ];
    for (contract, status) in contracts {
        let created = config
            .add_contract(m, PosKey::Reference("MAIN"), &contract, status)
            .await
            .unwrap();
        assert_eq!((created.pos_id, created.status), (shop.id, status));
    }
    (merchant.id, other.id, shop)
}

async fn taken_is_told_apart_from_a_broken_rule(
    config: &MerchantConfig,
    m: &MerchantId,
    other: &MerchantId,
) {
    let taken = config.add_point_of_sale(m, &main_shop()).await.unwrap_err();
    assert!(
        matches!(&taken, ChangeError::Taken(e) if e.field == "reference"),
        "{taken}"
    );
    let card = request("CB-1", "VISA");
    let active = ContractStatus::Active;
    let taken = config
        .add_contract(m, PosKey::Reference("MAIN"), &card, active)
        .await
        .unwrap_err();
    assert!(
        matches!(&taken, ChangeError::Taken(e) if e.field == "number"),
        "{taken}"
    );
    // The CLI sees both as invalid input.
    let cli = config
        .create_point_of_sale(m.as_str(), "Again", Some("MAIN"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&cli, ConfigError::Invalid(e) if e.field == "reference"),
        "{cli}"
    );
    let unknown_pos = config
        .add_contract(other, PosKey::Reference("MAIN"), &card, active)
        .await
        .unwrap_err();
    assert!(
        matches!(&unknown_pos, ChangeError::Invalid(e) if e.field == "pos"),
        "{unknown_pos}"
    );
}

/// Changes refused by the contract form's rules: contract, change, field, rule.
fn contract_refusals() -> Vec<(&'static str, ContractChange, &'static str, &'static str)> {
    let change = ContractChange::default;
    vec![
        (
            "ANCV-1",
            ContractChange {
                label: Some("Fine".into()),
                complementary: Some(vec!["VISA-1".into()]),
                ..change()
            },
            "complementary",
            "inactive",
        ),
        (
            "ANCV-1",
            ContractChange {
                complementary: Some(vec!["ANCV-1".into()]),
                ..change()
            },
            "complementary",
            "not a card contract",
        ),
        (
            "ANCV-1",
            ContractChange {
                shop_id: Some("x".into()),
                ..change()
            },
            "shop_id",
            "digits",
        ),
        (
            "ANCV-1",
            ContractChange {
                pos_reference: Some("SECOND".into()),
                ..change()
            },
            "pos",
            "cannot be changed",
        ),
        (
            "ANCV-1",
            ContractChange {
                card_code: Some("CB".into()),
                ..change()
            },
            "card_code",
            "cannot be changed",
        ),
        (
            "CB-1",
            ContractChange {
                status: Some(ContractStatus::Inactive),
                shop_id: Some("20000001".into()),
                ..change()
            },
            "shop_id",
            "only applies",
        ),
    ]
}

async fn refused_changes_name_the_field(config: &MerchantConfig, m: &MerchantId) {
    for (number, change, field, rule) in contract_refusals() {
        let err = config
            .update_contract(m, number, &change)
            .await
            .unwrap_err();
        let ChangeError::Invalid(err) = err else {
            panic!("{change:?}: not a validation error: {err}")
        };
        assert_eq!(err.field, field, "{change:?}: {err}");
        assert!(err.rule.contains(rule), "{change:?}: {err}");
    }
    let renamed = PointOfSaleChange {
        reference: Some("RENAMED".into()),
        ..PointOfSaleChange::default()
    };
    let too_short = PointOfSaleChange {
        label: Some("Fine".into()),
        session_minutes: Some(5),
        ..PointOfSaleChange::default()
    };
    for (change, field) in [(renamed, "reference"), (too_short, "session_minutes")] {
        let err = config
            .update_point_of_sale(m, "MAIN", &change)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ChangeError::Invalid(e) if e.field == field),
            "{err}"
        );
    }
}

async fn unknown_targets_are_none(config: &MerchantConfig, m: &MerchantId, other: &MerchantId) {
    let deactivate = ContractChange {
        status: Some(ContractStatus::Inactive),
        ..ContractChange::default()
    };
    for (merchant, number) in [(m, "CB-9"), (other, "CB-1"), (m, "not a number!")] {
        let changed = config.update_contract(merchant, number, &deactivate).await;
        assert!(changed.unwrap().is_none(), "{number}");
        assert_eq!(config.contract(merchant, number).await.unwrap(), None);
    }
    let relabel = PointOfSaleChange {
        label: Some("Mine".into()),
        ..PointOfSaleChange::default()
    };
    for (merchant, reference) in [(m, "NOPE"), (other, "MAIN")] {
        let changed = config.update_point_of_sale(merchant, reference, &relabel);
        assert!(changed.await.unwrap().is_none(), "{reference}");
    }
}

async fn accepted_changes_are_read_back(config: &MerchantConfig, m: &MerchantId) {
    let change = ContractChange {
        status: Some(ContractStatus::Inactive),
        shop_id: Some("30000002".into()),
        complementary: Some(Vec::new()),
        label: Some("Vouchers".into()),
        ..ContractChange::default()
    };
    let changed = config.update_contract(m, "ANCV-1", &change).await;
    let changed = changed.unwrap().unwrap();
    assert_eq!(changed.status, ContractStatus::Inactive);
    assert_eq!(changed.shop_id().unwrap().as_str(), "30000002");
    assert!(changed.complementary().is_empty());
    assert_eq!(
        config.contract(m, "ANCV-1").await.unwrap(),
        Some(changed.clone())
    );
    assert_eq!(
        config.show_contract(m.as_str(), "ANCV-1").await.unwrap(),
        changed
    );
    let change = PointOfSaleChange {
        reference: Some("MAIN".into()),
        label: Some("Boutique".into()),
        session_minutes: Some(60),
        widget_data_updates: Some(false),
    };
    let relabelled = config.update_point_of_sale(m, "MAIN", &change).await;
    let relabelled = relabelled.unwrap().unwrap();
    assert_eq!(relabelled.label, "Boutique");
    assert_eq!(relabelled.session_lifetime.as_minutes(), 60);
    assert!(!relabelled.widget_data_updates);
    assert_eq!(
        config.point_of_sale(m, "MAIN").await.unwrap(),
        Some(relabelled)
    );
}
