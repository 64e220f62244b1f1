//! The administration CLI, run as a real process, on SQLite and PostgreSQL.

mod support;

use std::path::Path;
use support::{Run, command, cvgate, workdir};
use testkit::{TestDb, dump_database};

testkit::backend_suite![
    merchant_create_prints_id_and_key_once,
    invalid_contracts_exit_2_and_write_nothing,
    contracts_are_created_listed_shown_and_disabled,
    usage_errors_are_one_line_with_exit_2,
    the_ancv_sandbox_is_administered_from_the_cli,
    ancv_sandbox_transactions_are_listed_and_rejected_from_the_cli,
    remit_runs_the_card_remittance_now,
    jobs_are_listed_with_their_state_and_failures,
    jobs_retry_revives_a_dead_job_and_refuses_unknown_ids,
    the_sandbox_refuses_a_production_database,
    pos_set_turns_widget_data_updates_on_and_off,
    pos_notification_secret_is_shown_once_and_can_be_turned_off,
    pos_references_are_unique_per_merchant,
    users_are_created_listed_disabled_and_reset,
    refused_users_name_the_flag_and_write_nothing,
];

fn assert_refused(run: &Run, flag: &str, rule: &str) {
    assert_eq!(run.code, 2, "exit code; stderr: {}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "one line: {:?}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!("error: {flag}: ")),
        "names {flag}: {:?}",
        run.stderr
    );
    assert!(run.stderr.contains(rule), "says {rule:?}: {:?}", run.stderr);
    assert!(
        run.stdout.is_empty(),
        "prints nothing on stdout: {:?}",
        run.stdout
    );
}

async fn merchant_create_prints_id_and_key_once(db: TestDb) {
    let dir = workdir();
    let created = cvgate(
        &db,
        dir.path(),
        &["merchant", "create", "--name", "Boutique Soleil", "--json"],
    )
    .await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    let json = created.json();
    let id = json["merchantId"].as_str().unwrap().to_owned();
    let key = json["accessKey"].as_str().unwrap().to_owned();
    assert!(
        id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );
    assert_eq!(key.len(), 24);

    let dump = dump_database(&db).await;
    assert!(dump.contains(&id), "the dump reads the merchants table");
    assert!(
        !dump.contains_secret(&key),
        "the access key is stored in clear:\n{dump}"
    );

    let rotated = cvgate(
        &db,
        dir.path(),
        &["merchant", "rotate-key", "--merchant", &id, "--json"],
    )
    .await;
    assert_eq!(rotated.code, 0, "{}", rotated.stderr);
    let new_key = rotated.json()["accessKey"].as_str().unwrap().to_owned();
    assert_ne!(new_key, key);
    assert!(!dump_database(&db).await.contains_secret(&new_key));

    let text = cvgate(&db, dir.path(), &["merchant", "create", "--name", "Second"]).await;
    assert!(
        text.stdout.contains("merchant id: ") && text.stdout.contains("access key:  "),
        "{}",
        text.stdout
    );

    let list = cvgate(&db, dir.path(), &["merchant", "list", "--json"]).await;
    let listed = list.json();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Boutique Soleil", "Second"]);
    assert!(!list.stdout.contains(&new_key), "listing never shows keys");

    let unknown = cvgate(
        &db,
        dir.path(),
        &["merchant", "rotate-key", "--merchant", "1"],
    )
    .await;
    assert_refused(&unknown, "--merchant", "no merchant with id 1");
}

/// `cvgate merchant create --name NAME --json`: the new merchant's id.
async fn new_merchant(db: &TestDb, dir: &Path, name: &str) -> String {
    cvgate(db, dir, &["merchant", "create", "--name", name, "--json"])
        .await
        .json()["merchantId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `pos create` for this merchant and label, then `extra` flags.
fn pos_create<'a>(merchant: &'a str, label: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["pos", "create", "--merchant", merchant, "--label", label];
    args.extend_from_slice(extra);
    args
}

/// `contract create` with these four fields, then `extra` flags.
fn contract_create<'a>(
    merchant: &'a str,
    pos: &'a str,
    number: &'a str,
    card_code: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "contract",
        "create",
        "--merchant",
        merchant,
        "--pos",
        pos,
        "--number",
        number,
        "--card-code",
        card_code,
    ];
    args.extend_from_slice(extra);
    args
}

