//! `cvgate serve` as a real process: start, demo merchant, health, restart, concurrency, shutdown.

mod support;

use std::time::Duration;
use support::payline::{self, result_code};
use support::{cvgate, start_server, workdir};
use testkit::TestDb;

testkit::backend_suite![
    first_start_prints_demo_credentials_and_restart_reuses_them,
    two_instances_started_together_both_come_up,
    production_has_no_demo_merchant,
    production_refuses_what_homologation_allows,
    metrics_can_have_a_listener_of_their_own,
    invalid_settings_stop_the_start_with_one_line,
    the_ancv_sandbox_runs_alone,
    the_demo_shop_sells_with_the_widget_from_a_fresh_start,
    a_configuration_change_made_elsewhere_is_seen_by_the_next_call,
];

/// One request, no retry: the server must answer as soon as it said it listens.
async fn healthz_status(url: String) -> u16 {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    client
        .get(url)
        .send()
        .await
        .expect("healthz answers within 2 s")
        .status()
        .as_u16()
}

async fn demo_merchant_count(db: &TestDb, dir: &std::path::Path) -> usize {
    let list = cvgate(db, dir, &["merchant", "list", "--json"])
        .await
        .json();
    list.as_array()
        .unwrap()
        .iter()
        .filter(|m| m["name"] == "Demo merchant")
        .count()
}

async fn first_start_prints_demo_credentials_and_restart_reuses_them(db: TestDb) {
    let dir = workdir();
    let first = start_server(&db, dir.path(), &[]).await;
    assert_eq!(healthz_status(first.url("/healthz")).await, 200);
    let healthz = reqwest::get(first.url("/healthz")).await.unwrap();
    assert!(
        !healthz.headers().contains_key("strict-transport-security"),
        "no HSTS over plain http"
    );
    let merchant_id = first
        .banner_value("merchant id:")
        .expect("merchant id printed");
    let access_key = first
        .banner_value("access key:")
        .expect("access key printed");
    assert_eq!(access_key.len(), 24, "{}", first.banner);
    assert_eq!(
        first.banner_value("back office:").as_deref(),
        Some("demo@cvgate.example (admin user)")
    );
    let password = first.banner_value("password:").expect("password printed");
    let password = password.split_whitespace().next().unwrap().to_owned();
    assert_eq!(password.len(), 16, "{}", first.banner);
    assert!(first.banner.contains(
        "ANCV-DEMO (ANCV_CONNECT, Shop ID 20000001, complementary CB-DEMO) and CB-DEMO (CB)"
    ));
    assert!(
        first.banner.contains(&first.url("/healthz")),
        "{}",
        first.banner
    );
    let (code, logs) = first.terminate().await;
    assert_eq!(code, 0, "graceful shutdown exits 0; logs:\n{logs}");
    assert!(logs.contains("SIGTERM received"), "{logs}");
    assert!(
        !logs.contains(&access_key) && !logs.contains(&password),
        "the access key or the password reached the logs:\n{logs}"
    );

    let second = start_server(&db, dir.path(), &["--log-format", "json"]).await;
    assert_eq!(healthz_status(second.url("/healthz")).await, 200);
    assert_eq!(
        second.banner_value("merchant id:").as_deref(),
        Some(merchant_id.as_str())
    );
    assert!(!second.banner.contains(&access_key) && !second.banner.contains(&password));
    assert!(
        second
            .banner
            .contains("cvgate user reset-password --email demo@cvgate.example"),
        "{}",
        second.banner
    );
    assert!(
        second.banner.contains(&format!(
            "cvgate merchant rotate-key --merchant {merchant_id}"
        )),
        "{}",
        second.banner
    );
    let (code, logs) = second.terminate().await;
    assert_eq!(code, 0);
    for line in logs.lines() {
        let parsed: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        assert!(parsed["level"].is_string(), "{line}");
    }
    assert!(logs.contains("\"listening\""), "{logs}");
    assert_eq!(demo_merchant_count(&db, dir.path()).await, 1);
    let tables = testkit::table_names(&db).await;
    for sandbox_table in ["sandbox_ancv_transactions", "sandbox_card_transactions"] {
        assert!(
            tables.iter().any(|name| name == sandbox_table),
            "homologation runs the sandboxes on their tables: {tables:?}"
        );
    }
}

