//! The merchant back office: merchants and their access keys, points of sale, contracts.
//!
//! Every operation validates its whole input first and then writes in one unit of work, so a
//! refused request writes nothing.

use crate::api_access::KeyCheck;
use domain::FieldError;
use domain::access_key::{AccessKey, AccessKeyHasher};
use domain::clock::Clock;
use domain::contract::{
    Contract, ContractChange, ContractNumber, ContractRequest, ContractStatus, check_complementary,
};
use domain::merchant::{self, Merchant, MerchantId, MerchantStatus};
use domain::point_of_sale::{PointOfSale, PointOfSaleChange, PointOfSaleRequest, PosId};
use domain::random::SharedRandom;
use std::fmt;
use std::sync::Arc;
use store::{Store, StoreError, UnitOfWork};
use thiserror::Error;

pub use crate::config_error::ConfigError;

/// Name of the per-deployment secret under which access keys are hashed.
const ACCESS_KEY_SECRET: &str = "access_key_hmac";

type Result<T> = std::result::Result<T, ConfigError>;

/// Why a change asked for by a merchant (the JSON API, the back office) was refused or failed:
/// like [`ConfigError`], but a reference or contract number already in use is told apart from a
/// field breaking a rule.
#[derive(Debug, Error)]
pub enum ChangeError {
    /// A field breaks a rule (bad value, unknown point of sale, unsuitable complementary
    /// contract, a field that cannot change…): the caller can fix it.
    #[error("{0}")]
    Invalid(#[from] FieldError),
    /// The merchant already has a point of sale with this reference, or a contract with this
    /// number; the field says which.
    #[error("{0}")]
    Taken(FieldError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ChangeError> for ConfigError {
    fn from(error: ChangeError) -> Self {
        match error {
            ChangeError::Invalid(field_error) | ChangeError::Taken(field_error) => {
                ConfigError::Invalid(field_error)
            }
            ChangeError::Store(error) => ConfigError::Store(error),
        }
    }
}

impl From<ConfigError> for ChangeError {
    fn from(error: ConfigError) -> Self {
        match error {
            ConfigError::Invalid(field_error) => ChangeError::Invalid(field_error),
            ConfigError::Store(error) => ChangeError::Store(error),
        }
    }
}

/// Which point of sale of the merchant: by id (the CLI's `--pos`) or by reference (the JSON
/// API's `pointOfSaleReference`).
#[derive(Debug, Clone, Copy)]
pub enum PosKey<'a> {
    /// The database id.
    Id(PosId),
    /// The merchant's reference.
    Reference(&'a str),
}

impl fmt::Display for PosKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PosKey::Id(id) => write!(f, "{id}"),
            PosKey::Reference(reference) => f.write_str(reference),
        }
    }
}

/// The merchant back office: merchants, access keys, points of sale and contracts (cheap to
/// clone: the clones share the store).
#[derive(Clone)]
pub struct MerchantConfig {
    store: Store,
    clock: Arc<dyn Clock>,
    random: SharedRandom,
    keys: KeyCheck,
}

