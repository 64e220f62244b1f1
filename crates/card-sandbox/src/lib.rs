//! The card sandbox: a simulated acquirer for homologation (card-sandbox.md).
//!
//! [`CardSandbox::router`] serves two parts:
//! - the JSON API ([`card::wire`]) and the admin endpoints, at [`API_MOUNT`] (`/sandbox/card`):
//!   - `GET|POST|DELETE /admin/faults` — read, set or reset [`Faults`] (`latency_ms`,
//!     `error_rate`, `timeout_after_authorizing`);
//!   - `POST /admin/remit` — remits every captured transaction now (`{"remitted": n}`);
//!   - `GET /admin/ledger` — the ledger, one JSON object per transaction: `reference` (cvgate's
//!     transaction id, i.e. its payment id), `orderRef` (the merchant's order reference, null
//!     when the request had none), state and amounts.
//! - the 3-D Secure ACS page (HTML, fr/en), at [`ACS_MOUNT`] (`/sandbox/acs`), i.e.
//!   `GET|POST /sandbox/acs/{challenge_ref}`.
//!
//! Everything lives in the database, so that several instances sharing it behave as one sandbox:
//! the ledger and the faults (read on every request), in the sandbox's own tables
//! (migration set `storage::MIGRATIONS`, applied by [`CardSandbox::open`]; a production database
//! never has them).
//! The card itself is never kept: when the test-card table asks for a 3-D Secure challenge, the
//! outcome of passing it is decided at once and stored instead (`test_cards::Authenticated`),
//! so any instance, or a restarted one, can finish the challenge.

#![warn(missing_docs)]
#![warn(clippy::too_many_lines)]

mod acquiring;
mod acs;
mod api;
mod faults;
pub(crate) mod storage;
pub(crate) mod test_cards;

pub use acquiring::CHALLENGE_TTL_MS;
pub use faults::Faults;
pub use storage::{SandboxCardOperation, SandboxCardTransaction};
pub use test_cards::CHALLENGE_CODE;

use axum::Router;
use domain::clock::Clock;
use domain::random::SharedRandom;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use store::{Store, StoreError};

/// Where [`CardSandbox::router`] serves the JSON API and the admin endpoints.
pub const API_MOUNT: &str = "/sandbox/card";
/// Where [`CardSandbox::router`] serves the 3-D Secure ACS page.
pub const ACS_MOUNT: &str = "/sandbox/acs";

/// How the sandbox is reached from outside.
#[derive(Debug, Clone)]
pub struct CardSandboxConfig {
    /// The absolute URL of the ACS router as the buyer's browser reaches it, e.g.
    /// `https://pay.example.com/sandbox/acs` (public base URL + [`ACS_MOUNT`]).
    pub acs_base_url: String,
}

/// The simulated acquirer: its routers and its admin operations, over the database it was opened
/// on. Clones share everything.
#[derive(Clone)]
pub struct CardSandbox {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    random: SharedRandom,
    acs_base_url: String,
    /// Counted per instance (tests look at one instance).
    authorization_requests: AtomicU64,
}

/// Why the sandbox did not do what it was asked; on the API, the HTTP status and
/// [`card::wire::ErrorBody`] it answers with.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A malformed request or an invalid field, the message naming it (400 `INVALID_REQUEST`).
    #[error("{0}")]
    Invalid(String),
    /// No transaction has this reference (404 `UNKNOWN_REFERENCE`).
    #[error("unknown transaction reference")]
    UnknownReference,
    /// No 3-D Secure challenge has this reference (404 `UNKNOWN_REFERENCE`).
    #[error("unknown 3-D Secure challenge")]
    UnknownChallenge,
    /// A reference already used for a different request (409 `CONFLICT`).
    #[error("{0}")]
    Conflict(String),
    /// A stored row the sandbox cannot read back (500 `INTERNAL`).
    #[error("corrupt sandbox data: {0}")]
    Corrupt(String),
    /// The database failed (500 `INTERNAL`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CardSandbox {
    /// The sandbox on `store`'s database, its tables brought up to date first.
    pub async fn open(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        config: CardSandboxConfig,
    ) -> Result<CardSandbox, StoreError> {
        store.migrate_set(&storage::MIGRATIONS).await?;
        Ok(CardSandbox {
            inner: Arc::new(Inner {
                store,
                clock,
                random,
                acs_base_url: config.acs_base_url.trim_end_matches('/').to_owned(),
                authorization_requests: AtomicU64::new(0),
            }),
        })
    }

    /// Both routers at their usual places ([`API_MOUNT`], [`ACS_MOUNT`]), to merge into cvgate's
    /// router (or to serve alone in tests).
    pub fn router(&self) -> Router {
        Router::new()
            .nest(API_MOUNT, self.api_router())
            .nest(ACS_MOUNT, self.acs_router())
    }

    /// The JSON API and admin endpoints; mount at [`API_MOUNT`].
    pub(crate) fn api_router(&self) -> Router {
        api::router(Arc::clone(&self.inner))
    }

    /// The ACS page; mount at [`ACS_MOUNT`].
    pub(crate) fn acs_router(&self) -> Router {
        acs::router(Arc::clone(&self.inner))
    }

    /// The faults in force, as every instance on this database sees them.
    pub async fn faults(&self) -> Result<Faults, SandboxError> {
        self.inner.faults().await
    }

    /// Sets the faults for every instance on this database; refused (`Invalid`) when out of
    /// bounds.
    pub async fn set_faults(&self, faults: Faults) -> Result<Faults, SandboxError> {
        self.inner.set_faults(faults).await
    }

    /// No fault any more, on every instance.
    pub async fn reset_faults(&self) -> Result<Faults, SandboxError> {
        self.inner.set_faults(Faults::default()).await
    }

    /// How many authorization requests reached the sandbox (valid or not, repeats included).
    pub fn authorization_requests(&self) -> u64 {
        self.inner.authorization_requests.load(Ordering::SeqCst)
    }

    /// Remits every captured transaction now; how many were remitted.
    pub async fn remit_all(&self) -> Result<usize, SandboxError> {
        self.inner.remit_all().await
    }

    /// The whole ledger, oldest first.
    pub async fn ledger(&self) -> Result<Vec<SandboxCardTransaction>, StoreError> {
        let mut uow = self.inner.store.read().await?;
        storage::ledger(&mut uow).transactions().await
    }
}

impl Inner {
    /// Read from the database on every call: another instance may have changed them.
    async fn faults(&self) -> Result<Faults, SandboxError> {
        let mut uow = self.store.read().await?;
        let stored = store::single_row::load(&mut uow, storage::FAULTS_TABLE).await?;
        uow.rollback().await?;
        match stored {
            None => Ok(Faults::default()),
            Some(json) => Faults::from_stored(&json)
                .map_err(|error| SandboxError::Corrupt(format!("stored faults: {error}"))),
        }
    }

    async fn set_faults(&self, faults: Faults) -> Result<Faults, SandboxError> {
        faults.validate().map_err(SandboxError::Invalid)?;
        let mut uow = self.store.write().await?;
        store::single_row::save(
            &mut uow,
            storage::FAULTS_TABLE,
            &faults.to_stored(),
            self.clock.now(),
        )
        .await?;
        uow.commit().await?;
        tracing::info!(?faults, "card sandbox faults set");
        Ok(faults)
    }

    /// The faults in force for one API request (read once), after their latency.
    async fn faults_for_request(&self) -> Result<Faults, SandboxError> {
        let faults = self.faults().await?;
        if faults.latency_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(faults.latency_ms)).await;
        }
        Ok(faults)
    }
}
