//! The homologation demo merchant: created once per database so that a fresh `cvgate serve` can
//! take a payment at once, even when several instances start together.

use crate::back_office_users::{BackOfficeUsers, UserRequest};
use crate::merchant_config::{ConfigError, MerchantConfig};
use domain::access_key::AccessKey;
use domain::back_office_user::{Password, Role, User};
use domain::contract::ContractRequest;
use domain::merchant::MerchantId;
use domain::point_of_sale::SessionLifetime;

const FIXTURE: &str = "homologation_demo_merchant";

/// The demo merchant's name.
pub const MERCHANT_NAME: &str = "Demo merchant";
/// The label of its one point of sale.
pub const POS_LABEL: &str = "Demo shop";
/// The reference of that point of sale (the JSON API's `pointOfSaleReference`).
pub const POS_REFERENCE: &str = "DEMO-SHOP";
/// Its ANCV Connect contract number (the card contract completes it).
pub const ANCV_CONTRACT: &str = "ANCV-DEMO";
/// Its CB card contract number.
pub const CARD_CONTRACT: &str = "CB-DEMO";
/// The sandbox's demo shop at ANCV.
pub const SHOP_ID: &str = "20000001";

/// What [`MerchantConfig::ensure_demo_merchant`] found or made.
#[derive(Debug)]
pub enum DemoMerchant {
    /// Made by this call: the key is shown once, now.
    Created {
        /// The new merchant's id.
        merchant_id: MerchantId,
        /// Its access key, in clear (stored only hashed).
        access_key: AccessKey,
    },
    /// Made earlier (or by another instance); its key can only be rotated.
    Existing {
        /// The demo merchant's id.
        merchant_id: MerchantId,
    },
}

impl DemoMerchant {
    /// The demo merchant's id, whoever made it.
    pub fn merchant_id(&self) -> &MerchantId {
        match self {
            DemoMerchant::Created { merchant_id, .. } | DemoMerchant::Existing { merchant_id } => {
                merchant_id
            }
        }
    }
}

impl MerchantConfig {
    /// Creates the demo merchant, its point of sale and its two contracts unless they exist.
    pub async fn ensure_demo_merchant(&self) -> Result<DemoMerchant, ConfigError> {
        if let Some(merchant_id) = self.demo_merchant_id().await? {
            return Ok(DemoMerchant::Existing { merchant_id });
        }
        let mut uow = self.store().write().await?;
        let (merchant, access_key) = self
            .insert_merchant(&mut uow, MERCHANT_NAME.to_owned())
            .await?;
        let now = merchant.created_at;
        let pos_id = uow
            .points_of_sale()
            .insert(
                &merchant.id,
                POS_LABEL,
                Some(POS_REFERENCE),
                SessionLifetime::DEFAULT,
                now,
            )
            .await?;
        let card = ContractRequest {
            number: CARD_CONTRACT.into(),
            card_code: "CB".into(),
            label: Some("Demo card contract".into()),
            ..ContractRequest::default()
        };
        let ancv = ContractRequest {
            number: ANCV_CONTRACT.into(),
            card_code: "ANCV_CONNECT".into(),
            label: Some("Demo Chèque-Vacances Connect".into()),
            shop_id: Some(SHOP_ID.into()),
            complementary: vec![CARD_CONTRACT.into()],
            ..ContractRequest::default()
        };
        for request in [card, ancv] {
            uow.contracts()
                .insert(&merchant.id, pos_id, &request.validate()?, now)
                .await?;
        }
        // Another instance may have been faster: the claim then fails and this attempt is undone.
        if !uow
            .demo_fixtures()
            .claim(FIXTURE, &merchant.id, now)
            .await?
        {
            uow.rollback().await?;
            let merchant_id = self.demo_merchant_id().await?.ok_or_else(|| {
                store::StoreError::corrupt(
                    "demo_fixtures",
                    "the demo merchant was claimed but cannot be read",
                )
            })?;
            return Ok(DemoMerchant::Existing { merchant_id });
        }
        uow.commit().await?;
        Ok(DemoMerchant::Created {
            merchant_id: merchant.id,
            access_key,
        })
    }

    /// What only homologation puts in a database: the demo merchant and the sandboxes' data.
    /// Empty: the database may serve production.
    pub async fn homologation_traces(&self) -> Result<Vec<String>, ConfigError> {
        let mut uow = self.store().read().await?;
        let backend = uow.backend();
        let mut traces: Vec<String> = uow
            .demo_fixtures()
            .find(FIXTURE)
            .await?
            .map(|merchant| format!("the demo merchant {merchant}"))
            .into_iter()
            .collect();
        let tables = uow
            .demo_fixtures()
            .sandbox_tables_with_rows(backend)
            .await?;
        if !tables.is_empty() {
            traces.push(format!("sandbox data in {}", tables.join(", ")));
        }
        Ok(traces)
    }

    async fn demo_merchant_id(&self) -> Result<Option<MerchantId>, ConfigError> {
        Ok(self
            .store()
            .read()
            .await?
            .demo_fixtures()
            .find(FIXTURE)
            .await?)
    }
}

/// The demo merchant's back-office user (an admin).
pub const USER_EMAIL: &str = "demo@cvgate.example";

impl BackOfficeUsers {
    /// Creates the demo merchant's admin user unless it exists; its password is returned in
    /// clear when this call made it (`None`: it existed, or another instance made it now).
    pub async fn ensure_demo_user(
        &self,
        merchant_id: &MerchantId,
    ) -> Result<Option<(User, Password)>, ConfigError> {
        let request = UserRequest {
            merchant: Some(merchant_id.to_string()),
            email: USER_EMAIL.to_owned(),
            role: Role::Admin.as_str().to_owned(),
        };
        if self.find(USER_EMAIL).await?.is_some() {
            return Ok(None);
        }
        match self.create_with(&request, false).await {
            Ok(created) => Ok(Some(created)),
            Err(ConfigError::Invalid(taken)) if taken.field == "email" => Ok(None),
            Err(error) => Err(error),
        }
    }
}