impl MerchantConfig {
    /// Loads (or, on a new database, creates) the deployment's access-key secret.
    pub async fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
    ) -> Result<MerchantConfig> {
        MerchantConfig::with_key_secret(store, clock, random, None).await
    }

    /// With the access-key secret the operator supplied (`[security] key_secret`), or, when
    /// `None`, the one generated into the database on its first start (homologation). Access
    /// keys hashed with one secret do not verify with another: rotate them after a change.
    pub async fn with_key_secret(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        key_secret: Option<&str>,
    ) -> Result<MerchantConfig> {
        let secret = match key_secret {
            Some(secret) => secret.to_owned(),
            None => {
                let candidate = random.hex(32);
                let mut uow = store.write().await?;
                let secret = uow
                    .server_secrets()
                    .get_or_insert(ACCESS_KEY_SECRET, &candidate, clock.now())
                    .await?;
                uow.commit().await?;
                secret
            }
        };
        let hasher = AccessKeyHasher::new(secret.as_bytes());
        let keys = KeyCheck {
            no_merchant_hash: hasher.hash(&AccessKey::from_clear(&random.hex(16))),
            hasher,
        };
        Ok(MerchantConfig {
            store,
            clock,
            random,
            keys,
        })
    }

    /// Now, by the clock the services share (tests move it).
    pub fn now(&self) -> domain::clock::Timestamp {
        self.clock.now()
    }

    /// The store it writes to.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The randomness it draws secrets from.
    pub(crate) fn random(&self) -> &SharedRandom {
        &self.random
    }

    /// The back office's users over the same store, clock and randomness.
    pub fn back_office_users(&self) -> crate::BackOfficeUsers {
        crate::BackOfficeUsers::new(self.store.clone(), self.clock.clone(), self.random.clone())
    }

    /// The merchant APIs' access check (credentials and their throttles) over the same store,
    /// clock and key secret; it hands the configuration version each call reads to `cache`.
    pub fn api_access(
        &self,
        policy: crate::api_access::ApiThrottlePolicy,
        cache: crate::configuration_cache::ConfigurationCache,
    ) -> crate::api_access::ApiAccess {
        crate::api_access::ApiAccess::new(
            self.store.clone(),
            self.clock.clone(),
            policy,
            self.keys.clone(),
            cache,
        )
    }

    /// Back-office sign-in over the same store, clock and randomness, under `policy`.
    pub fn back_office_sign_in(
        &self,
        policy: crate::back_office_sign_in::SignInPolicy,
    ) -> crate::back_office_sign_in::BackOfficeSignIn {
        crate::back_office_sign_in::BackOfficeSignIn::new(
            self.store.clone(),
            self.clock.clone(),
            self.random.clone(),
            policy,
        )
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
            .insert(&merchant, &self.keys.hasher.hash(&key))
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
            .replace_access_key(&id, &self.keys.hasher.hash(&key), self.clock.now())
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
            self.keys.accepts(presented_key, None);
            return Ok(None);
        };
        let mut uow = self.store.read().await?;
        let stored = uow.merchants().credentials(&id).await?;
        Ok(self
            .keys
            .accepts(presented_key, stored.as_ref())
            .then_some(id))
    }

    /// Every merchant, active or not.
    pub async fn list_merchants(&self) -> Result<Vec<Merchant>> {
        Ok(self.store.read().await?.merchants().list().await?)
    }

    /// Creates a point of sale of a merchant; its web payment sessions last `session_minutes`
    /// (default: [`domain::point_of_sale::SessionLifetime::DEFAULT`]); the JSON API names it by
    /// `reference` (default `POS-<id>`), unique per merchant.
    pub async fn create_point_of_sale(
        &self,
        merchant_id: &str,
        label: &str,
        reference: Option<&str>,
        session_minutes: Option<i64>,
    ) -> Result<PointOfSale> {
        let merchant_id = MerchantId::parse("merchant", merchant_id)?;
        let request = PointOfSaleRequest {
            label: label.to_owned(),
            reference: reference.map(str::to_owned),
            session_minutes,
            widget_data_updates: false,
        };
        Ok(self.add_point_of_sale(&merchant_id, &request).await?)
    }

    /// Creates a point of sale of a merchant as [`PointOfSaleRequest`] asks. Refused (and
    /// nothing written) when a field is invalid, the merchant unknown, or the reference taken
    /// ([`ChangeError::Taken`]).
    pub async fn add_point_of_sale(
        &self,
        merchant_id: &MerchantId,
        request: &PointOfSaleRequest,
    ) -> std::result::Result<PointOfSale, ChangeError> {
        let new = request.validate()?;
        let mut uow = self.store.write().await?;
        require_merchant(&mut uow, merchant_id).await?;
        if let Some(taken) = &new.reference
            && uow
                .points_of_sale()
                .reference_taken(merchant_id, taken)
                .await?
        {
            return Err(reference_taken(merchant_id, taken));
        }
        let now = self.clock.now();
        let inserted = uow
            .points_of_sale()
            .insert(
                merchant_id,
                &new.label,
                new.reference.as_deref(),
                new.session_lifetime,
                now,
            )
            .await;
        let id = match (inserted, &new.reference) {
            (Err(StoreError::Conflict { .. }), Some(taken)) => {
                return Err(reference_taken(merchant_id, taken));
            }
            (other, _) => other?,
        };
        if new.widget_data_updates {
            uow.points_of_sale()
                .set_widget_data_updates(id, true)
                .await?;
        }
        // Read back: the store chose the default reference.
        let stored = uow.points_of_sale().find(id).await?;
        uow.commit().await?;
        stored.ok_or_else(|| {
            ChangeError::Store(StoreError::corrupt(
                "points_of_sale",
                format!("point of sale {id} vanished in its own transaction"),
            ))
        })
    }

    /// The merchant's point of sale with this reference (`None`: it has none).
    pub async fn point_of_sale(
        &self,
        merchant_id: &MerchantId,
        reference: &str,
    ) -> Result<Option<PointOfSale>> {
        let mut uow = self.store.read().await?;
        Ok(uow
            .points_of_sale()
            .find_by_reference(merchant_id, reference)
            .await?)
    }

    /// Changes the merchant's point of sale with this reference as [`PointOfSaleChange`] asks
    /// (`Ok(None)`: it has none). Every value is checked before anything is written; a refused
    /// change writes nothing.
    pub async fn update_point_of_sale(
        &self,
        merchant_id: &MerchantId,
        reference: &str,
        change: &PointOfSaleChange,
    ) -> std::result::Result<Option<PointOfSale>, ChangeError> {
        let mut uow = self.store.write().await?;
        let Some(current) = uow
            .points_of_sale()
            .find_by_reference(merchant_id, reference)
            .await?
        else {
            return Ok(None);
        };
        let changed = change.apply(&current)?;
        if changed != current {
            uow.points_of_sale().update_settings(&changed).await?;
            uow.commit().await?;
        }
        Ok(Some(changed))
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
        Ok(self
            .add_contract(
                &merchant_id,
                PosKey::Id(pos_id),
                request,
                ContractStatus::Active,
            )
            .await?)
    }

    /// Creates a contract under the merchant's point of sale `pos`, active or not (`status`), by
    /// the rules of [`MerchantConfig::create_contract`]; a number already in use is
    /// [`ChangeError::Taken`].
    pub async fn add_contract(
        &self,
        merchant_id: &MerchantId,
        pos: PosKey<'_>,
        request: &ContractRequest,
        status: ContractStatus,
    ) -> std::result::Result<Contract, ChangeError> {
        let contract = request.validate()?;
        let mut uow = self.store.write().await?;
        require_merchant(&mut uow, merchant_id).await?;
        let found = match pos {
            PosKey::Id(id) => uow
                .points_of_sale()
                .find(id)
                .await?
                .filter(|found| found.merchant_id == *merchant_id),
            PosKey::Reference(reference) => {
                uow.points_of_sale()
                    .find_by_reference(merchant_id, reference)
                    .await?
            }
        };
        let Some(pos) = found else {
            return Err(FieldError::new(
                "pos",
                format!("merchant {merchant_id} has no point of sale {pos}"),
            )
            .into());
        };
        if uow
            .contracts()
            .find(merchant_id, &contract.number)
            .await?
            .is_some()
        {
            return Err(duplicate_number(&contract.number));
        }
        for number in contract.method.complementary() {
            let found = uow.contracts().find(merchant_id, number).await?;
            check_complementary(pos.id, number, found.as_ref())?;
        }
        let now = self.clock.now();
        match uow
            .contracts()
            .insert(merchant_id, pos.id, &contract, now)
            .await
        {
            Err(StoreError::Conflict { .. }) => return Err(duplicate_number(&contract.number)),
            other => other?,
        }
        if status != ContractStatus::Active {
            uow.contracts()
                .set_status(merchant_id, &contract.number, status, now)
                .await?;
        }
        let stored = uow.contracts().find(merchant_id, &contract.number).await?;
        uow.commit().await?;
        stored.ok_or_else(|| {
            StoreError::corrupt(
                "contracts",
                "the contract just inserted cannot be read back",
            )
            .into()
        })
    }

    /// The merchant's contract with this number (`None`: it has none).
    pub async fn contract(
        &self,
        merchant_id: &MerchantId,
        number: &str,
    ) -> Result<Option<Contract>> {
        let Ok(number) = ContractNumber::parse("number", number) else {
            return Ok(None);
        };
        let mut uow = self.store.read().await?;
        Ok(uow.contracts().find(merchant_id, &number).await?)
    }

    /// Changes the merchant's contract with this number as [`ContractChange`] asks (`Ok(None)`:
    /// it has none), by the rules of a new contract: a new complementary list must name active
    /// card contracts of the same point of sale. Every value is checked before anything is
    /// written; a refused change writes nothing.
    pub async fn update_contract(
        &self,
        merchant_id: &MerchantId,
        number: &str,
        change: &ContractChange,
    ) -> std::result::Result<Option<Contract>, ChangeError> {
        let Ok(number) = ContractNumber::parse("number", number) else {
            return Ok(None);
        };
        let mut uow = self.store.write().await?;
        let Some(current) = uow.contracts().find(merchant_id, &number).await? else {
            return Ok(None);
        };
        let pos_reference = match uow.points_of_sale().find(current.pos_id).await? {
            Some(pos) => pos.reference,
            None => {
                return Err(StoreError::corrupt(
                    "contracts",
                    format!("contract {number} hangs under no point of sale"),
                )
                .into());
            }
        };
        let changed = change.apply(&current, &pos_reference)?;
        if change.complementary.is_some() {
            for complementary in changed.complementary() {
                let found = uow.contracts().find(merchant_id, complementary).await?;
                check_complementary(current.pos_id, complementary, found.as_ref())?;
            }
        }
        if changed != current {
            uow.contracts().update(&changed, self.clock.now()).await?;
            uow.commit().await?;
        }
        Ok(Some(changed))
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

fn duplicate_number(number: &ContractNumber) -> ChangeError {
    ChangeError::Taken(FieldError::new(
        "number",
        format!("contract {number} already exists for this merchant"),
    ))
}

fn reference_taken(merchant_id: &MerchantId, reference: &str) -> ChangeError {
    ChangeError::Taken(FieldError::new(
        "reference",
        format!("merchant {merchant_id} already has a point of sale {reference}"),
    ))
}
