//! Pays with full card numbers (frictionless, refused, 3-D Secure challenge, rejected input),
//! then reads every database table and all the log output at TRACE level: neither a card number
//! nor the security code may appear anywhere. Its own test binary, because it installs the
//! process-wide log subscriber.

mod card_support;

use card_support::{Harness, VALID_EXPIRY};
use domain::return_code::ReturnCode;
use gateway::card_payments::PaymentState;
use std::io::Write;
use std::sync::{Mutex, Once};
use testkit::{TestDb, dump_database};

testkit::backend_suite![card_data_is_never_stored_nor_logged];

/// A leading zero, so that no duration or timestamp in the logs can look like it.
const CVV: &str = "073";
const NUMBERS: [&str; 4] = [
    "4970100000000006",
    "4970100000000022",
    "4970100000000014",
    "4970100000000007",
];

static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything at TRACE (the `log` crate's records too) goes to [`LOGS`].
fn capture_logs() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        use tracing_subscriber::util::SubscriberInitExt;
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .without_time()
            .with_writer(|| Capture)
            .finish()
            .try_init()
            .expect("the first subscriber of this process");
    });
}

/// Where `code` appears as a value of its own (not inside a longer number, a decimal or a hex
/// token), with some context.
fn code_in(text: &str, code: &str) -> Option<String> {
    let glued = |c: char| c.is_ascii_alphanumeric() || c == '.';
    text.match_indices(code).find_map(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + code.len()..].chars().next();
        let alone = !before.is_some_and(glued) && !after.is_some_and(glued);
        alone
            .then(|| text[at.saturating_sub(60)..(at + code.len() + 20).min(text.len())].to_owned())
    })
}

async fn card_data_is_never_stored_nor_logged(db: TestDb) {
    capture_logs();
    let h = Harness::start(&db).await;
    let request = |number| h.request(Some("tok"), number, VALID_EXPIRY, CVV);
    let printed = format!("{:?}", request(NUMBERS[0]));
    assert!(
        !printed.contains(NUMBERS[0]) && code_in(&printed, CVV).is_none(),
        "{printed}"
    );

    let refused = h.payments.pay(request(NUMBERS[1])).await.unwrap();
    assert_eq!(refused.result_code(), ReturnCode::CardDoNotHonour);
    let challenged = h.payments.pay(request(NUMBERS[2])).await.unwrap();
    let acs = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = acs
        .post(challenged.challenge_url.clone().unwrap())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("code=1234&action=confirm")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    let challenged = h
        .payments
        .complete_three_ds(challenged.challenge_ref.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(challenged.state, PaymentState::Accepted);
    let paid = h.payments.pay(request(NUMBERS[0]));
    let error = paid.await.unwrap_err();
    assert!(error.to_string().contains("already paid"), "{error}");
    let accepted = h
        .payments
        .pay(h.request(None, NUMBERS[0], VALID_EXPIRY, CVV))
        .await
        .unwrap();
    assert_eq!(accepted.state, PaymentState::Accepted);
    let invalid = h
        .payments
        .pay(h.request(None, NUMBERS[3], VALID_EXPIRY, CVV))
        .await
        .unwrap_err();
    let message = invalid.to_string();
    assert!(
        !message.contains(NUMBERS[3]) && code_in(&message, CVV).is_none(),
        "{message}"
    );
    tracing::trace!("end of the card payments");

    let dump = dump_database(&db).await;
    assert!(
        dump.contains("497010XXXXXX0006") && dump.contains(&accepted.id),
        "the dump reads the card tables: {dump}"
    );
    let logs = String::from_utf8(LOGS.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("TRACE") && logs.contains(&accepted.id),
        "the logs were captured: {logs}"
    );
    for number in NUMBERS {
        assert!(!dump.contains_secret(number), "{number} is stored: {dump}");
        assert!(!logs.contains(number), "{number} is logged");
    }
    assert_eq!(code_in(&dump.0, CVV), None, "the security code is stored");
    assert_eq!(code_in(&logs, CVV), None, "the security code is logged");
}