/// A merchant with two points of sale: CB-1 (CB) and ANCV-0 (ANCV_CONNECT) under the first,
/// CB-2 (VISA) under the second. Returns the merchant's id and the first point of sale's.
async fn contracts_on_two_points_of_sale(db: &TestDb, d: &Path) -> (String, String) {
    let m = new_merchant(db, d, "M").await;
    let pos = async |label: &str| {
        cvgate(db, d, &pos_create(&m, label, &["--json"]))
            .await
            .json()["posId"]
            .to_string()
    };
    let (pos1, pos2) = (pos("Main").await, pos("Second").await);
    for (number, card_code, at) in [("CB-1", "CB", &pos1), ("CB-2", "VISA", &pos2)] {
        let run = cvgate(db, d, &contract_create(&m, at, number, card_code, &[])).await;
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let ancv0 = contract_create(&m, &pos1, "ANCV-0", "ANCV_CONNECT", &["--shop-id", "1"]);
    assert_eq!(cvgate(db, d, &ancv0).await.code, 0);
    (m, pos1)
}

/// Contracts under merchant `m` and point of sale `pos` that must be refused, each with the flag
/// and the rule its one-line error names.
fn refused_contracts<'a>(m: &'a str, pos: &'a str) -> Vec<(Vec<&'a str>, &'a str, &'a str)> {
    let ancv = |extra: &[&'a str]| contract_create(m, pos, "ANCV-1", "ANCV_CONNECT", extra);
    vec![
        (
            ancv(&["--complementary", "CB-1"]),
            "--shop-id",
            "is required for an ANCV_CONNECT contract",
        ),
        (
            ancv(&["--shop-id", "20000001", "--complementary", "ANCV-0"]),
            "--complementary",
            "is not a card contract",
        ),
        (
            ancv(&["--shop-id", "20000001", "--complementary", "CB-2"]),
            "--complementary",
            "belongs to another point of sale",
        ),
        (
            ancv(&["--shop-id", "20000001", "--complementary", "CB-9"]),
            "--complementary",
            "does not exist",
        ),
        (ancv(&["--shop-id", "2000A001"]), "--shop-id", "digits"),
        (
            ancv(&["--shop-id", "20000001", "--currency", "840"]),
            "--currency",
            "978",
        ),
        (
            contract_create(m, pos, "CB-1", "CB", &[]),
            "--number",
            "already exists",
        ),
        (
            contract_create("999999", pos, "CB-3", "CB", &[]),
            "--merchant",
            "no merchant with id 999999",
        ),
        (
            contract_create(m, "424242", "CB-3", "CB", &[]),
            "--pos",
            "has no point of sale 424242",
        ),
        (
            contract_create(m, pos, "CB-3", "PAYPAL", &[]),
            "--card-code",
            "must be one of",
        ),
    ]
}

async fn invalid_contracts_exit_2_and_write_nothing(db: TestDb) {
    let dir = workdir();
    let d = dir.path();
    let (m, pos1) = contracts_on_two_points_of_sale(&db, d).await;
    let before = dump_database(&db).await;

    for (args, flag, rule) in &refused_contracts(&m, &pos1) {
        let run = cvgate(&db, d, args).await;
        assert_refused(&run, flag, rule);
    }
    assert_eq!(
        dump_database(&db).await,
        before,
        "a refused command wrote something"
    );

    // With --json the refusal is one JSON line naming the field.
    let args = contract_create(
        &m,
        &pos1,
        "ANCV-1",
        "ANCV_CONNECT",
        &["--json", "--complementary", "CB-1"],
    );
    let run = cvgate(&db, d, &args).await;
    assert_eq!(run.code, 2);
    let error: serde_json::Value = serde_json::from_str(run.stderr.trim()).expect("one JSON line");
    assert_eq!(error["field"], "shop_id");
    assert_eq!(error["flag"], "--shop-id");
}

/// `contract create` of ANCV-1 (ANCV_CONNECT, complementary CB-1) with every optional field
/// given, `--json`.
fn ancv_contract_with_every_field<'a>(m: &'a str, pos: &'a str) -> Vec<&'a str> {
    let extra = [
        "--shop-id",
        "20000001",
        "--complementary",
        "CB-1",
        "--label",
        "Chèques-Vacances",
        "--description",
        "Connect",
        "--json",
    ];
    contract_create(m, pos, "ANCV-1", "ANCV_CONNECT", &extra)
}

async fn contracts_are_created_listed_shown_and_disabled(db: TestDb) {
    let dir = workdir();
    let d = dir.path();
    let m = new_merchant(&db, d, "M").await;
    let pos = pos_create(&m, "Main", &["--session-minutes", "30", "--json"]);
    let pos_id = cvgate(&db, d, &pos).await.json()["posId"]
        .as_i64()
        .expect("posId is a number")
        .to_string();
    let bad_minutes = cvgate(&db, d, &pos_create(&m, "Main", &["--session-minutes", "5"])).await;
    assert_refused(&bad_minutes, "--session-minutes", "between 10 and 90");

    let card = cvgate(
        &db,
        d,
        &contract_create(&m, &pos_id, "CB-1", "CB", &["--json"]),
    )
    .await;
    assert_eq!(card.code, 0, "{}", card.stderr);
    let ancv = cvgate(&db, d, &ancv_contract_with_every_field(&m, &pos_id)).await;
    assert_eq!(ancv.code, 0, "{}", ancv.stderr);
    let show = [
        "contract",
        "show",
        "--merchant",
        &m,
        "--number",
        "ANCV-1",
        "--json",
    ];
    let shown = cvgate(&db, d, &show).await.json();
    assert_eq!(shown, ancv.json());
    assert_eq!(shown["shopId"], "20000001");
    assert_eq!(shown["complementary"], serde_json::json!(["CB-1"]));
    assert_eq!(shown["currency"], "978");
    assert_eq!(shown["label"], "Chèques-Vacances");
    assert_eq!(shown["status"], "active");

    let listed = cvgate(&db, d, &["contract", "list", "--merchant", &m, "--json"])
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let text = cvgate(&db, d, &["contract", "list", "--merchant", &m])
        .await
        .stdout;
    assert!(
        text.lines()
            .any(|l| l.starts_with("ANCV-1") && l.contains("20000001") && l.contains("CB-1")),
        "{text}"
    );

    let disable = [
        "contract",
        "disable",
        "--merchant",
        &m,
        "--number",
        "CB-1",
        "--json",
    ];
    let disabled = cvgate(&db, d, &disable).await.json();
    assert_eq!(disabled["status"], "inactive");
    let missing = cvgate(
        &db,
        d,
        &["contract", "show", "--merchant", &m, "--number", "NOPE"],
    )
    .await;
    assert_refused(&missing, "--number", "has no contract NOPE");
}

async fn usage_errors_are_one_line_with_exit_2(db: TestDb) {
    let dir = workdir();
    let missing = cvgate(&db, dir.path(), &["merchant", "create"]).await;
    assert_eq!(missing.code, 2);
    assert_eq!(missing.stderr.lines().count(), 1, "{}", missing.stderr);
    assert!(missing.stderr.contains("--name"), "{}", missing.stderr);
    let not_a_number = cvgate(
        &db,
        dir.path(),
        &[
            "contract",
            "create",
            "--merchant",
            "1",
            "--pos",
            "x",
            "--number",
            "A",
            "--card-code",
            "CB",
        ],
    )
    .await;
    assert_eq!(not_a_number.code, 2);
    assert_eq!(
        not_a_number.stderr.lines().count(),
        1,
        "{}",
        not_a_number.stderr
    );
    assert!(
        not_a_number.stderr.contains("--pos"),
        "{}",
        not_a_number.stderr
    );
}

/// `cvgate sandbox ancv ARGS…`.
async fn ancv_sandbox(db: &TestDb, dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["sandbox", "ancv"];
    all.extend_from_slice(args);
    cvgate(db, dir, &all).await
}

/// `cvgate sandbox ancv beneficiary add`, secret code 4321.
async fn add_beneficiary(db: &TestDb, dir: &Path, id: &str, email: &str, balance: &str) -> Run {
    let args = [
        "beneficiary",
        "add",
        "--id",
        id,
        "--email",
        email,
        "--balance",
        balance,
        "--secret-code",
        "4321",
    ];
    ancv_sandbox(db, dir, &args).await
}

async fn the_ancv_sandbox_is_administered_from_the_cli(db: TestDb) {
    let dir = workdir();
    let d = dir.path();
    let add = |id, email, balance| add_beneficiary(&db, d, id, email, balance);
    let created = add("10000000099", "new.holder@example.com", "42.50").await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert_eq!(created.json()["balance"], 4250);
    assert!(
        !created.stdout.contains("4321"),
        "the secret code is never printed"
    );
    assert_refused(
        &add("1234", "x@example.com", "1").await,
        "--id",
        "11 digits",
    );
    assert_refused(
        &add("10000000098", "x@example.com", "1.234").await,
        "--balance",
        "euros",
    );
    assert_refused(
        &add("10000000099", "other@example.com", "1").await,
        "--id",
        "",
    );
    let show = [
        "beneficiary",
        "show",
        "--id",
        "new.holder@example.com",
        "--json",
    ];
    let shown = ancv_sandbox(&db, d, &show).await;
    assert_eq!(shown.json()["beneficiaryId"], "10000000099");
    let shop = ancv_sandbox(&db, d, &["shop", "add", "--shop-id", "30000003", "--json"]).await;
    assert_eq!(
        shop.json(),
        serde_json::json!({"shopId": "30000003", "added": true})
    );
    assert_refused(
        &ancv_sandbox(&db, d, &["shop", "add", "--shop-id", "not a shop!"]).await,
        "--shop-id",
        "letters, digits",
    );
    let settled = ancv_sandbox(&db, d, &["settle", "--json"]).await;
    assert_eq!(settled.code, 0, "{}", settled.stderr);
    assert_eq!(
        settled.json(),
        serde_json::json!([]),
        "nothing validated yet"
    );
    assert_refused(
        &ancv_sandbox(&db, d, &["settle", "--until", "NOW"]).await,
        "--until",
        "CONSIGNED or PAID",
    );
}

/// A transaction validated by camille (10000000001) for 50.00 €, made in-process on the same
/// database as the CLI will use; its id.
async fn validated_in_the_sandbox(db: &TestDb) -> String {
    use ancv::wire::{
        Amount, CreateRequest, Merchant, Order, PayerInput, PayerRequest, PaymentMethod,
        RedirectUrls,
    };
    use domain::clock::{Clock, SystemClock};
    let store = store::Store::open(&store::DatabaseUrl::parse(&db.url).unwrap())
        .await
        .unwrap();
    let key = ancv::SealKey::new("ver001", "cli-test-key").unwrap();
    let sandbox = ancv_sandbox::Sandbox::open(
        store,
        std::sync::Arc::new(SystemClock),
        std::sync::Arc::new(domain::random::OsRandom),
        ancv_sandbox::SandboxConfig::new("900001", key),
    )
    .await
    .unwrap();
    sandbox.seed_test_data().await.unwrap();
    let now = || SystemClock.now().to_rfc3339();
    // Nobody listens there: the notifications wait in their table.
    let nowhere = "http://127.0.0.1:9/notify".to_owned();
    let created = sandbox
        .create_transaction(&CreateRequest {
            merchant: Merchant {
                shop_id: "20000001".into(),
                service_provider_id: "900001".into(),
            },
            order: Order {
                id: "ORDER-cli".into(),
                payment_id: "pay-cli".into(),
                label: None,
                amount: Amount::eur(5_000),
            },
            payment_method: PaymentMethod::immediate(),
            redirect_urls: RedirectUrls {
                return_url: nowhere.clone(),
                cancel_url: nowhere,
            },
            request_date: now(),
        })
        .await
        .unwrap();
    let payer = PayerRequest {
        payer: PayerInput {
            beneficiary_id: "10000000001".into(),
            amount: Amount::eur(5_000),
        },
        request_date: now(),
    };
    sandbox.attach_payer(&created.id, &payer).await.unwrap();
    sandbox
        .validate_request(&created.id, "1234", None)
        .await
        .unwrap();
    created.id
}

async fn ancv_sandbox_transactions_are_listed_and_rejected_from_the_cli(db: TestDb) {
    let dir = workdir();
    let d = dir.path();
    let id = validated_in_the_sandbox(&db).await;
    let sandbox = async |args: &[&str]| ancv_sandbox(&db, d, args).await;
    let camille = sandbox(&[
        "beneficiary",
        "transactions",
        "--id",
        "camille.martin@example.com",
        "--json",
    ])
    .await;
    assert_eq!(camille.code, 0, "{}", camille.stderr);
    let listed = camille.json();
    assert_eq!(listed["transactions"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            &listed["transactions"][0]["id"],
            &listed["transactions"][0]["state"],
            &listed["transactions"][0]["validatedAmount"]
        ),
        (
            &serde_json::json!(id),
            &serde_json::json!("VALIDATED"),
            &serde_json::json!(5_000)
        )
    );
    let shop = sandbox(&["shop", "transactions", "--shop-id", "20000001", "--json"]).await;
    assert_eq!(shop.json(), listed, "the shop has the same one transaction");
    assert_refused(
        &sandbox(&["shop", "transactions", "--shop-id", "29999999"]).await,
        "--shop-id",
        "no shop",
    );

    let rejected = sandbox(&["reject", "--transaction", &id, "--json"]).await;
    assert_eq!(rejected.code, 0, "{}", rejected.stderr);
    assert_eq!(rejected.json()["state"], "REJECTED");
    let again = sandbox(&["reject", "--transaction", &id]).await;
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(
        again.stderr.contains("OPERATION_TRANSACTION_NOT_ALLOWED"),
        "{}",
        again.stderr
    );
    let shown = sandbox(&["beneficiary", "show", "--id", "10000000001", "--json"]).await;
    assert_eq!(shown.json()["balance"], 30_000, "the vouchers came back");
    let text = sandbox(&["beneficiary", "transactions", "--id", "10000000001"]).await;
    assert!(text.stdout.contains("\"REJECTED\""), "{}", text.stdout);
}

async fn remit_runs_the_card_remittance_now(db: TestDb) {
    let dir = workdir();
    let run = cvgate(&db, dir.path(), &["remit", "--json"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json(),
        serde_json::json!({"remitted": []}),
        "nothing captured yet"
    );
}

/// Background jobs in every state, written as workers would: returns the ids by subject.
async fn jobs_in_every_state(db: &TestDb) -> std::collections::HashMap<&'static str, i64> {
    use domain::clock::{Clock, SystemClock};
    let store = store::Store::open(&store::DatabaseUrl::parse(&db.url).unwrap())
        .await
        .unwrap();
    let now = SystemClock.now();
    let lease_until = now.plus_millis(600_000);
    let mut uow = store.write().await.unwrap();
    let mut jobs = uow.jobs();
    jobs.enqueue("card_remittance", "daily", now.plus_millis(3_600_000), now)
        .await
        .unwrap();
    jobs.enqueue(
        "merchant_notification",
        "1secretTOKENfor-merchant",
        now,
        now,
    )
    .await
    .unwrap();
    let running = jobs
        .lease_due(&["merchant_notification"], now, lease_until, "a")
        .await
        .unwrap()
        .unwrap();
    jobs.enqueue("card_reconcile", "txn-failing", now, now)
        .await
        .unwrap();
    let failing = jobs
        .lease_due(&["card_reconcile"], now, lease_until, "b")
        .await
        .unwrap()
        .unwrap();
    jobs.record_failure(&failing, now.plus_millis(5_000), "acquirer down", 10, now)
        .await
        .unwrap();
    jobs.enqueue("ancv_give_back", "pay-dead", now, now)
        .await
        .unwrap();
    let dead = jobs
        .lease_due(&["ancv_give_back"], now, lease_until, "c")
        .await
        .unwrap()
        .unwrap();
    jobs.record_failure(&dead, now.plus_millis(5_000), "ANCV refused", 1, now)
        .await
        .unwrap();
    let remittance = jobs.pending("card_remittance").await.unwrap()[0].id;
    uow.commit().await.unwrap();
    store.close().await;
    [
        ("daily", remittance),
        ("token", running.id),
        ("txn-failing", failing.id),
        ("pay-dead", dead.id),
    ]
    .into_iter()
    .collect()
}

async fn jobs_are_listed_with_their_state_and_failures(db: TestDb) {
    let dir = workdir();
    let d = dir.path();
    let ids = jobs_in_every_state(&db).await;
    let listed = cvgate(&db, d, &["jobs", "list", "--json"]).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let rows = listed.json();
    let by_id = |id: i64| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|row| row["id"] == id)
            .unwrap_or_else(|| panic!("job {id} listed: {rows}"))
            .clone()
    };
    assert_eq!(rows.as_array().unwrap().len(), 4, "{rows}");
    let remittance = by_id(ids["daily"]);
    assert_eq!(
        (
            &remittance["kind"],
            &remittance["subject"],
            &remittance["state"]
        ),
        (
            &serde_json::json!("card_remittance"),
            &serde_json::json!("daily"),
            &serde_json::json!("pending")
        )
    );
    let notification = by_id(ids["token"]);
    assert_eq!(notification["subject"], "1secre…", "a token is a secret");
    assert_eq!(notification["state"], "running");
    assert_eq!(notification["attempts"], 1);
    let failing = by_id(ids["txn-failing"]);
    assert_eq!(
        (
            &failing["failures"],
            &failing["lastError"],
            &failing["state"]
        ),
        (
            &serde_json::json!(1),
            &serde_json::json!("acquirer down"),
            &serde_json::json!("pending")
        )
    );
    assert_eq!(by_id(ids["pay-dead"])["state"], "dead");
    assert!(!listed.stdout.contains("secretTOKEN"), "{}", listed.stdout);

    let text = cvgate(&db, d, &["jobs", "list"]).await;
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.starts_with("ID "), "{}", text.stdout);
    assert!(
        text.stdout.lines().any(|l| l.contains("ancv_give_back")
            && l.contains("dead")
            && l.contains("ANCV refused")),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains("secretTOKEN"), "{}", text.stdout);

    let failed = cvgate(&db, d, &["jobs", "list", "--failed", "--json"]).await;
    assert_eq!(failed.code, 0, "{}", failed.stderr);
    let mut failed_ids: Vec<i64> = failed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_i64().unwrap())
        .collect();
    failed_ids.sort_unstable();
    let mut expected = vec![ids["txn-failing"], ids["pay-dead"]];
    expected.sort_unstable();
    assert_eq!(failed_ids, expected);
}

