//! What is measured, on each database: cvgate's doWebPayment against the floor's insert,
//! getWebPaymentDetails against the floor's read, the JSON API's session create and get, and
//! complete split payments (`split_flow`).

use crate::cvgate_client::Cvgate;
use crate::cvgate_server;
use crate::load::{self, Outcome};
use crate::options::Options;
use crate::report::{self, Row};
use std::sync::Arc;

/// Sessions (and floor rows) made before a read run, read round-robin.
const READ_SET: u64 = 500;

/// Every operation on SQLite, then on PostgreSQL when asked; prints the report.
pub async fn run_all(options: &Options) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let sqlite = |name: &str| format!("sqlite://{}", dir.path().join(name).display());
    let mut rows = on_backend(
        "SQLite",
        &sqlite("cvgate.sqlite"),
        &sqlite("floor.sqlite"),
        options,
    )
    .await?;
    if let Some(url) = &options.postgres {
        let schemas = PostgresSchemas::create(url).await?;
        let measured = on_backend(
            "PostgreSQL",
            &schemas.url_of("cvgate"),
            &schemas.url_of("floor"),
            options,
        )
        .await;
        schemas.drop_all().await;
        rows.extend(measured?);
    }
    report::print(&rows, options, "cvgate / floor");
    Ok(())
}

async fn on_backend(
    backend: &'static str,
    cvgate_url: &str,
    floor_url: &str,
    options: &Options,
) -> Result<Vec<Row>, String> {
    let server = start_cvgate(cvgate_url, options).await?;
    let cvgate = Cvgate::of(&server)?;
    if options.split_only {
        eprintln!("{backend}: complete split payments…");
        let split = crate::split_flow::run(&cvgate, options).await?;
        return Ok(vec![Row::new(
            backend,
            "complete split payment (flows)",
            split,
            None,
        )]);
    }
    let this = std::env::current_exe().map_err(|e| e.to_string())?;
    let floor = cvgate_server::start(
        &this,
        &["floor", "--database-url", floor_url],
        &[],
        "floor listening on ",
    )
    .await?;
    let http = reqwest::Client::new();
    let (c, d) = (options.concurrency, options.duration);
    eprintln!(
        "{backend}: floor insert, doWebPayment, floor read, getWebPaymentDetails, JSON sessions…"
    );
    let floor_insert = {
        let (http, url) = (http.clone(), format!("{}/insert", floor.base));
        load::run(c, d, move |_| ok(http.post(url.clone()).send())).await
    };
    let do_web_payment = do_web_payments(&cvgate, options).await;
    let floor_read = read_floor(&http, &floor.base, options).await?;
    let details = read_details(&cvgate, options).await?;
    let (json_create, json_get) = json_sessions(&cvgate, options).await?;
    let split = crate::split_flow::run(&cvgate, options).await?;
    Ok(vec![
        Row::new(backend, "complete split payment (flows)", split, None),
        Row::new(
            backend,
            "doWebPayment (SOAP)",
            do_web_payment,
            Some(&floor_insert),
        ),
        Row::new(
            backend,
            "getWebPaymentDetails (SOAP)",
            details,
            Some(&floor_read),
        ),
        Row::new(
            backend,
            "POST /v1/…/sessions (JSON)",
            json_create,
            Some(&floor_insert),
        ),
        Row::new(
            backend,
            "GET /v1/…/sessions/{id} (JSON)",
            json_get,
            Some(&floor_read),
        ),
        Row::new(backend, "floor: insert", floor_insert, None),
        Row::new(backend, "floor: read", floor_read, None),
    ])
}

/// doWebPayment at the options' concurrency for their duration.
pub async fn do_web_payments(cvgate: &Cvgate, options: &Options) -> Outcome {
    let cvgate = cvgate.clone();
    load::run(options.concurrency, options.duration, move |n| {
        let cvgate = cvgate.clone();
        async move { cvgate.do_web_payment(n).await.is_some() }
    })
    .await
}

/// `cvgate serve` on `database_url`, the sandbox app validating at once.
pub async fn start_cvgate(
    database_url: &str,
    options: &Options,
) -> Result<cvgate_server::Server, String> {
    cvgate_server::start(
        &options.cvgate,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ],
        &[("CVGATE_SANDBOX__ANCV__AUTO_DELAY_MS", "0")],
        "cvgate listening on",
    )
    .await
}

