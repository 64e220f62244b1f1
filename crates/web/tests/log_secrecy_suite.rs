//! Nothing secret in the logs, even at TRACE level: a whole split payment (doWebPayment, the
//! page, the app, the card, the 3-D Secure challenge, the merchant notified after a failure,
//! getWebPaymentDetails, a refund) runs with every target logging at TRACE into a buffer, and
//! the buffer holds neither the session token (only its short form), nor the card number or
//! its security code, nor the merchant's access key.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use support::{CARD_CHALLENGE, Harness, soap_value};
use testkit::TestDb;

testkit::backend_suite![a_whole_flow_logged_at_trace_level_keeps_its_secrets];

/// Everything every test of this binary logged.
fn captured() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&logs);
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Buffer(Arc::clone(&sink)))
            .init();
        logs
    })
}

struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn a_whole_flow_logged_at_trace_level_keeps_its_secrets(db: TestDb) {
    let logs = captured();
    let h = Harness::start(&db).await;
    let (token, merchant) = h.notifying_web_payment(1).await;
    h.validate_vouchers(&token, 2_500).await;
    h.pay_after_a_challenge(&token).await;
    assert_eq!(
        merchant.calls_of("WEBTRS").len(),
        2,
        "notified after one failure"
    );
    let details = h.details(&token).await;
    assert_eq!(
        soap_value(&details, &["result", "code"]).as_deref(),
        Some("00000"),
        "{details}"
    );
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        text.lines().count() > 100 && text.contains("TRACE"),
        "the flow was logged at TRACE level ({} lines)",
        text.lines().count()
    );
    let short = format!("{}…", &token[..6]);
    assert!(
        text.contains(&short),
        "the short form of the token is logged"
    );
    for (what, secret) in [
        ("the session token", token.as_str()),
        ("the card number", CARD_CHALLENGE),
        ("the access key", h.access_key.expose()),
    ] {
        if let Some(at) = text.find(secret) {
            let line = text[..at].rsplit('\n').next().unwrap_or_default();
            panic!("{what} is in the logs: {line}{secret}…");
        }
    }
}