async fn two_instances_started_together_both_come_up(db: TestDb) {
    let dir = workdir();
    let (a, b) = tokio::join!(
        start_server(&db, dir.path(), &[]),
        start_server(&db, dir.path(), &[])
    );
    assert_eq!(healthz_status(a.url("/healthz")).await, 200);
    assert_eq!(healthz_status(b.url("/healthz")).await, 200);
    let created = [&a, &b]
        .iter()
        .filter(|s| s.banner.contains("Demo merchant created"))
        .count();
    assert_eq!(
        created, 1,
        "exactly one instance creates the demo merchant:\n{}\n{}",
        a.banner, b.banner
    );
    assert_eq!(
        a.banner_value("merchant id:"),
        b.banner_value("merchant id:")
    );
    assert_eq!(a.terminate().await.0, 0);
    assert_eq!(b.terminate().await.0, 0);
    assert_eq!(demo_merchant_count(&db, dir.path()).await, 1);
}

async fn production_has_no_demo_merchant(db: TestDb) {
    let dir = workdir();
    let config = dir.path().join("production.toml");
    std::fs::write(&config, production_settings(dir.path())).unwrap();
    let args = [
        "--env",
        "production",
        "--public-url",
        "https://pay.example.com/",
        "--config",
        config.to_str().unwrap(),
    ];
    let server = start_server(&db, dir.path(), &args).await;
    assert!(
        server.banner.contains("production environment")
            && server
                .banner
                .contains("*** PRODUCTION: real ANCV and card payments ***"),
        "{}",
        server.banner
    );
    assert!(
        !server.banner.contains("Demo merchant"),
        "{}",
        server.banner
    );
    assert!(
        server.banner.contains("https://pay.example.com/healthz"),
        "{}",
        server.banner
    );
    assert_eq!(healthz_status(server.url("/healthz")).await, 200);
    let healthz = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(
        healthz.headers()["strict-transport-security"],
        "max-age=31536000",
        "public_url is https: HSTS"
    );
    for sandbox_path in [
        "/sandbox/ancv/app/",
        "/sandbox/ancv/acquisition/api/public/v1/payment-transactions/x/",
        "/sandbox/shop/",
    ] {
        let status = reqwest::get(server.url(sandbox_path))
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{sandbox_path} exists in production");
    }
    let (code, logs) = server.terminate().await;
    assert_eq!(code, 0);
    assert!(
        !logs.contains("a-production-seal-key"),
        "the seal key reached the logs:\n{logs}"
    );
    assert_eq!(demo_merchant_count(&db, dir.path()).await, 0);
    let sandbox_tables: Vec<String> = testkit::table_names(&db)
        .await
        .into_iter()
        .filter(|name| name.starts_with("sandbox"))
        .collect();
    assert!(
        sandbox_tables.is_empty(),
        "a production database holds sandbox tables: {sandbox_tables:?}"
    );
}

/// A production configuration: https partners, the operator's key secret in a file.
fn production_settings(dir: &std::path::Path) -> String {
    let secret = dir.join("key_secret");
    std::fs::write(&secret, "an-operator-supplied-secret-of-40-chars!\n").unwrap();
    format!(
        "[ancv]\nbase_url = \"https://ancv.example/acquisition/api/public/v1\"\nservice_provider_id = \"100016\"\n\
         seal_key = \"a-production-seal-key-0123456789\"\nseal_key_version = \"ver007\"\n\
         [security]\nkey_secret_file = {:?}\n",
        secret.to_str().unwrap()
    )
}

