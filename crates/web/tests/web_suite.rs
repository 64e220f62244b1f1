//! The operations endpoints over real HTTP, on SQLite and PostgreSQL.

use ancv::{AncvClient, ClientConfig, SealKey, SealKeyring};
use domain::clock::{Clock, SystemClock};
use domain::random::OsRandom;
use gateway::MerchantConfig;
use gateway::ancv_payments::{AncvPayments, AncvPaymentsConfig};
use std::time::Duration;
use std::net::SocketAddr;
use std::sync::Arc;
use store::{DatabaseUrl, Store};
use testkit::TestDb;
use web::AppState;

testkit::backend_suite![
    healthz_follows_the_database,
    metrics_count_requests_by_route_and_status,
];

/// The app with an ANCV connector pointing nowhere (these tests never reach ANCV).
async fn serve(db: &TestDb) -> (SocketAddr, Store) {
    let store = Store::open(&DatabaseUrl::parse(&db.url).unwrap()).await.unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let config = MerchantConfig::new(store.clone(), clock.clone(), Arc::new(OsRandom)).await.unwrap();
    let key = SealKey::new("ver001", "0123456789abcdef").unwrap();
    let client = AncvClient::new(
        ClientConfig {
            base_url: "http://127.0.0.1:9/acquisition/api/public/v1".into(),
            service_provider_id: "900001".into(),
            seal_key: key.clone(),
            connect_timeout: Duration::from_millis(200),
            read_timeout: Duration::from_millis(200),
        },
        clock.clone(),
    )
    .unwrap();
    let ancv = AncvPayments::new(
        store.clone(),
        clock,
        Arc::new(OsRandom),
        AncvPaymentsConfig {
            client,
            notification_keys: SealKeyring::new(vec![key]),
            notification_url: "http://127.0.0.1:9/partner/ancv/notifications".into(),
            poll_interval_ms: 3_000,
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = web::app(AppState::new(config, ancv), web::Extras::default());
    tokio::spawn(axum::serve(listener, app).into_future());
    (address, store)
}

async fn healthz_follows_the_database(db: TestDb) {
    let (address, store) = serve(&db).await;
    let url = format!("http://{address}/healthz");
    let up = reqwest::get(&url).await.unwrap();
    assert_eq!(up.status(), 200);
    store.close().await;
    let down = reqwest::get(&url).await.unwrap();
    assert_eq!(down.status(), 503);
    assert_eq!(down.text().await.unwrap(), "database unavailable\n");
}

async fn metrics_count_requests_by_route_and_status(db: TestDb) {
    let (address, _store) = serve(&db).await;
    for _ in 0..3 {
        assert_eq!(
            reqwest::get(format!("http://{address}/healthz"))
                .await
                .unwrap()
                .status(),
            200
        );
    }
    assert_eq!(
        reqwest::get(format!("http://{address}/no/such/page?token=secret"))
            .await
            .unwrap()
            .status(),
        404
    );
    let response = reqwest::get(format!("http://{address}/metrics"))
        .await
        .unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            "cvgate_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 3"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "cvgate_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("cvgate_http_request_duration_seconds_count{route=\"/healthz\"} 3"),
        "{text}"
    );
    assert!(
        !text.contains("secret"),
        "raw paths must not reach metrics: {text}"
    );
}
