//! The operations endpoints over real HTTP, on SQLite and PostgreSQL.

mod support;

use std::net::SocketAddr;
use store::Store;
use testkit::TestDb;

testkit::backend_suite![
    healthz_follows_the_database,
    metrics_count_requests_by_route_and_status,
];

async fn serve(db: &TestDb) -> (SocketAddr, Store) {
    let harness = support::Harness::start(db).await;
    (harness.address, harness.store.clone())
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
