//! The floor (a benchmark fixture, not product code): the least a server can do for the same
//! durable work — one committed insert per request, one indexed read — with the same web
//! framework, database driver and SQLite settings as cvgate. cvgate's throughput is reported as
//! a ratio to it.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, Row};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

struct Floor {
    pool: AnyPool,
    sqlite: bool,
    next: AtomicU64,
}

/// `floor --database-url URL`: serves `POST /insert` and `GET /read/{token}` on a loopback
/// port, printing `floor listening on ADDR`.
pub async fn serve(args: &[String]) -> Result<(), String> {
    let url = match args {
        [flag, url] if flag == "--database-url" => url.clone(),
        _ => return Err("usage: cvgate-bench floor --database-url URL".to_owned()),
    };
    sqlx::any::install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    // SQLite creates the file only when asked to.
    let url = if sqlite && !url.contains('?') {
        format!("{url}?mode=rwc")
    } else {
        url
    };
    let pool = AnyPoolOptions::new()
        .max_connections(if sqlite { 4 } else { 10 })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA busy_timeout = 10000",
                    ] {
                        conn.execute(pragma).await?;
                    }
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(|e| format!("cannot open {url}: {e}"))?;
    pool.execute(
        "CREATE TABLE IF NOT EXISTS floor_rows (token TEXT PRIMARY KEY, merchant TEXT NOT NULL,
         amount BIGINT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL)",
    )
    .await
    .map_err(|e| e.to_string())?;
    let floor = Arc::new(Floor {
        pool,
        sqlite,
        next: AtomicU64::new(0),
    });
    let app = Router::new()
        .route("/insert", post(insert))
        .route("/read/{token}", get(read))
        .with_state(floor);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "floor listening on {}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

/// One committed insert; answers the new row's token.
async fn insert(State(floor): State<Arc<Floor>>) -> Result<String, StatusCode> {
    let token = format!(
        "{}-{}",
        std::process::id(),
        floor.next.fetch_add(1, Ordering::Relaxed)
    );
    let begin = if floor.sqlite {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    };
    let mut tx = floor.pool.begin_with(begin).await.map_err(fail)?;
    sqlx::query(
        "INSERT INTO floor_rows (token, merchant, amount, body, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&token)
    .bind("123456789012")
    .bind(6_000_i64)
    .bind("order-42")
    .bind(1_800_000_000_000_i64)
    .execute(&mut *tx)
    .await
    .map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    Ok(token)
}

/// One indexed read.
async fn read(
    State(floor): State<Arc<Floor>>,
    Path(token): Path<String>,
) -> Result<String, StatusCode> {
    let row = sqlx::query("SELECT body, amount FROM floor_rows WHERE token = $1")
        .bind(&token)
        .fetch_optional(&floor.pool)
        .await
        .map_err(fail)?
        .ok_or(StatusCode::NOT_FOUND)?;
    let body: String = row.try_get("body").map_err(fail)?;
    let amount: i64 = row.try_get("amount").map_err(fail)?;
    Ok(format!("{body} {amount}"))
}

fn fail(error: sqlx::Error) -> StatusCode {
    eprintln!("floor: {error}");
    StatusCode::INTERNAL_SERVER_ERROR
}