async fn jobs_retry_revives_a_dead_job_and_refuses_unknown_ids(db: TestDb) {
    let dir = workdir();
    let d = dir.path();
    let ids = jobs_in_every_state(&db).await;
    let dead = ids["pay-dead"].to_string();
    let retried = cvgate(&db, d, &["jobs", "retry", "--id", &dead, "--json"]).await;
    assert_eq!(retried.code, 0, "{}", retried.stderr);
    let job = retried.json();
    assert_eq!(
        (&job["state"], &job["failures"], &job["subject"]),
        (
            &serde_json::json!("pending"),
            &serde_json::json!(0),
            &serde_json::json!("pay-dead")
        )
    );
    let failed = cvgate(&db, d, &["jobs", "list", "--failed", "--json"]).await;
    let still_failing: Vec<i64> = failed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_i64().unwrap())
        .collect();
    assert_eq!(still_failing, [ids["txn-failing"]]);
    let text = cvgate(
        &db,
        d,
        &["jobs", "retry", "--id", &ids["txn-failing"].to_string()],
    )
    .await;
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains("will run again now"),
        "{}",
        text.stdout
    );

    let before = dump_database(&db).await;
    assert_refused(
        &cvgate(&db, d, &["jobs", "retry", "--id", "999999"]).await,
        "--id",
        "no job with id 999999",
    );
    assert_refused(
        &cvgate(
            &db,
            d,
            &["jobs", "retry", "--id", &ids["daily"].to_string()],
        )
        .await,
        "--id",
        "has not failed",
    );
    let as_json = cvgate(&db, d, &["jobs", "retry", "--id", "999999", "--json"]).await;
    assert_eq!(as_json.code, 2);
    let error: serde_json::Value =
        serde_json::from_str(as_json.stderr.trim()).expect("one JSON line");
    assert_eq!(error["flag"], "--id");
    let not_a_number = cvgate(&db, d, &["jobs", "retry", "--id", "x"]).await;
    assert_eq!(not_a_number.code, 2);
    assert_eq!(
        not_a_number.stderr.lines().count(),
        1,
        "{}",
        not_a_number.stderr
    );
    assert!(
        not_a_number.stderr.contains("--id"),
        "{}",
        not_a_number.stderr
    );
    assert_eq!(
        dump_database(&db).await,
        before,
        "a refused retry wrote something"
    );
}

