//! The store's contract: every test runs on SQLite and on PostgreSQL.

use domain::access_key::AccessKeyHash;
use domain::clock::Timestamp;
use domain::contract::{ContractNumber, ContractRequest, ContractStatus, MethodSettings};
use domain::merchant::{Merchant, MerchantId, MerchantStatus};
use domain::point_of_sale::SessionLifetime;
use store::repos::{JobFilter, JobState, KindCounts, RecordedFailure};
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
    jobs_are_leased_once_and_completed,
    a_job_asked_again_while_running_runs_once_more,
    concurrent_workers_never_share_a_job,
    a_lease_is_known_by_its_token_and_renewed,
    failing_jobs_die_and_come_back_when_asked_again,
    points_of_sale_and_contracts_are_updated_in_place,
    group_commit_answers_each_work_and_rolls_back_failures_alone,
    configuration_changes_move_the_version,
    units_of_work_ended_any_way_keep_exactly_the_committed_writes,
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
        .insert(
            &merchant.id,
            "Shop",
            None,
            SessionLifetime::DEFAULT,
            Timestamp(1),
        )
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
                    None,
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

async fn jobs_are_leased_once_and_completed(db: TestDb) {
    let store = open(&db).await;
    let now = Timestamp(10_000);
    enqueue_poll_jobs(&store, now).await;
    let mut uow = store.write().await.unwrap();
    the_due_job_is_leased_once_then_completed(&mut uow, now).await;
    // An expired lease lets another worker take the job; the first one's completion is refused.
    an_expired_lease_is_taken_over(&mut uow).await;
}

/// `poll` jobs `a` (due at 9 000, asked twice) and `b` (due at 20 000), and an `other` job.
async fn enqueue_poll_jobs(store: &Store, now: Timestamp) {
    let mut uow = store.write().await.unwrap();
    uow.jobs()
        .enqueue("poll", "a", Timestamp(9_000), now)
        .await
        .unwrap();
    uow.jobs()
        .enqueue("poll", "b", Timestamp(20_000), now)
        .await
        .unwrap();
    uow.jobs()
        .enqueue("other", "c", Timestamp(1_000), now)
        .await
        .unwrap();
    // Asking again for pending work keeps one row, at the earlier time.
    uow.jobs()
        .enqueue("poll", "a", Timestamp(9_500), now)
        .await
        .unwrap();
    uow.commit().await.unwrap();
}

/// At `now`, only `a` is due: leased once, then completed, which leaves `b`.
async fn the_due_job_is_leased_once_then_completed(uow: &mut store::UnitOfWork, now: Timestamp) {
    let job = uow
        .jobs()
        .lease_due(&["poll"], now, now.plus_millis(60_000), "t1")
        .await
        .unwrap()
        .expect("a is due");
    assert_eq!(
        (job.kind.as_str(), job.subject.as_str(), job.attempts),
        ("poll", "a", 1)
    );
    assert_eq!(
        uow.jobs()
            .lease_due(&["poll"], now, now.plus_millis(60_000), "t2")
            .await
            .unwrap(),
        None,
        "b is not due, a is leased"
    );
    assert_eq!(
        uow.jobs().next_run_at(&["poll"]).await.unwrap(),
        Some(Timestamp(20_000)),
        "a is held until 70 000: b is the next job to lease"
    );
    assert!(uow.jobs().complete(&job).await.unwrap());
    let pending: Vec<String> = uow
        .jobs()
        .pending("poll")
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.subject)
        .collect();
    assert_eq!(pending, ["b"]);
}

/// `b`'s first lease expires and a second worker takes it over: the first cannot complete it,
/// the second's failure is recorded.
async fn an_expired_lease_is_taken_over(uow: &mut store::UnitOfWork) {
    let later = Timestamp(30_000);
    let first = uow
        .jobs()
        .lease_due(&["poll"], later, later.plus_millis(1_000), "t3")
        .await
        .unwrap()
        .unwrap();
    let takeover_at = later.plus_millis(1_000);
    let second = uow
        .jobs()
        .lease_due(&["poll"], takeover_at, takeover_at.plus_millis(1_000), "t4")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.subject.as_str(), second.attempts), ("b", 2));
    assert!(
        !uow.jobs().complete(&first).await.unwrap(),
        "a lost lease cannot complete"
    );
    assert!(
        uow.jobs()
            .record_failure(&second, Timestamp(90_000), "not yet", 10, takeover_at)
            .await
            .unwrap()
            .is_some()
    );
    let b = &uow.jobs().pending("poll").await.unwrap()[0];
    assert_eq!(
        (b.run_at, b.last_error.as_deref()),
        (Timestamp(90_000), Some("not yet"))
    );
}

