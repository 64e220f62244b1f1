//! Test support for cvgate.
//!
//! [`Suite`] runs each test once per database backend: on SQLite (a fresh file in a temporary
//! folder) and on PostgreSQL (a fresh schema in the database named by `CVGATE_TEST_POSTGRES_URL`),
//! or only on PostgreSQL ([`Suite::on_postgres`]).
//! When that variable is unset, the PostgreSQL runs are reported as *ignored* with a banner saying
//! why — never silently passed — and under `CI=true` they fail instead.

#![warn(missing_docs)]
#![warn(clippy::too_many_lines)]

mod database;
mod dump;
mod suite;

pub use database::{Backend, Provisioned, TestDb, provision};
pub use dump::{dump_database, table_names};
pub use suite::{Suite, TestFuture};

/// The environment variable naming the PostgreSQL server used by the tests.
pub const POSTGRES_URL_VAR: &str = "CVGATE_TEST_POSTGRES_URL";

/// The PostgreSQL server URL from `CVGATE_TEST_POSTGRES_URL`; `None` when unset or blank.
pub(crate) fn postgres_url() -> Option<String> {
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

/// Polls every future together in the calling task, so that they really interleave (races on
/// the database or a server), and returns their outputs in order.
pub async fn join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => {
                        *output = Some(value);
                        *slot = None;
                    }
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs
        .into_iter()
        .map(|output| output.expect("every future completed"))
        .collect()
}

/// The project's shared test data (`../shared` beside the repository: Payline WSDLs and client
/// requests), or `$CVGATE_SHARED_DIR` when set. `None` when absent: the tests that need it skip
/// with a message.
pub fn shared_dir() -> Option<std::path::PathBuf> {
    let candidates = [
        std::env::var_os("CVGATE_SHARED_DIR").map(std::path::PathBuf::from),
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|dir| dir.join("conformance").is_dir())
}
