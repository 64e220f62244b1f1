//! Test support for cvgate.
//!
//! [`Suite`] runs each test once per database backend: on SQLite (a fresh file in a temporary
//! folder) and on PostgreSQL (a fresh schema in the database named by `CVGATE_TEST_POSTGRES_URL`),
//! or only on PostgreSQL ([`Suite::on_postgres`]).
//! When that variable is unset, the PostgreSQL runs are reported as *ignored* with a banner saying
//! why — never silently passed — and under `CI=true` they fail instead.

mod cpu_budget;
mod database;
mod dump;
mod environment;
mod join;
mod suite;

pub use cpu_budget::{budget_ms, thread_cpu_ms, within_cpu_budget};
pub use database::{Backend, Provisioned, TestDb, provision, random_suffix};
pub use dump::{dump_database, table_names};
pub use environment::{POSTGRES_URL_VAR, shared_dir};
pub use join::join_all;
pub use suite::{Suite, TestFuture};