/// A sandbox command never creates the sandbox's tables in a production database.
async fn the_sandbox_refuses_a_production_database(db: TestDb) {
    let dir = workdir();
    let production = |args: &[&str]| {
        let mut command = command(&db, dir.path(), args);
        command
            .env("CVGATE_ENV", "production")
            .env(
                "CVGATE_ANCV__BASE_URL",
                "https://ancv.example/acquisition/api/public/v1",
            )
            .env("CVGATE_ANCV__SERVICE_PROVIDER_ID", "100016")
            .env("CVGATE_ANCV__SEAL_KEY", "a-production-seal-key-0123456789")
            .env("CVGATE_ANCV__SEAL_KEY_VERSION", "ver007")
            .env(
                "CVGATE_SECURITY__KEY_SECRET",
                "an-operator-secret-of-at-least-32-chars",
            );
        command
    };
    let migrated = production(&["migrate"]).output().await.unwrap();
    assert!(migrated.status.success(), "{migrated:?}");
    let output = production(&["sandbox", "ancv", "settle"])
        .output()
        .await
        .unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert_refused(&run, "--env", "homologation only");
    let tables = testkit::table_names(&db).await;
    assert!(
        tables.iter().any(|name| name == "web_payments"),
        "{tables:?}"
    );
    assert!(
        !tables.iter().any(|name| name.starts_with("sandbox")),
        "{tables:?}"
    );
}

