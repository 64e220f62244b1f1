//! The operations endpoints over real HTTP, on SQLite and PostgreSQL.

mod support;

use std::net::SocketAddr;
use store::Store;
use testkit::TestDb;

testkit::backend_suite![
    healthz_follows_the_database,
    metrics_count_requests_by_route_and_status,
    metrics_show_job_runs_and_live_and_dead_jobs,
    metrics_labels_stay_bounded_whatever_the_methods,
];

async fn metrics_text(address: SocketAddr) -> String {
    reqwest::get(format!("http://{address}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

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
            .starts_with("application/openmetrics-text; version=1.0.0")
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

async fn metrics_show_job_runs_and_live_and_dead_jobs(db: TestDb) {
    use domain::clock::Clock;
    let harness = support::Harness::start(&db).await;
    let expiry = gateway::web_payments::EXPIRY_JOB;
    let text = metrics_text(harness.address).await;
    for line in [
        format!("cvgate_job_runs_total{{kind=\"{expiry}\",outcome=\"done\"}} 0\n"),
        format!("cvgate_job_runs_total{{kind=\"{expiry}\",outcome=\"panicked\"}} 0\n"),
        format!("cvgate_jobs_pending{{kind=\"{expiry}\"}} 0\n"),
        format!("cvgate_jobs_dead{{kind=\"{expiry}\"}} 0\n"),
    ] {
        assert!(
            text.contains(&line),
            "every registered kind from the start: {line}{text}"
        );
    }

    // A session that no longer exists: its expiry job has nothing to do.
    let now = harness.clock.now();
    let mut uow = harness.store.write().await.unwrap();
    uow.jobs()
        .enqueue(expiry, "no-such-token", now, now)
        .await
        .unwrap();
    // Rows of a kind nobody runs here: one waiting, one dead.
    uow.jobs()
        .enqueue("elsewhere", "waiting", now.plus_millis(60_000), now)
        .await
        .unwrap();
    uow.jobs()
        .enqueue("elsewhere", "doomed", now, now)
        .await
        .unwrap();
    let doomed = uow
        .jobs()
        .lease_due(&["elsewhere"], now, now.plus_millis(60_000), "token")
        .await
        .unwrap()
        .unwrap();
    uow.jobs()
        .record_failure(&doomed, now, "boom", 1, now)
        .await
        .unwrap();
    uow.commit().await.unwrap();
    assert_eq!(harness.run_jobs().await, 1);

    let text = metrics_text(harness.address).await;
    for line in [
        "# TYPE cvgate_job_runs counter\n".to_owned(),
        format!("cvgate_job_runs_total{{kind=\"{expiry}\",outcome=\"done\"}} 1\n"),
        format!("cvgate_job_runs_total{{kind=\"{expiry}\",outcome=\"failed\"}} 0\n"),
        "# TYPE cvgate_jobs_pending gauge\n".to_owned(),
        "cvgate_jobs_pending{kind=\"elsewhere\"} 1\n".to_owned(),
        "# TYPE cvgate_jobs_dead gauge\n".to_owned(),
        "cvgate_jobs_dead{kind=\"elsewhere\"} 1\n".to_owned(),
        format!("cvgate_jobs_pending{{kind=\"{expiry}\"}} 0\n"),
    ] {
        assert!(text.contains(&line), "{line}{text}");
    }
}

/// 1,000 requests with made-up methods and paths: unknown methods are `other`, unknown paths
/// `unmatched`, so the series stay few.
async fn metrics_labels_stay_bounded_whatever_the_methods(db: TestDb) {
    let (address, _store) = serve(&db).await;
    let client = reqwest::Client::new();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..1_000 {
        let method: String = (0..6)
            .map(|_| char::from(b'A' + (next() % 26) as u8))
            .collect();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let path = format!("/x{}", next() % 100_000);
        client
            .request(method, format!("http://{address}{path}"))
            .send()
            .await
            .unwrap();
    }
    let text = metrics_text(address).await;
    let series: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("cvgate_http_requests_total{"))
        .collect();
    assert!(series.len() <= 5, "{series:#?}");
    assert!(
        series
            .iter()
            .any(|line| line.contains("method=\"other\",route=\"unmatched\"")),
        "{series:#?}"
    );
    let counted: u64 = series
        .iter()
        .filter(|line| line.contains("method=\"other\""))
        .map(|line| line.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(counted, 1_000);
}