async fn a_job_asked_again_while_running_runs_once_more(db: TestDb) {
    let store = open(&db).await;
    let now = Timestamp(1_000);
    let mut uow = store.write().await.unwrap();
    uow.jobs().enqueue("refresh", "p1", now, now).await.unwrap();
    let job = uow
        .jobs()
        .lease_due(&["refresh"], now, now.plus_millis(60_000), "t5")
        .await
        .unwrap()
        .unwrap();
    uow.jobs().enqueue("refresh", "p1", now, now).await.unwrap();
    assert!(uow.jobs().complete(&job).await.unwrap());
    let again = uow
        .jobs()
        .lease_due(&["refresh"], now, now.plus_millis(60_000), "t6")
        .await
        .unwrap();
    assert_eq!(
        again.map(|j| j.subject),
        Some("p1".to_owned()),
        "the second request is not lost"
    );
}

async fn concurrent_workers_never_share_a_job(db: TestDb) {
    let store = open(&db).await;
    let now = Timestamp(1_000);
    let mut uow = store.write().await.unwrap();
    for n in 0..20 {
        uow.jobs()
            .enqueue("work", &format!("s{n:02}"), now, now)
            .await
            .unwrap();
    }
    uow.commit().await.unwrap();
    let mut workers = Vec::new();
    for worker in 0..6 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let mut taken = Vec::new();
            loop {
                let token = format!("worker{worker}-{}", taken.len());
                let mut uow = store.write().await.unwrap();
                let job = uow
                    .jobs()
                    .lease_due(&["work"], now, now.plus_millis(60_000), &token)
                    .await
                    .unwrap();
                uow.commit().await.unwrap();
                match job {
                    Some(job) => taken.push(job.subject),
                    None => return taken,
                }
            }
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    all.sort();
    let expected: Vec<String> = (0..20).map(|n| format!("s{n:02}")).collect();
    assert_eq!(all, expected, "every job leased exactly once");
}

async fn a_lease_is_known_by_its_token_and_renewed(db: TestDb) {
    let store = open(&db).await;
    let mut uow = store.write().await.unwrap();
    uow.jobs()
        .enqueue("work", "s", Timestamp(0), Timestamp(0))
        .await
        .unwrap();
    let first = uow
        .jobs()
        .lease_due(&["work"], Timestamp(1_000), Timestamp(2_000), "first")
        .await
        .unwrap()
        .unwrap();
    assert!(uow.jobs().renew(&first, Timestamp(5_000)).await.unwrap());
    assert_eq!(
        uow.jobs()
            .lease_due(&["work"], Timestamp(3_000), Timestamp(9_000), "second")
            .await
            .unwrap(),
        None,
        "the renewed lease still holds after its first end"
    );
    assert_eq!(
        uow.jobs().next_run_at(&["work"]).await.unwrap(),
        Some(Timestamp(5_000)),
        "a running job can next be leased when its lease ends"
    );
    let second = uow
        .jobs()
        .lease_due(&["work"], Timestamp(6_000), Timestamp(9_000), "second")
        .await
        .unwrap()
        .expect("an expired lease is taken over");
    let held = uow.jobs().find(second.id).await.unwrap().unwrap();

    assert!(!uow.jobs().renew(&first, Timestamp(20_000)).await.unwrap());
    assert!(!uow.jobs().complete(&first).await.unwrap());
    assert!(
        !uow.jobs()
            .reschedule(&first, Timestamp(20_000))
            .await
            .unwrap()
    );
    assert_eq!(
        uow.jobs()
            .record_failure(&first, Timestamp(20_000), "late", 1, Timestamp(7_000))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        uow.jobs().find(second.id).await.unwrap().unwrap(),
        held,
        "the worker that lost its lease changed nothing"
    );
    assert!(uow.jobs().complete(&second).await.unwrap());
    assert_eq!(uow.jobs().find(second.id).await.unwrap(), None);
}

