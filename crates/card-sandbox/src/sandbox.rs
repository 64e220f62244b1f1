//! The sandbox's state, shared by its routers and operations (the store, the clock, the random
//! source, where the ACS page is reached), and the faults in force, read from the database.

use crate::error::SandboxError;
use crate::faults::Faults;
use crate::storage;
use domain::clock::Clock;
use domain::random::SharedRandom;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use store::Store;

/// The sandbox's shared state: what every router and operation works on.
pub(crate) struct Inner {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) random: SharedRandom,
    pub(crate) acs_base_url: String,
    /// Counted per instance (tests look at one instance).
    pub(crate) authorization_requests: AtomicU64,
}

impl Inner {
    /// Read from the database on every call: another instance may have changed them.
    pub(crate) async fn faults(&self) -> Result<Faults, SandboxError> {
        let mut uow = self.store.read().await?;
        let stored = store::single_row::load(&mut uow, storage::FAULTS_TABLE).await?;
        uow.rollback().await?;
        match stored {
            None => Ok(Faults::default()),
            Some(json) => Faults::from_stored(&json)
                .map_err(|error| SandboxError::Corrupt(format!("stored faults: {error}"))),
        }
    }

    pub(crate) async fn set_faults(&self, faults: Faults) -> Result<Faults, SandboxError> {
        faults
            .validate()
            .map_err(|error| SandboxError::Invalid(error.to_string()))?;
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
    pub(crate) async fn faults_for_request(&self) -> Result<Faults, SandboxError> {
        let faults = self.faults().await?;
        if faults.latency_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(faults.latency_ms)).await;
        }
        Ok(faults)
    }
}