/// Whether the request was answered 2xx.
async fn ok(sent: impl std::future::Future<Output = reqwest::Result<reqwest::Response>>) -> bool {
    matches!(sent.await, Ok(answer) if answer.status().is_success())
}

async fn read_floor(
    http: &reqwest::Client,
    base: &str,
    options: &Options,
) -> Result<Outcome, String> {
    let mut tokens = Vec::new();
    for _ in 0..READ_SET {
        let answer = http.post(format!("{base}/insert")).send().await;
        let token = answer
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        tokens.push(token);
    }
    let (http, base, tokens) = (http.clone(), base.to_owned(), Arc::new(tokens));
    Ok(load::run(options.concurrency, options.duration, move |n| {
        let url = format!("{base}/read/{}", tokens[(n % READ_SET) as usize]);
        ok(http.get(url).send())
    })
    .await)
}

/// getWebPaymentDetails of sessions made just before, round-robin.
pub async fn read_details(cvgate: &Cvgate, options: &Options) -> Result<Outcome, String> {
    let mut tokens = Vec::new();
    for n in 0..READ_SET {
        tokens.push(
            cvgate
                .do_web_payment(u64::MAX - n)
                .await
                .ok_or("doWebPayment failed")?,
        );
    }
    let (cvgate, tokens) = (cvgate.clone(), Arc::new(tokens));
    Ok(load::run(options.concurrency, options.duration, move |n| {
        let (cvgate, tokens) = (cvgate.clone(), Arc::clone(&tokens));
        async move {
            let token = &tokens[(n % READ_SET) as usize];
            cvgate.details(token).await.is_some()
        }
    })
    .await)
}

async fn json_sessions(cvgate: &Cvgate, options: &Options) -> Result<(Outcome, Outcome), String> {
    let created = {
        let cvgate = cvgate.clone();
        load::run(options.concurrency, options.duration, move |n| {
            let cvgate = cvgate.clone();
            async move { cvgate.create_session(n).await.is_some() }
        })
        .await
    };
    let mut ids = Vec::new();
    for n in 0..READ_SET {
        ids.push(
            cvgate
                .create_session(u64::MAX - n)
                .await
                .ok_or("session create failed")?,
        );
    }
    let (cvgate, ids) = (cvgate.clone(), Arc::new(ids));
    let read = load::run(options.concurrency, options.duration, move |n| {
        let (cvgate, ids) = (cvgate.clone(), Arc::clone(&ids));
        async move { cvgate.session(&ids[(n % READ_SET) as usize]).await }
    })
    .await;
    Ok((created, read))
}

/// Two fresh schemas in the PostgreSQL database given, one for cvgate and one for the floor.
pub struct PostgresSchemas {
    url: String,
    suffix: String,
}

impl PostgresSchemas {
    pub async fn create(url: &str) -> Result<PostgresSchemas, String> {
        let schemas = PostgresSchemas {
            url: url.to_owned(),
            suffix: format!("{}", std::process::id()),
        };
        schemas
            .each(|schema| format!("CREATE SCHEMA {schema}"))
            .await
            .map_err(|e| format!("cannot create schemas in {url}: {e}"))?;
        Ok(schemas)
    }

    fn schema(&self, name: &str) -> String {
        format!("bench_{name}_{}", self.suffix)
    }

    /// The URL whose connections work in schema `name`.
    pub fn url_of(&self, name: &str) -> String {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        format!(
            "{}{separator}options=-c%20search_path%3D{}",
            self.url,
            self.schema(name)
        )
    }

    async fn each(&self, statement: fn(&str) -> String) -> Result<(), sqlx::Error> {
        use sqlx::Executor;
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&self.url).await?;
        for name in ["cvgate", "floor"] {
            pool.execute(sqlx::AssertSqlSafe(statement(&self.schema(name))))
                .await?;
        }
        pool.close().await;
        Ok(())
    }

    pub async fn drop_all(&self) {
        let drop = |schema: &str| format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
        if let Err(error) = self.each(drop).await {
            eprintln!("cannot drop the benchmark's schemas: {error}");
        }
    }
}