/// Each production refusal is one line naming the setting: a partner over plain http, no
/// key secret of the operator's, a database homologation has used.
async fn production_refuses_what_homologation_allows(db: TestDb) {
    let dir = workdir();
    let config = dir.path().join("production.toml");
    let settings = production_settings(dir.path());
    let cases = [
        (
            settings.replace("https://ancv.example", "http://ancv.example"),
            "error: setting ancv.base_url (from ",
            "must be an https:// URL in production",
        ),
        (
            format!("{settings}[card]\nbase_url = \"http://acquirer.example/api\"\n"),
            "error: setting card.base_url (from ",
            "must be an https:// URL in production",
        ),
        (
            settings[..settings.find("[security]").unwrap()].to_owned(),
            "error: setting security.key_secret: is required in production",
            "at least 32 characters",
        ),
    ];
    let production = ["serve", "--env", "production", "--config"];
    for (text, starts, says) in cases {
        std::fs::write(&config, text).unwrap();
        let args = [&production[..], &[config.to_str().unwrap()]].concat();
        let run = cvgate(&db, dir.path(), &args).await;
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(
            run.stderr.starts_with(starts) && run.stderr.contains(says),
            "{}",
            run.stderr
        );
    }
    let homologation = start_server(&db, dir.path(), &[]).await;
    assert!(
        homologation.banner.contains("*** HOMOLOGATION:"),
        "{}",
        homologation.banner
    );
    let demo = homologation.banner_value("merchant id:").unwrap();
    homologation.terminate().await;
    std::fs::write(&config, &settings).unwrap();
    let args = [&production[..], &[config.to_str().unwrap()]].concat();
    let run = cvgate(&db, dir.path(), &args).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    // The logs of the start come first, on stderr too: the refusal is its last line.
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert_eq!(run.stderr.lines().last(), errors.first().copied());
    assert!(
        errors[0].starts_with(&format!(
            "error: setting database_url: the database holds homologation data (the demo merchant {demo}; sandbox data in sandbox_ancv_beneficiaries"
        )),
        "{}",
        run.stderr
    );
}

/// With `metrics_listen`, `/metrics` is served there and not on the main listener.
async fn metrics_can_have_a_listener_of_their_own(db: TestDb) {
    let dir = workdir();
    let config = dir.path().join("cvgate.toml");
    std::fs::write(&config, "metrics_listen = \"127.0.0.1:0\"\n").unwrap();
    let server = start_server(&db, dir.path(), &["--config", config.to_str().unwrap()]).await;
    let apart = server
        .banner_value("metrics on")
        .expect("the metrics address is printed");
    let apart = apart.split_whitespace().next().unwrap().to_owned();
    assert_eq!(healthz_status(server.url("/healthz")).await, 200);
    let main = reqwest::get(server.url("/metrics")).await.unwrap();
    assert_eq!(main.status(), 404, "not on the main listener");
    let metrics = reqwest::get(&apart).await.unwrap();
    assert_eq!(metrics.status(), 200, "{apart}");
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(
            "cvgate_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "the main listener's requests are counted: {text}"
    );
    let (code, _) = server.terminate().await;
    assert_eq!(code, 0, "both listeners stop on SIGTERM");
}

async fn invalid_settings_stop_the_start_with_one_line(db: TestDb) {
    let dir = workdir();
    let config = dir.path().join("cvgate.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nenv = \"staging\"\n").unwrap();
    let config = config.to_str().unwrap().to_owned();
    let cases: [(&[&str], &str); 3] = [
        (
            &["serve", "--listen", "nowhere"],
            "error: setting listen (from --listen): must be an address and port",
        ),
        (&["serve", "--config", &config], "error: setting env (from "),
        (
            &["serve", "--public-url", "pay.example.com"],
            "error: setting public_url (from --public-url)",
        ),
    ];
    for (args, expected) in cases {
        let run = cvgate(&db, dir.path(), args).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.starts_with(expected), "{args:?}: {}", run.stderr);
    }
    let mut from_env = support::command(&db, dir.path(), &["serve"]);
    from_env.env("CVGATE_LISTEN", "nowhere");
    let output = from_env.output().await.unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: setting listen (from $CVGATE_LISTEN)"),
        "{stderr}"
    );
    let mut one_worker = support::command(&db, dir.path(), &["serve"]);
    one_worker.env("CVGATE_JOBS__WORKERS", "1");
    let output = one_worker.output().await.unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: setting jobs.workers (from $CVGATE_JOBS__WORKERS): must be a whole number from 2 to 64; got \"1\"\n"
    );
}

async fn the_ancv_sandbox_runs_alone(db: TestDb) {
    let dir = workdir();
    let sandbox = support::start_command(
        &db,
        dir.path(),
        &["sandbox", "ancv", "--listen", "127.0.0.1:0"],
        "cvgate sandbox listening on http://",
    )
    .await;
    assert!(
        sandbox
            .banner
            .contains("/sandbox/ancv/acquisition/api/public/v1"),
        "{}",
        sandbox.banner
    );
    let requests =
        reqwest::get(sandbox.url("/sandbox/ancv/app/api/beneficiaries/10000000001/requests"))
            .await
            .unwrap();
    assert_eq!(requests.status(), 200, "the published test data is seeded");
    let body: serde_json::Value = requests.json().await.unwrap();
    assert_eq!(body["balance"], 30_000);
    assert_eq!(sandbox.terminate().await.0, 0);
}