async fn failing_jobs_die_and_come_back_when_asked_again(db: TestDb) {
    let store = open(&db).await;
    let mut uow = store.write().await.unwrap();
    uow.jobs()
        .enqueue("work", "doomed", Timestamp(0), Timestamp(0))
        .await
        .unwrap();
    uow.jobs()
        .enqueue("work", "fine", Timestamp(50_000), Timestamp(0))
        .await
        .unwrap();
    the_second_failure_in_a_row_kills(&mut uow).await;
    let later = Timestamp(40_000);
    let dead_id = a_dead_job_is_never_leased_but_listed(&mut uow, later).await;
    // An operator's retry: alive, failures cleared, due now.
    an_operator_retry_revives(&mut uow, dead_id, later).await;
    // Dead again, then its work is asked for again: alive, at the new time.
    fail_once(&mut uow, later).await;
    assert!(fail_once(&mut uow, later.plus_millis(5)).await.dead);
    let asked_at = Timestamp(70_000);
    uow.jobs()
        .enqueue("work", "doomed", asked_at, Timestamp(60_000))
        .await
        .unwrap();
    let revived = uow.jobs().find(dead_id).await.unwrap().unwrap();
    assert_eq!(
        (revived.failures, revived.run_at, revived.dead_at),
        (0, asked_at, None)
    );
}

/// Leases the due `work` job at `now` and records its failure (retry 1 ms later; dead at the
/// second failure in a row).
async fn fail_once(uow: &mut store::UnitOfWork, now: Timestamp) -> RecordedFailure {
    let job = uow
        .jobs()
        .lease_due(&["work"], now, now.plus_millis(60_000), "t")
        .await
        .unwrap()
        .expect("due");
    uow.jobs()
        .record_failure(&job, now.plus_millis(1), "boom", 2, now)
        .await
        .unwrap()
        .unwrap()
}

/// `doomed` fails once (still alive), then again (dead).
async fn the_second_failure_in_a_row_kills(uow: &mut store::UnitOfWork) {
    let now = Timestamp(1_000);
    assert_eq!(
        fail_once(uow, now).await,
        RecordedFailure {
            failures: 1,
            dead: false
        }
    );
    assert_eq!(
        fail_once(uow, now.plus_millis(10)).await,
        RecordedFailure {
            failures: 2,
            dead: true
        }
    );
}

/// At `later`, the dead `doomed` job is not leased and not next, but counted and listed as dead
/// among the failed jobs. Returns its id.
async fn a_dead_job_is_never_leased_but_listed(
    uow: &mut store::UnitOfWork,
    later: Timestamp,
) -> i64 {
    assert_eq!(
        uow.jobs()
            .lease_due(&["work"], later, later.plus_millis(60_000), "t")
            .await
            .unwrap(),
        None,
        "a dead job is never leased"
    );
    assert_eq!(
        uow.jobs().next_run_at(&["work"]).await.unwrap(),
        Some(Timestamp(50_000))
    );
    assert_eq!(
        uow.jobs().counts_by_kind().await.unwrap(),
        [KindCounts {
            kind: "work".into(),
            pending: 1,
            dead: 1
        }]
    );
    let failed = uow.jobs().list(JobFilter::Failed).await.unwrap();
    assert_eq!(failed.len(), 1);
    let dead = &failed[0];
    assert_eq!(
        (
            dead.subject.as_str(),
            dead.failures,
            dead.last_error.as_deref(),
            dead.state(later)
        ),
        ("doomed", 2, Some("boom"), JobState::Dead)
    );
    assert_eq!(uow.jobs().list(JobFilter::All).await.unwrap().len(), 2);
    dead.id
}

/// Retrying the dead job `id` at `later` makes it pending and due then; a second retry has
/// nothing to do, and an unknown id is not found.
async fn an_operator_retry_revives(uow: &mut store::UnitOfWork, id: i64, later: Timestamp) {
    assert_eq!(uow.jobs().retry(id, later).await.unwrap(), Some(true));
    let retried = uow.jobs().find(id).await.unwrap().unwrap();
    assert_eq!(
        (retried.failures, retried.run_at, retried.state(later)),
        (0, later, JobState::Pending)
    );
    assert_eq!(
        uow.jobs().retry(id, later).await.unwrap(),
        Some(false),
        "nothing to retry"
    );
    assert_eq!(uow.jobs().retry(999, later).await.unwrap(), None);
}

