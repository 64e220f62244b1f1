//! Test support for cvgate.
//!
//! [`Suite`] runs each test once per database backend: on SQLite (a fresh file in a temporary
//! folder) and on PostgreSQL (a fresh schema in the database named by `CVGATE_TEST_POSTGRES_URL`).
//! When that variable is unset, the PostgreSQL runs are reported as *ignored* with a banner saying
//! why — never silently passed — and under `CI=true` they fail instead.

mod database;
mod dump;
mod suite;

pub use database::{Backend, TestDb};
pub use dump::dump_database;
pub use suite::{Suite, TestFuture};

/// The environment variable naming the PostgreSQL server used by the tests.
pub const POSTGRES_URL_VAR: &str = "CVGATE_TEST_POSTGRES_URL";

pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// A random lowercase hex string, for unique names.
pub fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    hex::encode(bytes)
}

/// Defines `main` for a test binary (`harness = false`) that runs each listed `async fn(TestDb)`
/// on both backends: `backend_suite![first_test, second_test];`.
#[macro_export]
macro_rules! backend_suite {
    ($($test:ident),+ $(,)?) => {
        fn main() {
            $crate::Suite::new()
                $(.on_both_backends(stringify!($test), |db| Box::pin($test(db))))+
                .run()
        }
    };
}
