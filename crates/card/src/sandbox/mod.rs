//! The card sandbox: a simulated acquirer for homologation (docs/card-sandbox.md).
//!
//! - [`CardSandbox::api_router`]: the JSON API ([`crate::wire`]) and the admin endpoints, to be
//!   mounted at [`API_MOUNT`] (`/sandbox/card`):
//!   - `GET|POST /admin/faults` — read or set [`Faults`] (`latency_ms`, `error_rate`,
//!     `timeout_after_authorizing`);
//!   - `POST /admin/remit` — remits every captured transaction now (`{"remitted": n}`);
//!   - `GET /admin/ledger` — the ledger, one JSON object per transaction.
//! - [`CardSandbox::acs_router`]: the 3-D Secure ACS page (HTML, fr/en), to be mounted at
//!   [`ACS_MOUNT`] (`/sandbox/acs`), i.e. `GET|POST /sandbox/acs/{challenge_ref}`.
//!
//! The ledger lives in the database (`sandbox_card_*` tables); the card data of a pending
//! challenge lives only in this process (module `vault`: a homologation-only limitation).

mod acquiring;
mod acs;
mod api;
mod faults;
pub mod test_cards;
mod vault;

pub use acquiring::CHALLENGE_TTL_MS;
pub use faults::Faults;
pub use test_cards::CHALLENGE_CODE;

use axum::Router;
use domain::clock::Clock;
use domain::random::SharedRandom;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use store::repos::SandboxCardTransaction;
use store::{Store, StoreError};
use vault::Vault;

/// Where cvgate mounts [`CardSandbox::api_router`].
pub const API_MOUNT: &str = "/sandbox/card";
/// Where cvgate mounts [`CardSandbox::acs_router`].
pub const ACS_MOUNT: &str = "/sandbox/acs";

#[derive(Debug, Clone)]
pub struct CardSandboxConfig {
    /// The absolute URL of the ACS router as the buyer's browser reaches it, e.g.
    /// `https://pay.example.com/sandbox/acs` (public base URL + [`ACS_MOUNT`]).
    pub acs_base_url: String,
}

#[derive(Clone)]
pub struct CardSandbox {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    random: SharedRandom,
    acs_base_url: String,
    faults: Mutex<Faults>,
    vault: Vault,
    authorization_requests: AtomicU64,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("{0}")]
    Invalid(String),
    #[error("unknown transaction reference")]
    UnknownReference,
    #[error("unknown 3-D Secure challenge")]
    UnknownChallenge,
    #[error("{0}")]
    Conflict(String),
    #[error("corrupt sandbox ledger: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CardSandbox {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        config: CardSandboxConfig,
    ) -> CardSandbox {
        CardSandbox {
            inner: Arc::new(Inner {
                store,
                clock,
                random,
                acs_base_url: config.acs_base_url.trim_end_matches('/').to_owned(),
                faults: Mutex::new(Faults::default()),
                vault: Vault::default(),
                authorization_requests: AtomicU64::new(0),
            }),
        }
    }

    /// Both routers at their usual places ([`API_MOUNT`], [`ACS_MOUNT`]), to merge into cvgate's
    /// router (or to serve alone in tests).
    pub fn router(&self) -> Router {
        Router::new()
            .nest(API_MOUNT, self.api_router())
            .nest(ACS_MOUNT, self.acs_router())
    }

    /// The JSON API and admin endpoints; mount at [`API_MOUNT`].
    pub fn api_router(&self) -> Router {
        api::router(Arc::clone(&self.inner))
    }

    /// The ACS page; mount at [`ACS_MOUNT`].
    pub fn acs_router(&self) -> Router {
        acs::router(Arc::clone(&self.inner))
    }

    pub fn faults(&self) -> Faults {
        self.inner.faults()
    }

    pub fn set_faults(&self, faults: Faults) -> Result<(), String> {
        self.inner.set_faults(faults)
    }

    /// How many authorization requests reached the sandbox (valid or not, repeats included).
    pub fn authorization_requests(&self) -> u64 {
        self.inner.authorization_requests.load(Ordering::SeqCst)
    }

    /// How many challenges hold card data in memory.
    pub fn pending_challenges(&self) -> usize {
        self.inner.vault.len()
    }

    /// Remits every captured transaction now; how many were remitted.
    pub async fn remit_all(&self) -> Result<usize, SandboxError> {
        self.inner.remit_all().await
    }

    /// The whole ledger, oldest first.
    pub async fn ledger(&self) -> Result<Vec<SandboxCardTransaction>, StoreError> {
        self.inner
            .store
            .read()
            .await?
            .sandbox_card()
            .transactions()
            .await
    }
}

impl Inner {
    fn faults(&self) -> Faults {
        self.faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set_faults(&self, faults: Faults) -> Result<(), String> {
        faults.validate()?;
        tracing::info!(?faults, "card sandbox faults set");
        *self.faults.lock().unwrap_or_else(|p| p.into_inner()) = faults;
        Ok(())
    }

    /// The injected latency, before an API answer.
    async fn delay(&self) {
        let latency = self.faults().latency_ms;
        if latency > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
        }
    }
}