async fn points_of_sale_and_contracts_are_updated_in_place(db: TestDb) {
    let store = open(&db).await;
    let (id, pos) = with_merchant_and_pos(&store, "9").await;
    let mut uow = store.write().await.unwrap();
    let mut shop = uow.points_of_sale().find(pos).await.unwrap().unwrap();
    shop.label = "Boutique".into();
    shop.session_lifetime = SessionLifetime::minutes("m", 45).unwrap();
    shop.widget_data_updates = true;
    assert!(uow.points_of_sale().update_settings(&shop).await.unwrap());
    let foreign = domain::point_of_sale::PointOfSale {
        merchant_id: MerchantId::parse("id", "10").unwrap(),
        label: "Not mine".into(),
        ..shop.clone()
    };
    assert!(
        !uow.points_of_sale()
            .update_settings(&foreign)
            .await
            .unwrap(),
        "another merchant's point of sale is not updated"
    );
    let ancv_request = ContractRequest {
        number: "ANCV-1".into(),
        card_code: "ANCV_CONNECT".into(),
        shop_id: Some("20000001".into()),
        complementary: vec!["CB-1".into()],
        ..ContractRequest::default()
    };
    for request in [card("CB-1"), card("CB-2"), ancv_request] {
        uow.contracts()
            .insert(&id, pos, &request.validate().unwrap(), Timestamp(5))
            .await
            .unwrap();
    }
    let number = ContractNumber::parse("n", "ANCV-1").unwrap();
    let mut ancv = uow.contracts().find(&id, &number).await.unwrap().unwrap();
    ancv.label = "Vouchers".into();
    ancv.description = "Holidays".into();
    ancv.status = ContractStatus::Inactive;
    ancv.method = MethodSettings::AncvConnect {
        shop_id: domain::contract::ShopId::parse("s", "30000002").unwrap(),
        complementary: vec![
            ContractNumber::parse("c", "CB-2").unwrap(),
            ContractNumber::parse("c", "CB-1").unwrap(),
        ],
    };
    assert!(uow.contracts().update(&ancv, Timestamp(9)).await.unwrap());
    let ghost = domain::contract::Contract {
        number: ContractNumber::parse("n", "GHOST").unwrap(),
        ..ancv.clone()
    };
    assert!(!uow.contracts().update(&ghost, Timestamp(9)).await.unwrap());
    uow.commit().await.unwrap();

    let mut uow = store.read().await.unwrap();
    assert_eq!(uow.points_of_sale().find(pos).await.unwrap().unwrap(), shop);
    assert_eq!(
        uow.contracts().find(&id, &number).await.unwrap().unwrap(),
        ancv,
        "every changeable field and the complementary order are written"
    );
    drop(uow);
    a_complementary_list_is_emptied(&store, &id, ancv).await;
}

/// An emptied complementary list stays empty; the card contracts are untouched.
async fn a_complementary_list_is_emptied(
    store: &Store,
    id: &MerchantId,
    mut ancv: domain::contract::Contract,
) {
    ancv.method = MethodSettings::AncvConnect {
        shop_id: domain::contract::ShopId::parse("s", "30000002").unwrap(),
        complementary: Vec::new(),
    };
    let mut uow = store.write().await.unwrap();
    assert!(uow.contracts().update(&ancv, Timestamp(10)).await.unwrap());
    uow.commit().await.unwrap();
    let mut uow = store.read().await.unwrap();
    let all = uow.contracts().list_for(id).await.unwrap();
    assert_eq!(all[0], ancv);
    assert!(
        all[1..]
            .iter()
            .all(|c| c.status == ContractStatus::Active && c.method == MethodSettings::Card)
    );
}

