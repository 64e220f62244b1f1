//! Everything logged during a full flow, at TRACE level and from every crate (the `log` records
//! of the HTTP and SQL libraries included), holds no seal key, no secret code and no seal header.
//!
//! Its own test binary: the capturing subscriber is process-wide (tokio runs tasks on several
//! threads), so no other test shares it.

mod common;

use ancv::seal::Operation;
use ancv::wire::Amount;
use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use testkit::TestDb;

testkit::backend_suite![secrets_never_reach_the_logs];

/// A secret code nothing else could print by chance.
const ADMIN_CODE: &str = "86420975";

#[derive(Clone, Default)]
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

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Installs (once per process) a TRACE subscriber writing into a buffer.
fn captured_logs() -> Buffer {
    static LOGS: OnceLock<Buffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        buffer
    })
    .clone()
}

/// `needle` occurs as a token of its own (not inside a longer number or word).
fn occurs_alone(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

async fn secrets_never_reach_the_logs(db: TestDb) {
    let logs = captured_logs();
    let h = Harness::start(db).await;
    let (status, _) = h
        .call(
            Method::POST,
            "/admin/beneficiaries",
            Some(json!({"beneficiaryId": "12345678901", "email": "secret@example.org", "balance": 9_000,
                        "secretCode": ADMIN_CODE})),
        )
        .await;
    assert_eq!(status, 201);

    // A flow through every surface: connector calls, the app (wrong and right codes), sign-in,
    // a refused seal, notifications with a retry, settlement and a cancellation.
    h.receiver.fail_next(1);
    let first = h.pending("pay-log-1", 5_000, "secret@example.org").await;
    assert_eq!(h.app_validate(&first.id, "11112222", None).await.0, 403);
    assert_eq!(
        h.app_validate(&first.id, ADMIN_CODE, Some(4_000)).await.0,
        200
    );
    h.sandbox
        .sign_in("secret@example.org", ADMIN_CODE)
        .await
        .unwrap();
    let second = h.pending("pay-log-2", 5_000, "10000000001").await;
    assert_eq!(h.app_validate(&second.id, CODE, None).await.0, 200);
    h.sandbox.sign_in("10000000001", CODE).await.unwrap();
    let forger = h.client_with(SP, ancv::SealKey::new("ver001", "wrong").unwrap());
    assert!(forger.status(&first.id).await.is_err());
    h.run_jobs().await;
    h.advance(1_000).await;
    h.sandbox.settle().await.unwrap();
    h.client.cancel(&first.id).await.unwrap();
    let third = h.create("pay-log-3", 5_000).await;
    h.client
        .attach_payer(&third.id, "auto.full@example.com", Amount::eur(5_000))
        .await
        .unwrap();
    h.advance(2_000).await;
    h.run_jobs().await;
    let status_seal = api_key().seal(&Operation::Status { id: &first.id }.fields(&Value::Null));
    let status_mac = status_seal.rsplit('.').next().unwrap().to_owned();

    let text = logs.text();
    assert!(
        text.contains("ANCV sandbox transaction moved") && text.contains("notification delivered"),
        "the capture works: {text}"
    );
    for secret in [SEAL_KEY, NOTIFICATION_KEY, ADMIN_CODE, &status_mac] {
        assert!(!text.contains(secret), "{secret} was logged:\n{text}");
    }
    assert!(
        !occurs_alone(&text, CODE),
        "the published secret code was logged:\n{text}"
    );
    assert!(!text.contains("HmacSHA256."), "a seal header was logged");
}
