//! The merchants' contracts and points of sale kept in memory for the API's hot paths
//! (`doWebPayment`, `getWebPaymentDetails`), so that they cost no read per call.
//!
//! A copy is as new as the configuration version last seen. Every configuration write adds one
//! to the version in its own transaction (`store::repos::ConfigurationVersion`), and every API
//! call's access check reads the version in its one statement and hands it here
//! ([`ConfigurationCache::observe`]): a newer version empties the cache. So a change made by
//! this instance, another instance on the same PostgreSQL, or the CLI on the same SQLite file is
//! seen by the next API call, with no extra round trip and no timer.

use domain::contract::Contract;
use domain::merchant::MerchantId;
use domain::point_of_sale::{PointOfSale, PosId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use store::{Store, StoreError};

/// A merchant's configuration as the API's hot paths need it.
#[derive(Debug)]
pub struct MerchantSetup {
    /// Every contract of the merchant, enabled or not.
    pub contracts: Vec<Contract>,
    /// Every point of sale of the merchant.
    pub points_of_sale: Vec<PointOfSale>,
}

impl MerchantSetup {
    /// Reads the merchant's setup from `store` (no cache), with the configuration version it
    /// was read at.
    pub async fn read(
        store: &Store,
        merchant_id: &MerchantId,
    ) -> Result<(i64, MerchantSetup), StoreError> {
        let mut uow = store.read().await?;
        let version = uow.configuration_version().current().await?;
        let setup = MerchantSetup {
            contracts: uow.contracts().list_for(merchant_id).await?,
            points_of_sale: uow.points_of_sale().list_for(merchant_id).await?,
        };
        Ok((version, setup))
    }

    /// The point of sale with this id, if it is the merchant's.
    pub fn point_of_sale(&self, id: PosId) -> Option<&PointOfSale> {
        self.points_of_sale.iter().find(|pos| pos.id == id)
    }
}

/// The cache (cheap to clone: clones share it).
#[derive(Clone, Default)]
pub struct ConfigurationCache {
    state: Arc<Mutex<CacheState>>,
}

#[derive(Default)]
struct CacheState {
    /// The newest version seen; every entry was read at this version.
    version: i64,
    merchants: HashMap<MerchantId, Arc<MerchantSetup>>,
}

impl ConfigurationCache {
    /// The configuration is at `version` (or later): copies read before it are dropped.
    pub fn observe(&self, version: i64) {
        self.lock().advance_to(version);
    }

    /// The merchant's setup: the copy in memory, or one read from `store` (and kept) when there
    /// is none.
    pub async fn merchant(
        &self,
        store: &Store,
        merchant_id: &MerchantId,
    ) -> Result<Arc<MerchantSetup>, StoreError> {
        if let Some(setup) = self.lock().merchants.get(merchant_id) {
            return Ok(setup.clone());
        }
        let (version, setup) = MerchantSetup::read(store, merchant_id).await?;
        let setup = Arc::new(setup);
        let mut state = self.lock();
        state.advance_to(version);
        // A copy read at an older version than one seen meanwhile is used once, not kept.
        if version == state.version {
            state.merchants.insert(merchant_id.clone(), setup.clone());
        }
        Ok(setup)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        // The state stays consistent at every step: a panic elsewhere cannot leave it half-made.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl CacheState {
    fn advance_to(&mut self, version: i64) {
        if version > self.version {
            self.version = version;
            self.merchants.clear();
        }
    }
}