async fn the_demo_shop_sells_with_the_widget_from_a_fresh_start(db: TestDb) {
    let dir = workdir();
    let server = start_server(&db, dir.path(), &[]).await;
    let shop = server.url("/sandbox/shop/");
    assert!(server.banner.contains(&shop), "{}", server.banner);
    let http = reqwest::Client::new();
    let home = http.get(&shop).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(
        home.text()
            .await
            .unwrap()
            .contains("/sandbox/shop/checkout")
    );

    let checkout = http
        .post(server.url("/sandbox/shop/checkout"))
        .form(&[
            ("amount", "45.50"),
            ("template", "tab"),
            ("language", "en"),
            ("email", "camille.martin@example.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(checkout.status(), 200);
    let page = checkout.text().await.unwrap();
    assert!(page.contains("id=\"PaylineWidget\""), "{page}");
    assert!(page.contains("data-template=\"tab\""), "{page}");
    assert!(page.contains("/scripts/widget-min.js"), "{page}");
    let token = page
        .split("data-token=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the widget's token")
        .to_owned();

    let state: serde_json::Value = http
        .get(server.url(&format!("/services/token/{token}/state/current")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["type"], "PAYMENT_METHODS_LIST", "{state}");
    assert_eq!(state["language"], "en");
    assert_eq!(state["info"]["PaylineFormattedAmount"], "EUR 45.50");
    let script = http
        .get(server.url("/scripts/widget-min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );

    let back = http
        .get(server.url(&format!("/sandbox/shop/return?paylinetoken={token}")))
        .send()
        .await
        .unwrap();
    assert!(back.text().await.unwrap().contains("still under way"));
    let refused = http
        .post(server.url("/sandbox/shop/checkout"))
        .form(&[
            ("amount", "12.345"),
            ("template", "column"),
            ("language", "fr"),
            ("email", "a@b.fr"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("at most 2 decimals"));
    assert_eq!(server.terminate().await.0, 0);
}

/// The server keeps merchants' contracts in memory; a change made by another process on the
/// same database (the CLI here; another instance on PostgreSQL alike) is seen by the very next
/// call, with no wait: each call's access check reads the configuration version.
async fn a_configuration_change_made_elsewhere_is_seen_by_the_next_call(db: TestDb) {
    let dir = workdir();
    let server = start_server(&db, dir.path(), &[]).await;
    let merchant = server.banner_value("merchant id:").unwrap();
    let key = server.banner_value("access key:").unwrap();
    let http = reqwest::Client::new();
    let do_web_payment = |key: String, order: &str| {
        let request = http
            .post(server.url("/V4/services/WebPaymentAPI"))
            .basic_auth(&merchant, Some(key))
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(payline::do_web_payment(6000, order, "buyer@example.com"));
        async move {
            let reply = request.send().await.unwrap();
            (reply.status().as_u16(), reply.text().await.unwrap())
        }
    };
    let (_, before) = do_web_payment(key.clone(), "order-1").await;
    assert_eq!(result_code(&before), "00000", "{before}");
    let disable = [
        "contract",
        "disable",
        "--merchant",
        &merchant,
        "--number",
        "CB-DEMO",
    ];
    assert_eq!(cvgate(&db, dir.path(), &disable).await.code, 0);
    let (_, after) = do_web_payment(key.clone(), "order-2").await;
    assert_ne!(
        result_code(&after),
        "00000",
        "a disabled contract is refused: {after}"
    );
    assert!(
        after.contains("CB-DEMO"),
        "the refusal names the contract: {after}"
    );

    let rotate = ["merchant", "rotate-key", "--merchant", &merchant, "--json"];
    let new_key = cvgate(&db, dir.path(), &rotate).await.json()["accessKey"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        do_web_payment(key, "order-3").await.0,
        401,
        "the old key is refused"
    );
    let (status, _) = do_web_payment(new_key, "order-4").await;
    assert_eq!(status, 200, "the new key works at once");
}
