//! The test runner: each test on both backends (or on PostgreSQL only), with loud skips.

use crate::database::{Backend, TestDb, provision};
use crate::environment::{POSTGRES_URL_VAR, postgres_url};
use libtest_mimic::{Arguments, Failed, Trial};
use std::future::Future;
use std::pin::Pin;

/// What a test function returns: its body, run on a fresh tokio runtime.
pub type TestFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A list of tests run with libtest-mimic, each on both backends.
pub struct Suite {
    trials: Vec<Trial>,
    postgres_trials: usize,
}

impl Default for Suite {
    fn default() -> Self {
        Suite::new()
    }
}

impl Suite {
    /// An empty suite.
    pub fn new() -> Suite {
        Suite {
            trials: Vec::new(),
            postgres_trials: 0,
        }
    }

    /// Adds `test` twice: `sqlite::NAME` and `postgres::NAME`, each with its own fresh database.
    pub fn on_both_backends(mut self, name: &str, test: fn(TestDb) -> TestFuture) -> Suite {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let ignored = backend == Backend::Postgres && postgres_url().is_none();
            self.postgres_trials += usize::from(backend == Backend::Postgres);
            let trial = Trial::test(format!("{backend}::{name}"), move || run_on(backend, test))
                .with_ignored_flag(ignored);
            self.trials.push(trial);
        }
        self
    }

    /// Adds `test` once, as `postgres::NAME`: for what only PostgreSQL can do (several
    /// instances sharing one database). Reported and enforced like the PostgreSQL half of
    /// [`Suite::on_both_backends`]: ignored with a banner without a server, a failure under CI.
    pub fn on_postgres(mut self, name: &str, test: fn(TestDb) -> TestFuture) -> Suite {
        self.postgres_trials += 1;
        let trial = Trial::test(format!("{}::{name}", Backend::Postgres), move || {
            run_on(Backend::Postgres, test)
        })
        .with_ignored_flag(postgres_url().is_none());
        self.trials.push(trial);
        self
    }

    /// Adds a test that needs no database.
    pub fn plain(mut self, name: &str, test: fn() -> TestFuture) -> Suite {
        self.trials.push(Trial::test(name.to_owned(), move || {
            block_on(async move { tokio::spawn(test()).await.map_err(panic_message) })
        }));
        self
    }

    /// Runs the suite and exits the process with its status.
    pub fn run(self) -> ! {
        if self.postgres_trials > 0 && postgres_url().is_none() {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                eprintln!(
                    "error: {POSTGRES_URL_VAR} is not set under CI=true: the PostgreSQL tests cannot be skipped in CI"
                );
                std::process::exit(1);
            }
            eprintln!();
            eprintln!(
                "!!! SKIPPED: {} PostgreSQL tests (shown as 'ignored') because {POSTGRES_URL_VAR} is not set.",
                self.postgres_trials
            );
            eprintln!("!!! Run them with {POSTGRES_URL_VAR}=postgres://user@127.0.0.1:5432/test");
            eprintln!();
        }
        libtest_mimic::run(&Arguments::from_args(), self.trials).exit()
    }
}

fn run_on(backend: Backend, test: fn(TestDb) -> TestFuture) -> Result<(), Failed> {
    block_on(async move {
        let (db, provisioned) = provision(backend).await.map_err(Failed::from)?;
        // Run the test as a task so that a panic is caught and the database still removed.
        let outcome = tokio::spawn(test(db)).await;
        provisioned.remove().await;
        outcome.map_err(panic_message)
    })
}

fn block_on(future: impl Future<Output = Result<(), Failed>>) -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    runtime.block_on(future)
}

fn panic_message(error: tokio::task::JoinError) -> Failed {
    match error.try_into_panic() {
        Ok(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "the test panicked".to_owned());
            Failed::from(message)
        }
        Err(error) => Failed::from(format!("the test task was cancelled: {error}")),
    }
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