/// `pos set … --widget-data-updates VALUE`.
async fn pos_set(db: &TestDb, dir: &Path, merchant: &str, pos: &str, value: &str) -> Run {
    let args = [
        "pos",
        "set",
        "--merchant",
        merchant,
        "--pos",
        pos,
        "--widget-data-updates",
        value,
    ];
    cvgate(db, dir, &args).await
}

/// Whether the merchant's first point of sale lets the widget update data (`pos list --json`).
async fn first_pos_updates(db: &TestDb, dir: &Path, merchant: &str) -> serde_json::Value {
    let list = cvgate(db, dir, &["pos", "list", "--merchant", merchant, "--json"]).await;
    list.json()[0]["widgetDataUpdates"].clone()
}

async fn pos_set_turns_widget_data_updates_on_and_off(db: TestDb) {
    let dir = workdir();
    let d = dir.path();
    let merchant = new_merchant(&db, d, "Boutique Soleil").await;
    let other = new_merchant(&db, d, "Autre boutique").await;
    let created = cvgate(&db, d, &pos_create(&merchant, "Shop", &["--json"])).await;
    let pos = created.json()["posId"].to_string();
    assert_eq!(
        first_pos_updates(&db, d, &merchant).await,
        false,
        "off by default"
    );

    let on = pos_set(&db, d, &merchant, &pos, "on").await;
    assert_eq!(on.code, 0, "{}", on.stderr);
    assert!(on.stdout.contains(" on "), "{}", on.stdout);
    assert_eq!(first_pos_updates(&db, d, &merchant).await, true);

    assert_refused(
        &pos_set(&db, d, &other, &pos, "off").await,
        "--pos",
        "has no point of sale",
    );
    assert_eq!(
        first_pos_updates(&db, d, &merchant).await,
        true,
        "another merchant changed nothing"
    );
    let bad = pos_set(&db, d, &merchant, &pos, "maybe").await;
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("must be on or off"), "{}", bad.stderr);

    assert_eq!(pos_set(&db, d, &merchant, &pos, "off").await.code, 0);
    assert_eq!(first_pos_updates(&db, d, &merchant).await, false);
}

