//! cvgate's storage.
//!
//! One [`Store`] abstraction with two backends: SQLite (embedded default, WAL, `synchronous=FULL`)
//! and PostgreSQL (several instances share one database). Both speak the same SQL through sqlx's
//! `Any` driver; what differs — connection settings, migrations, how a writer transaction begins,
//! row locking — lives in [`backend`]. Work happens in a [`UnitOfWork`]: begin, use the
//! repositories, commit. Never hold one open across a call to a partner.

pub mod backend;
mod error;
pub mod group_commit;
pub mod migrations;
pub mod repos;
pub mod single_row;
mod unit_of_work;
mod writers;

pub use backend::{Backend, DatabaseUrl, InvalidDatabaseUrl};
pub use error::StoreError;
pub use group_commit::GroupCommit;
pub use unit_of_work::UnitOfWork;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// A pool of connections to cvgate's database; cheap to clone, shared by the whole process.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: DatabaseUrl,
    writers: writers::Writers,
    /// Started on first use; shared by every clone.
    group_commit: Arc<OnceLock<GroupCommit>>,
}

impl Store {
    /// Connects and brings the schema up to date (concurrent starts on one PostgreSQL database
    /// serialise on an advisory lock).
    pub async fn open(url: &DatabaseUrl) -> Result<Store, StoreError> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(url: &DatabaseUrl) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = url.backend();
        let connection_url = url.prepare_connection_url()?;
        let pool = AnyPoolOptions::new()
            .max_connections(backend.max_connections())
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    for statement in backend.session_setup() {
                        conn.execute(*statement).await?;
                    }
                    Ok(())
                })
            })
            .connect(&connection_url)
            .await
            .map_err(|source| StoreError::Unavailable {
                url: url.redacted(),
                source,
            })?;
        Ok(Store {
            writers: writers::Writers::new(pool.clone(), backend),
            pool,
            backend,
            url: url.clone(),
            group_commit: Arc::default(),
        })
    }

    /// Brings cvgate's own tables up to date.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.migrate_set(&migrations::CVGATE).await
    }

    /// Brings the tables of `set` up to date (a sandbox's, when it runs).
    pub async fn migrate_set(&self, set: &migrations::MigrationSet) -> Result<(), StoreError> {
        // PostgreSQL: sqlx's migrator holds an advisory lock. SQLite has none, so processes
        // starting together on one file queue on a lock file beside it.
        let _guard = match &self.url {
            DatabaseUrl::Sqlite { path } => Some(backend::lock_file_beside(path).await?),
            DatabaseUrl::Postgres { .. } => None,
        };
        migrations::migrator(set, self.backend)
            .run(&self.pool)
            .await
            .map_err(StoreError::Migration)
    }

    /// Which database engine this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A unit of work that will write. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so two writers queue instead of failing half-way.
    pub async fn write(&self) -> Result<UnitOfWork, StoreError> {
        let begun = self.writers.begin().await?;
        Ok(UnitOfWork::writing(begun, self.backend))
    }

    /// The group commit of this store's writes ([`group_commit`]), started on first use (from
    /// within the Tokio runtime).
    pub fn group_commit(&self) -> &GroupCommit {
        // The lanes hold the pool, not the store: once every clone of the store is gone, the
        // queue closes and the lanes stop.
        self.group_commit
            .get_or_init(|| GroupCommit::start(self.writers.clone()))
    }

    /// A unit of work that only reads (a consistent snapshot).
    pub async fn read(&self) -> Result<UnitOfWork, StoreError> {
        let tx = self.pool.begin().await?;
        Ok(UnitOfWork::new(tx, self.backend))
    }

    /// Reads without a transaction: each statement is its own snapshot, and costs one round trip
    /// (a transaction adds two: `BEGIN` and its end). For reads that are one statement, or whose
    /// statements need not agree with each other. Never write with it.
    pub async fn quick_read(&self) -> Result<UnitOfWork, StoreError> {
        let conn = self.pool.acquire().await?;
        Ok(UnitOfWork::without_transaction(conn, self.backend))
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.pool.execute("SELECT 1").await?;
        Ok(())
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