/// Works queued together share commits; each is answered with its own result, and one that
/// fails (its own error, or a conflict) leaves nothing behind while the others are kept.
async fn group_commit_answers_each_work_and_rolls_back_failures_alone(db: TestDb) {
    let store = open(&db).await;
    let works: Vec<_> = (0..40)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                // Work 7 reuses work 3's id: whichever runs second conflicts; 35 fails.
                let id = if n == 7 { 1003 } else { 1000 + n };
                store
                    .group_commit()
                    .run(move |uow| {
                        Box::pin(async move {
                            uow.merchants()
                                .insert(&merchant(&id.to_string()), &hash("00"))
                                .await?;
                            if n == 35 {
                                return Err(StoreError::corrupt("merchants", "work 35 gave up"));
                            }
                            Ok(n)
                        })
                    })
                    .await
            })
        })
        .collect();
    let mut kept = Vec::new();
    let mut conflicts = 0;
    for (n, work) in (0..).zip(works) {
        match (n, work.await.unwrap()) {
            (3 | 7, Err(StoreError::Conflict { .. })) => conflicts += 1,
            (35, Err(StoreError::Corrupt { .. })) => {}
            (n, Ok(answered)) if n != 35 => {
                assert_eq!(answered, n, "each work gets its own result");
                kept.push(if n == 7 { 1003 } else { 1000 + n });
            }
            (n, other) => panic!("work {n}: unexpected {other:?}"),
        }
    }
    assert_eq!(conflicts, 1, "one of works 3 and 7 conflicts");
    kept.sort_unstable();
    let stored = merchant_numbers(&store).await;
    assert_eq!(
        stored, kept,
        "the failed works left nothing, the others everything"
    );
}

/// Every configuration write moves the version a cache compares with.
async fn configuration_changes_move_the_version(db: TestDb) {
    let store = open(&db).await;
    let version = |store: Store| async move {
        let mut uow = store.quick_read().await.unwrap();
        uow.configuration_version().current().await.unwrap()
    };
    let before = version(store.clone()).await;
    let (id, pos) = with_merchant_and_pos(&store, "21").await;
    let after_creation = version(store.clone()).await;
    assert!(after_creation > before, "{after_creation} > {before}");
    let mut uow = store.write().await.unwrap();
    uow.contracts()
        .insert(&id, pos, &card("CB-9").validate().unwrap(), Timestamp(5))
        .await
        .unwrap();
    uow.rollback().await.unwrap();
    assert_eq!(
        version(store.clone()).await,
        after_creation,
        "a change rolled back leaves the version"
    );
    let mut uow = store.write().await.unwrap();
    uow.merchants()
        .replace_access_key(&id, &hash("01"), Timestamp(6))
        .await
        .unwrap();
    uow.commit().await.unwrap();
    assert!(version(store).await > after_creation, "a new key moves it");
}

/// Concurrent writers (on SQLite: turns in one shared transaction, each in a savepoint): those
/// that commit keep their writes once `commit` returns, those that roll back or are dropped
/// mid-way leave nothing, and the last one dropped does not keep the database locked: another
/// store on the same database (as another process would) writes next.
async fn units_of_work_ended_any_way_keep_exactly_the_committed_writes(db: TestDb) {
    let store = open(&db).await;
    let writers: Vec<_> = (0..30)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut uow = store.write().await.unwrap();
                uow.merchants()
                    .insert(&merchant(&(2000 + n).to_string()), &hash("00"))
                    .await
                    .unwrap();
                match n % 3 {
                    0 => drop(uow),
                    1 => uow.rollback().await.unwrap(),
                    _ => uow.commit().await.unwrap(),
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let mut last = store.write().await.unwrap();
    last.merchants()
        .insert(&merchant("2999"), &hash("00"))
        .await
        .unwrap();
    drop(last);
    let elsewhere = open(&db).await;
    let mut uow = elsewhere
        .write()
        .await
        .expect("the database is not kept locked");
    uow.merchants()
        .insert(&merchant("3000"), &hash("00"))
        .await
        .unwrap();
    uow.commit().await.unwrap();
    let stored = merchant_numbers(&elsewhere).await;
    let mut expected: Vec<i64> = (0..30).filter(|n| n % 3 == 2).map(|n| 2000 + n).collect();
    expected.push(3000);
    assert_eq!(stored, expected);
}

/// The ids of the stored merchants, as numbers, in order.
async fn merchant_numbers(store: &Store) -> Vec<i64> {
    let mut uow = store.read().await.unwrap();
    let mut numbers: Vec<i64> = uow
        .merchants()
        .list()
        .await
        .unwrap()
        .iter()
        .map(|m| m.id.as_str().parse().unwrap())
        .collect();
    numbers.sort_unstable();
    numbers
}
