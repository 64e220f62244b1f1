//! A WSDL-driven SOAP client built from the official Payline WSDLs (Python zeep, test data in
//! ../shared/conformance — never copied here) calls doWebPayment and getWebPaymentDetails on
//! cvgate and reads every field. Skipped, loudly, when ../shared or zeep is missing (CI installs
//! zeep; a missing zeep under CI=true fails).

mod support;

use std::path::PathBuf;
use support::Harness;
use testkit::TestDb;

testkit::backend_suite![an_official_wsdl_client_reads_a_split_payment];

fn wsdl_dir() -> Option<PathBuf> {
    let dir = testkit::shared_dir()?.join("conformance/payline-wsdl");
    dir.join("WebPaymentAPI.wsdl").is_file().then_some(dir)
}

/// Why the conformance client cannot run here, if it cannot.
fn unavailable() -> Option<String> {
    if wsdl_dir().is_none() {
        return Some(
            "../shared/conformance/payline-wsdl is absent (or set CVGATE_SHARED_DIR)".into(),
        );
    }
    let zeep = std::process::Command::new("python3")
        .args(["-c", "import zeep"])
        .output();
    match zeep {
        Ok(output) if output.status.success() => None,
        _ => {
            let reason =
                "python3 with zeep is not installed (python3 -m pip install zeep)".to_owned();
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{reason}: under CI=true the conformance test must run");
            }
            Some(reason)
        }
    }
}

async fn client(h: &Harness, args: &[&str]) -> serde_json::Value {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/payline_client.py");
    let dir = wsdl_dir().expect("checked");
    let output = tokio::process::Command::new("python3")
        .arg(script)
        .arg(dir)
        .arg(&h.base)
        .arg(h.merchant_id.as_str())
        .arg(h.access_key.expose())
        .args(args)
        .output()
        .await
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the zeep client failed:\n{stderr}");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

async fn an_official_wsdl_client_reads_a_split_payment(db: TestDb) {
    if let Some(reason) = unavailable() {
        eprintln!("!!! SKIPPED an_official_wsdl_client_reads_a_split_payment: {reason}");
        return;
    }
    let h = Harness::start(&db).await;
    let token = create_and_pay_split(&h).await;
    let (ancv_id, card_id) = read_split_web_payment(&h, &token).await;
    // ExtendedAPI: the same transactions, through the official ExtendedAPI WSDL.
    read_transaction_details(&h, &ancv_id, &card_id).await;
    search_transactions(&h, &ancv_id, &card_id).await;
}

/// WebPaymentAPI: doWebPayment for 60.00 € (ANCV, then card), read back pending, then paid by
/// the buyer: ANCV for 25.00 €, the rest by card. Returns the token.
async fn create_and_pay_split(h: &Harness) -> String {
    let created = client(
        h,
        &[
            "doWebPayment",
            "6000",
            "ANCV-DEMO",
            "ANCV-DEMO,CB-DEMO",
            "camille.martin@example.com",
        ],
    )
    .await;
    assert_eq!(created["result"]["code"], "00000", "{created}");
    let token = created["token"].as_str().unwrap().to_owned();
    assert_eq!(
        created["redirectURL"],
        format!("{}/webpayment/{token}", h.base)
    );

    let pending = client(h, &["getWebPaymentDetails", &token]).await;
    assert_eq!(pending["result"]["code"], "02533", "{pending}");
    assert_eq!(pending["order"]["ref"], "zeep-order");

    // The buyer: ANCV for 25.00 €, the rest by card.
    h.pay_split(&token, 2_500).await;
    token
}

/// getWebPaymentDetails of the paid split payment; returns the ANCV and the card transaction ids.
async fn read_split_web_payment(h: &Harness, token: &str) -> (String, String) {
    let details = client(h, &["getWebPaymentDetails", token]).await;
    assert_eq!(details["result"]["code"], "00000", "{details}");
    assert_eq!(details["result"]["partnerCode"], "VALIDATED");
    assert_eq!(details["payment"]["amount"], "2500");
    assert_eq!(details["payment"]["contractNumber"], "ANCV-DEMO");
    assert_eq!(details["transaction"]["isPossibleFraud"], "0");
    let additional = &details["paymentAdditionalList"]["paymentAdditional"][0];
    assert_eq!(additional["payment"]["amount"], "3500");
    assert_eq!(additional["card"]["number"], "497010XXXXXX0006");
    assert_eq!(additional["card"]["expirationDate"], "1230");
    assert_eq!(details["order"]["amount"], "6000");
    assert_eq!(details["buyer"]["email"], "camille.martin@example.com");
    assert_eq!(details["contractNumber"], "ANCV-DEMO");
    let ancv_id = details["transaction"]["id"].as_str().unwrap().to_owned();
    let card_id = additional["transaction"]["id"].as_str().unwrap().to_owned();
    (ancv_id, card_id)
}

/// getTransactionDetails of the ANCV transaction (with its card complement and its history) and
/// of the card transaction.
async fn read_transaction_details(h: &Harness, ancv_id: &str, card_id: &str) {
    let ancv = client(h, &["getTransactionDetails", ancv_id]).await;
    assert_eq!(ancv["result"]["code"], "00000", "{ancv}");
    assert_eq!(ancv["transaction"]["id"], ancv_id);
    assert_eq!(ancv["payment"]["amount"], "2500");
    assert_eq!(
        ancv["paymentAdditionalList"]["paymentAdditional"][0]["transaction"]["id"],
        card_id
    );
    let statuses: Vec<&str> = ancv["statusHistoryList"]["statusHistory"]
        .as_array()
        .expect("the history was asked")
        .iter()
        .filter_map(|entry| entry["status"].as_str())
        .collect();
    assert!(statuses.contains(&"VALIDATED"), "{statuses:?}");
    let card = client(h, &["getTransactionDetails", card_id]).await;
    assert_eq!(card["card"]["number"], "497010XXXXXX0006", "{card}");
}

/// transactionsSearch by order reference finds both transactions; a period over 31 days is 02320.
async fn search_transactions(h: &Harness, ancv_id: &str, card_id: &str) {
    let found = client(
        h,
        &[
            "transactionsSearch",
            "20/11/2026",
            "30/11/2026",
            "zeep-order",
        ],
    )
    .await;
    assert_eq!(found["result"]["code"], "00000", "{found}");
    let ids: Vec<&str> = found["transactionList"]["transaction"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert!(ids.contains(&ancv_id) && ids.contains(&card_id), "{ids:?}");
    let too_long = client(
        h,
        &[
            "transactionsSearch",
            "01/10/2026",
            "30/11/2026",
            "zeep-order",
        ],
    )
    .await;
    assert_eq!(too_long["result"]["code"], "02320");
}