/// `pos notification-secret` prints a new secret (JSON too), refuses another merchant's point
/// of sale and an overlap out of range, and `--off` stops signing.
async fn pos_notification_secret_is_shown_once_and_can_be_turned_off(db: TestDb) {
    let dir = workdir();
    let d = dir.path();
    let merchant = new_merchant(&db, d, "Boutique Soleil").await;
    let other = new_merchant(&db, d, "Autre boutique").await;
    let created = cvgate(&db, d, &pos_create(&merchant, "Shop", &["--json"])).await;
    let pos = created.json()["posId"].to_string();
    let secret = |merchant: &str, extra: &[&str]| {
        let mut args = vec![
            "pos",
            "notification-secret",
            "--merchant",
            merchant,
            "--pos",
            &pos,
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let db = &db;
    let run = |args: Vec<String>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cvgate(db, d, &args).await
    };
    let first = run(secret(&merchant, &["--json"])).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    let shown = first.json()["notificationSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(shown.starts_with("cvsec_") && shown.len() == 70, "{shown}");
    let text = run(secret(&merchant, &["--overlap-hours", "0"])).await;
    assert!(
        text.stdout.contains("notification secret: cvsec_"),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains(&shown), "a new secret each time");
    assert_refused(
        &run(secret(&other, &[])).await,
        "--pos",
        "has no point of sale",
    );
    assert_refused(
        &run(secret(&merchant, &["--overlap-hours", "721"])).await,
        "--overlap-hours",
        "must be from 0 to 720",
    );
    let off = run(secret(&merchant, &["--off"])).await;
    assert_eq!(off.code, 0, "{}", off.stderr);
    assert!(off.stdout.contains("no longer signs"), "{}", off.stdout);
}

async fn pos_references_are_unique_per_merchant(db: TestDb) {
    let dir = workdir();
    let d = dir.path();
    let merchant = new_merchant(&db, d, "Boutique Soleil").await;
    let other = new_merchant(&db, d, "Autre boutique").await;
    let named = cvgate(
        &db,
        d,
        &pos_create(&merchant, "Web", &["--reference", "WEB-1", "--json"]),
    )
    .await;
    assert_eq!(named.json()["reference"], "WEB-1", "{}", named.stderr);
    let unnamed = cvgate(&db, d, &pos_create(&merchant, "Shop", &["--json"])).await;
    let id = unnamed.json()["posId"].as_i64().unwrap();
    assert_eq!(unnamed.json()["reference"], format!("POS-{id}"));
    let again = cvgate(
        &db,
        d,
        &pos_create(&merchant, "Again", &["--reference", "WEB-1"]),
    )
    .await;
    assert_refused(&again, "--reference", "already has a point of sale WEB-1");
    let bad = cvgate(
        &db,
        d,
        &pos_create(&merchant, "Bad", &["--reference", "no spaces"]),
    )
    .await;
    assert_refused(&bad, "--reference", "letters, digits");
    let theirs = cvgate(
        &db,
        d,
        &pos_create(&other, "Web", &["--reference", "WEB-1"]),
    )
    .await;
    assert_eq!(
        theirs.code, 0,
        "another merchant may use it: {}",
        theirs.stderr
    );
    let list = cvgate(&db, d, &["pos", "list", "--merchant", &merchant, "--json"]).await;
    assert_eq!(
        list.json().as_array().unwrap().len(),
        2,
        "nothing written by the refusals"
    );
}

/// `cvgate user …`: a one-time password shown once (stored only as an argon2id hash), listed
/// without it, a new one on reset, disabled; platform operators apart from merchants' users.
async fn users_are_created_listed_disabled_and_reset(db: TestDb) {
    let dir = workdir();
    let d = dir.path();
    let merchant = new_merchant(&db, d, "Boutique Soleil").await;
    let created = cvgate(
        &db,
        d,
        &[
            "user",
            "create",
            "--merchant",
            &merchant,
            "--email",
            " Camille@Example.COM ",
            "--role",
            "admin",
            "--json",
        ],
    )
    .await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    let json = created.json();
    assert_eq!(json["email"], "camille@example.com");
    let password = json["password"].as_str().unwrap().to_owned();
    assert_eq!(password.len(), 16);
    let dump = dump_database(&db).await;
    assert!(!dump.contains_secret(&password), "stored in clear:\n{dump}");
    assert!(dump.contains("$argon2id$"), "an argon2id hash is kept");

    let text = cvgate(
        &db,
        d,
        &[
            "user",
            "create",
            "--merchant",
            &merchant,
            "--email",
            "viewer@example.com",
            "--role",
            "viewer",
        ],
    )
    .await;
    assert!(text.stdout.contains("password: "), "{}", text.stdout);
    let platform = cvgate(
        &db,
        d,
        &[
            "user",
            "create",
            "--platform",
            "--email",
            "ops@cvgate.example",
            "--json",
        ],
    )
    .await;
    assert_eq!(platform.code, 0, "{}", platform.stderr);

    users_are_listed_without_passwords(&db, d, &merchant, &password).await;

    let reset = cvgate(
        &db,
        d,
        &[
            "user",
            "reset-password",
            "--email",
            "camille@example.com",
            "--json",
        ],
    )
    .await;
    assert_ne!(reset.json()["password"].as_str().unwrap(), password);
    let disabled = cvgate(
        &db,
        d,
        &["user", "disable", "--email", "viewer@example.com", "--json"],
    )
    .await;
    assert_eq!(disabled.json()[0]["status"], "disabled");
}

/// `user list`: the merchant's users in order, the platform's operators apart, no password.
async fn users_are_listed_without_passwords(db: &TestDb, d: &Path, merchant: &str, password: &str) {
    let list = cvgate(db, d, &["user", "list", "--merchant", merchant, "--json"]).await;
    let users = list.json();
    let rows: Vec<(&str, &str, bool)> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["email"].as_str().unwrap(),
                u["role"].as_str().unwrap(),
                u["mustChangePassword"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("camille@example.com", "admin", true),
            ("viewer@example.com", "viewer", true)
        ]
    );
    assert!(!list.stdout.contains(password) && !list.stdout.contains("argon2"));
    let operators = cvgate(db, d, &["user", "list", "--json"]).await.json();
    assert_eq!(operators[0]["email"], "ops@cvgate.example");
    assert_eq!(operators[0]["role"], "platform");
    assert!(operators[0]["merchantId"].is_null());
}

async fn refused_users_name_the_flag_and_write_nothing(db: TestDb) {
    let dir = workdir();
    let d = dir.path();
    let merchant = new_merchant(&db, d, "Boutique Soleil").await;
    let create = |email: &'static str, role: &'static str| {
        vec![
            "user",
            "create",
            "--merchant",
            merchant.as_str(),
            "--email",
            email,
            "--role",
            role,
        ]
    };
    let taken = cvgate(&db, d, &create("taken@example.com", "operator")).await;
    assert_eq!(taken.code, 0, "{}", taken.stderr);
    let before = dump_database(&db).await;
    for (args, flag, rule) in [
        (
            create("not-an-address", "admin"),
            "--email",
            "e-mail address",
        ),
        (
            create("taken@example.com", "admin"),
            "--email",
            "already a user",
        ),
        (
            create("new@example.com", "root"),
            "--role",
            "admin, operator or viewer",
        ),
        (
            create("new@example.com", "platform"),
            "--role",
            "admin, operator or viewer",
        ),
        (
            vec![
                "user",
                "create",
                "--merchant",
                "1",
                "--email",
                "x@example.com",
                "--role",
                "admin",
            ],
            "--merchant",
            "no merchant",
        ),
        (
            vec!["user", "disable", "--email", "nobody@example.com"],
            "--email",
            "is no user",
        ),
        (
            vec!["user", "reset-password", "--email", "nobody@example.com"],
            "--email",
            "is no user",
        ),
        (
            vec!["user", "list", "--merchant", "1"],
            "--merchant",
            "no merchant",
        ),
    ] {
        assert_refused(&cvgate(&db, d, &args).await, flag, rule);
    }
    let usage = cvgate(&db, d, &["user", "create", "--email", "x@example.com"]).await;
    assert_eq!(
        usage.code, 2,
        "neither --merchant nor --platform: {}",
        usage.stderr
    );
    assert_eq!(dump_database(&db).await, before);
}
