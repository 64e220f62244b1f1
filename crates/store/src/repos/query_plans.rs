//! The plans SQLite chooses for the statements whose cost must not grow with the data: each
//! must read a range of an index in the order it needs, never scan a table nor sort. SQLite
//! runs without statistics here (cvgate never runs ANALYZE), as it does in production.
//! PostgreSQL plans by statistics, so its plans are checked by the benchmark's seeded run.

use super::jobs::{lease_due_sql, next_run_at_sql};
use super::transaction_search::{
    ANCV_PAYMENTS, ANCV_REFUNDS, Bind, CARD_OPERATIONS, CARD_TRANSACTIONS, SearchFilter,
    page_of_ids,
};
use crate::{Backend, DatabaseUrl, Store};
use domain::clock::Timestamp;
use domain::merchant::MerchantId;
use sqlx::Row;

/// A migrated SQLite store in a fresh file (removed on drop).
struct Scratch {
    store: Store,
    dir: std::path::PathBuf,
}

impl Scratch {
    async fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("cvgate-plans-{name}-{}", std::process::id()));
        let url = DatabaseUrl::parse(&format!("sqlite://{}/db.sqlite", dir.display()))
            .expect("a SQLite url");
        let store = Store::open(&url).await.expect("the store opens");
        Scratch { store, dir }
    }

    /// Each line of `EXPLAIN QUERY PLAN` for `sql` with its values.
    async fn plan(&self, sql: &str, binds: Vec<Bind>) -> Vec<String> {
        let mut uow = self.store.read().await.expect("a read");
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(explain));
        for bind in binds {
            query = match bind {
                Bind::Text(text) => query.bind(text),
                Bind::Int(int) => query.bind(int),
            };
        }
        let rows = query
            .fetch_all(uow.connection())
            .await
            .expect("the plan is explained");
        rows.iter()
            .map(|row| row.try_get::<String, _>(3).expect("the plan's detail"))
            .collect()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Fails, showing the plan, if it scans a table (by one of its `aliases`) or sorts anything
/// but the few rows of a derived table named `due` (one per job kind).
fn assert_indexed(what: &str, plan: &[String], aliases: &[&str]) {
    for (n, line) in plan.iter().enumerate() {
        let scans = aliases.iter().any(|alias| {
            line == &format!("SCAN {alias}") || line.starts_with(&format!("SCAN {alias} "))
        });
        let sorts_many = line.contains("TEMP B-TREE") && n > 0 && plan[n - 1] != "SCAN due";
        assert!(
            !scans && !sorts_many,
            "{what}: `{line}` in the plan\n{}",
            plan.join("\n")
        );
    }
    assert!(
        plan.iter().any(|line| line.contains(" USING ")),
        "{what}: no index in the plan\n{}",
        plan.join("\n")
    );
}

fn texts(values: &[&str]) -> Vec<Bind> {
    values.iter().map(|v| Bind::Text((*v).to_owned())).collect()
}

#[tokio::test]
async fn every_kind_of_a_search_reads_a_page_in_index_order() {
    let scratch = Scratch::new("search").await;
    let merchant = MerchantId::parse("id", "123456789012").expect("a merchant id");
    let filter = SearchFilter {
        merchant_id: &merchant,
        from: Timestamp(1_700_000_000_000),
        to: Timestamp(1_702_678_400_000),
        transaction_id: None,
        order_ref: None,
        contract_number: None,
        email: None,
        min_amount: None,
        max_amount: None,
    };
    for (name, kind) in [
        ("ANCV payments", &ANCV_PAYMENTS),
        ("ANCV refunds", &ANCV_REFUNDS),
        ("card transactions", &CARD_TRANSACTIONS),
        ("card operations", &CARD_OPERATIONS),
    ] {
        for after in [None, Some((Timestamp(1_701_000_000_000), "X"))] {
            let (sql, binds) = page_of_ids(kind, &filter, after, 5_000);
            let plan = scratch.plan(&sql, binds).await;
            assert_indexed(name, &plan, &["x"]);
        }
    }
}

#[tokio::test]
async fn the_worker_finds_each_kind_s_next_job_without_walking_the_others() {
    let scratch = Scratch::new("jobs").await;
    let kinds = ["ancv_reconcile", "merchant_notification", "session_expiry"];
    let mut lease = vec![Bind::Int(2), Bind::Text("token".into()), Bind::Int(1)];
    lease.extend(texts(&kinds));
    let plan = scratch
        .plan(&lease_due_sql(Backend::Sqlite, kinds.len()), lease)
        .await;
    assert_indexed("lease_due", &plan, &["jobs"]);
    assert_eq!(
        plan.iter()
            .filter(|l| l.contains("jobs_live_by_kind"))
            .count(),
        kinds.len(),
        "each kind on the index of live jobs by kind:\n{}",
        plan.join("\n")
    );
    let plan = scratch
        .plan(
            &next_run_at_sql(Backend::Sqlite, kinds.len()),
            texts(&kinds),
        )
        .await;
    assert_indexed("next_run_at", &plan, &["jobs"]);
}
