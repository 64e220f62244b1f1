//! The merchant back office: merchants and their access keys, points of sale, contracts.
//!
//! Every operation validates its whole input first and then writes in one unit of work, so a
//! refused request writes nothing.

use domain::FieldError;
use domain::access_key::{AccessKey, AccessKeyHasher};
use domain::clock::Clock;
use domain::contract::{
    Contract, ContractNumber, ContractRequest, ContractStatus, check_complementary,
};
use domain::merchant::{self, Merchant, MerchantId, MerchantStatus};
use domain::point_of_sale::{self, PointOfSale, PosId, SessionLifetime};
use domain::random::SharedRandom;
use std::sync::Arc;
use store::{Store, StoreError, UnitOfWork};
use thiserror::Error;

/// Name of the per-deployment secret under which access keys are hashed.
const ACCESS_KEY_SECRET: &str = "access_key_hmac";

/// Why a back-office operation was refused or failed.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The request is wrong (bad value, unknown merchant, duplicate number…): the caller can fix it.
    #[error("{0}")]
    Invalid(#[from] FieldError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

type Result<T> = std::result::Result<T, ConfigError>;

/// The merchant back office: merchants, access keys, points of sale and contracts (cheap to
/// clone: the clones share the store).
#[derive(Clone)]
pub struct MerchantConfig {
    store: Store,
    clock: Arc<dyn Clock>,
    random: SharedRandom,
    hasher: AccessKeyHasher,
}

impl MerchantConfig {
    /// Loads (or, on a new database, creates) the deployment's access-key secret.
    pub async fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
    ) -> Result<MerchantConfig> {
        let candidate = random.hex(32);
        let mut uow = store.write().await?;
        let secret = uow
            .server_secrets()
            .get_or_insert(ACCESS_KEY_SECRET, &candidate, clock.now())
            .await?;
        uow.commit().await?;
        Ok(MerchantConfig {
            store,
            clock,
            random,
            hasher: AccessKeyHasher::new(secret.as_bytes()),
        })
    }

    /// The store it writes to.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Creates a merchant; the access key is returned in clear this once and stored only hashed.
    pub async fn create_merchant(&self, name: &str) -> Result<(Merchant, AccessKey)> {
        let name = merchant::validate_name(name)?;
        let mut uow = self.store.write().await?;
        let created = self.insert_merchant(&mut uow, name).await?;
        uow.commit().await?;
        Ok(created)
    }

    pub(crate) async fn insert_merchant(
        &self,
        uow: &mut UnitOfWork,
        name: String,
    ) -> Result<(Merchant, AccessKey)> {
        let id = loop {
            let candidate = MerchantId::from_random(self.random.next_u64());
            if uow.merchants().find(&candidate).await?.is_none() {
                break candidate;
            }
        };
        let merchant = Merchant {
            id,
            name,
            status: MerchantStatus::Active,
            created_at: self.clock.now(),
        };
        let key = self.new_access_key();
        uow.merchants()
            .insert(&merchant, &self.hasher.hash(&key))
            .await?;
        Ok((merchant, key))
    }

    /// Replaces a merchant's access key; the old one stops working at once.
    pub async fn rotate_key(&self, merchant_id: &str) -> Result<(MerchantId, AccessKey)> {
        let id = MerchantId::parse("merchant", merchant_id)?;
        let key = self.new_access_key();
        let mut uow = self.store.write().await?;
        if !uow
            .merchants()
            .replace_access_key(&id, &self.hasher.hash(&key), self.clock.now())
            .await?
        {
            return Err(unknown_merchant(&id));
        }
        uow.commit().await?;
        Ok((id, key))
    }

    /// Checks HTTP Basic credentials: the merchant exists, is active, and the key matches
    /// (compared in constant time).
    pub async fn authenticate(
        &self,
        merchant_id: &str,
        presented_key: &str,
    ) -> Result<Option<MerchantId>> {
        let Ok(id) = MerchantId::parse("merchant", merchant_id) else {
            return Ok(None);
        };
        let mut uow = self.store.read().await?;
        let Some(credentials) = uow.merchants().credentials(&id).await? else {
            return Ok(None);
        };
        let key_matches = self.hasher.verify(
            &AccessKey::from_clear(presented_key),
            &credentials.access_key_hash,
        );
        Ok((key_matches && credentials.status == MerchantStatus::Active).then_some(id))
    }

    /// Every merchant, active or not.
    pub async fn list_merchants(&self) -> Result<Vec<Merchant>> {
        Ok(self.store.read().await?.merchants().list().await?)
    }

    /// Creates a point of sale of a merchant; its web payment sessions last `session_minutes`
    /// (default: [`SessionLifetime::DEFAULT`]); the JSON API names it by `reference` (default
    /// `POS-<id>`), unique per merchant.
    pub async fn create_point_of_sale(
        &self,
        merchant_id: &str,
        label: &str,
        reference: Option<&str>,
        session_minutes: Option<i64>,
    ) -> Result<PointOfSale> {
        let merchant_id = MerchantId::parse("merchant", merchant_id)?;
        let label = point_of_sale::validate_label(label)?;
        let reference = reference
            .map(point_of_sale::validate_reference)
            .transpose()?;
        let session_lifetime = match session_minutes {
            Some(minutes) => SessionLifetime::minutes("session_minutes", minutes)?,
            None => SessionLifetime::DEFAULT,
        };
        let mut uow = self.store.write().await?;
        require_merchant(&mut uow, &merchant_id).await?;
        if let Some(taken) = &reference
            && uow
                .points_of_sale()
                .reference_taken(&merchant_id, taken)
                .await?
        {
            return Err(FieldError::new(
                "reference",
                format!("merchant {merchant_id} already has a point of sale {taken}"),
            )
            .into());
        }
        let now = self.clock.now();
        let id = uow
            .points_of_sale()
            .insert(
                &merchant_id,
                &label,
                reference.as_deref(),
                session_lifetime,
                now,
            )
            .await?;
        uow.commit().await?;
        Ok(PointOfSale {
            id,
            merchant_id,
            label,
            reference: reference.unwrap_or_else(|| format!("POS-{id}")),
            session_lifetime,
            widget_data_updates: false,
            created_at: now,
        })
    }

    /// Lets the payment widget update the data of this point of sale's sessions before any
    /// attempt (or stops it); refused for another merchant's point of sale.
    pub async fn set_widget_data_updates(
        &self,
        merchant_id: &str,
        pos_id: i64,
        allowed: bool,
    ) -> Result<PointOfSale> {
        let merchant_id = MerchantId::parse("merchant", merchant_id)?;
        let mut uow = self.store.write().await?;
        let Some(mut pos) = uow
            .points_of_sale()
            .find(pos_id)
            .await?
            .filter(|pos| pos.merchant_id == merchant_id)
        else {
            return Err(FieldError::new(
                "pos",
                format!("merchant {merchant_id} has no point of sale {pos_id}"),
            )
            .into());
        };
        uow.points_of_sale()
            .set_widget_data_updates(pos.id, allowed)
            .await?;
        uow.commit().await?;
        pos.widget_data_updates = allowed;
        Ok(pos)
    }

    /// The merchant's point of sale with this reference and every contract of the merchant
    /// (`None`: no such point of sale).
    pub async fn point_of_sale_and_contracts(
        &self,
        merchant_id: &MerchantId,
        reference: &str,
    ) -> Result<Option<(PointOfSale, Vec<Contract>)>> {
        let mut uow = self.store.read().await?;
        let Some(pos) = uow
            .points_of_sale()
            .find_by_reference(merchant_id, reference)
            .await?
        else {
            return Ok(None);
        };
        let contracts = uow.contracts().list_for(merchant_id).await?;
        Ok(Some((pos, contracts)))
    }

    /// A merchant's points of sale (refused for an unknown merchant).
    pub async fn list_points_of_sale(&self, merchant_id: &str) -> Result<Vec<PointOfSale>> {
        let merchant_id = MerchantId::parse("merchant", merchant_id)?;
        let mut uow = self.store.read().await?;
        require_merchant(&mut uow, &merchant_id).await?;
        Ok(uow.points_of_sale().list_for(&merchant_id).await?)
    }

    /// Creates a contract under a point of sale. Refused (and nothing written) when a field is
    /// invalid, the merchant or point of sale is unknown, the number is taken, or a complementary
    /// contract is not an active card contract of the same point of sale.
    pub async fn create_contract(
        &self,
        merchant_id: &str,
        pos_id: PosId,
        request: &ContractRequest,
    ) -> Result<Contract> {
        let merchant_id = MerchantId::parse("merchant", merchant_id)?;
        let contract = request.validate()?;
        let mut uow = self.store.write().await?;
        require_merchant(&mut uow, &merchant_id).await?;
        match uow.points_of_sale().find(pos_id).await? {
            Some(pos) if pos.merchant_id == merchant_id => {}
            _ => {
                return Err(FieldError::new(
                    "pos",
                    format!("merchant {merchant_id} has no point of sale {pos_id}"),
                )
                .into());
            }
        }
        if uow
            .contracts()
            .find(&merchant_id, &contract.number)
            .await?
            .is_some()
        {
            return Err(duplicate_number(&contract.number));
        }
        for number in contract.method.complementary() {
            let found = uow.contracts().find(&merchant_id, number).await?;
            check_complementary(pos_id, number, found.as_ref())?;
        }
        let now = self.clock.now();
        match uow
            .contracts()
            .insert(&merchant_id, pos_id, &contract, now)
            .await
        {
            Err(StoreError::Conflict { .. }) => return Err(duplicate_number(&contract.number)),
            other => other?,
        }
        let stored = uow.contracts().find(&merchant_id, &contract.number).await?;
        uow.commit().await?;
        stored.ok_or_else(|| {
            StoreError::corrupt(
                "contracts",
                "the contract just inserted cannot be read back",
            )
            .into()
        })
    }

    /// A merchant's contracts, active or not (refused for an unknown merchant).
    pub async fn list_contracts(&self, merchant_id: &str) -> Result<Vec<Contract>> {
        let merchant_id = MerchantId::parse("merchant", merchant_id)?;
        let mut uow = self.store.read().await?;
        require_merchant(&mut uow, &merchant_id).await?;
        Ok(uow.contracts().list_for(&merchant_id).await?)
    }

    /// One contract of a merchant, by number (refused when unknown).
    pub async fn show_contract(&self, merchant_id: &str, number: &str) -> Result<Contract> {
        let (merchant_id, number) = parse_contract_key(merchant_id, number)?;
        let mut uow = self.store.read().await?;
        require_merchant(&mut uow, &merchant_id).await?;
        uow.contracts()
            .find(&merchant_id, &number)
            .await?
            .ok_or_else(|| unknown_contract(&merchant_id, &number))
    }

    /// Makes a contract inactive: payments can no longer use it. Idempotent.
    pub async fn disable_contract(&self, merchant_id: &str, number: &str) -> Result<Contract> {
        let (merchant_id, number) = parse_contract_key(merchant_id, number)?;
        let mut uow = self.store.write().await?;
        require_merchant(&mut uow, &merchant_id).await?;
        let now = self.clock.now();
        if !uow
            .contracts()
            .set_status(&merchant_id, &number, ContractStatus::Inactive, now)
            .await?
        {
            return Err(unknown_contract(&merchant_id, &number));
        }
        let contract = uow.contracts().find(&merchant_id, &number).await?;
        uow.commit().await?;
        contract.ok_or_else(|| unknown_contract(&merchant_id, &number))
    }

    fn new_access_key(&self) -> AccessKey {
        let mut pool = [0u8; 64];
        let mut used = pool.len();
        AccessKey::generate(|| {
            if used == pool.len() {
                self.random.fill(&mut pool);
                used = 0;
            }
            used += 1;
            pool[used - 1]
        })
    }
}

fn parse_contract_key(merchant_id: &str, number: &str) -> Result<(MerchantId, ContractNumber)> {
    Ok((
        MerchantId::parse("merchant", merchant_id)?,
        ContractNumber::parse("number", number)?,
    ))
}

async fn require_merchant(uow: &mut UnitOfWork, id: &MerchantId) -> Result<()> {
    match uow.merchants().find(id).await? {
        Some(_) => Ok(()),
        None => Err(unknown_merchant(id)),
    }
}

fn unknown_merchant(id: &MerchantId) -> ConfigError {
    FieldError::new("merchant", format!("no merchant with id {id}")).into()
}

fn unknown_contract(merchant_id: &MerchantId, number: &ContractNumber) -> ConfigError {
    FieldError::new(
        "number",
        format!("merchant {merchant_id} has no contract {number}"),
    )
    .into()
}

fn duplicate_number(number: &ContractNumber) -> ConfigError {
    FieldError::new(
        "number",
        format!("contract {number} already exists for this merchant"),
    )
    .into()
}
