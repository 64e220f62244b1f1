//! The public handle on the sandbox: [`CardSandbox`] opens it on a database, assembles its
//! routers (the JSON API and the ACS page) and runs its admin operations.

use crate::error::SandboxError;
use crate::faults::Faults;
use crate::sandbox::Inner;
use crate::storage::{self, SandboxCardTransaction};
use crate::{acs, api};
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
