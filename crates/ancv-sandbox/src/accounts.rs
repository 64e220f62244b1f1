//! Beneficiaries and shops: the published test data, and what the admin API (and the CLI) adds.

use crate::error::SandboxError;
use crate::model::Behaviour;
use crate::rules::{self, BeneficiaryRef};
use crate::sandbox::Sandbox;
use crate::secret;
use crate::seed::{DEMO_SHOP_ID, PUBLISHED_BENEFICIARIES, PUBLISHED_SECRET_CODE};
use crate::storage::{self, SandboxBeneficiary};
use ancv::ErrorCode;
use serde::Serialize;
use std::fmt;
use store::UnitOfWork;

/// A beneficiary to create. `Debug` never shows the secret code.
#[derive(Clone, PartialEq, Eq)]
pub struct NewBeneficiary {
    /// The ANCV identifier (admin JSON `beneficiaryId`): exactly 11 digits.
    pub beneficiary_id: String,
    /// The account's e-mail (`email`), another way to name it; stored lower-cased.
    pub email: String,
    /// What can be spent with vouchers (`balance`), in cents (integer minor units), zero or more.
    pub balance: i64,
    /// The PIN confirming answers in the app (`secretCode`): 4 to 12 digits, stored only hashed.
    pub secret_code: String,
    /// Whether someone answers in the app or the account answers by itself (`behaviour`).
    pub behaviour: Behaviour,
}

impl fmt::Debug for NewBeneficiary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewBeneficiary")
            .field("beneficiary_id", &self.beneficiary_id)
            .field("email", &self.email)
            .field("balance", &self.balance)
            .field("secret_code", &"<redacted>")
            .field("behaviour", &self.behaviour)
            .finish()
    }
}

/// A beneficiary as shown to operators and in the app (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BeneficiaryView {
    /// The 11-digit ANCV identifier (JSON `beneficiaryId`).
    pub beneficiary_id: String,
    /// The lower-cased e-mail (`email`).
    pub email: String,
    /// What is left to spend (`balance`), in cents (integer minor units).
    pub balance: i64,
    /// The behaviour's name (`behaviour`): `manual`, `auto_full`, … (see [`Behaviour::as_str`]).
    pub behaviour: String,
}

impl BeneficiaryView {
    pub(crate) fn of(beneficiary: &SandboxBeneficiary) -> BeneficiaryView {
        BeneficiaryView {
            beneficiary_id: beneficiary.beneficiary_id.clone(),
            email: beneficiary.email.clone(),
            balance: beneficiary.balance,
            behaviour: beneficiary.behaviour.clone(),
        }
    }
}

impl Sandbox {
    /// Inserts the published test data of spec §6 (the demo shop and six beneficiaries, secret
    /// code 1234). Idempotent: what exists is left alone — a balance is never reset.
    pub async fn seed_test_data(&self) -> Result<(), SandboxError> {
        let now = self.now();
        let mut uow = self.store().write().await?;
        storage::tables(&mut uow)
            .insert_shop(DEMO_SHOP_ID, now)
            .await?;
        for published in PUBLISHED_BENEFICIARIES {
            let beneficiary = SandboxBeneficiary {
                beneficiary_id: published.beneficiary_id.to_owned(),
                email: published.email.to_owned(),
                balance: published.balance,
                secret_code_hash: secret::hash(published.beneficiary_id, PUBLISHED_SECRET_CODE),
                behaviour: published.behaviour.as_str().to_owned(),
                created_at: now,
            };
            storage::tables(&mut uow)
                .insert_beneficiary(&beneficiary)
                .await?;
        }
        self.commit(uow).await?;
        tracing::info!("ANCV sandbox test data seeded");
        Ok(())
    }

    /// Creates a beneficiary; every field is checked and named when wrong, and an id or e-mail
    /// already in use is refused (409), never overwritten.
    pub async fn add_beneficiary(
        &self,
        new: &NewBeneficiary,
    ) -> Result<BeneficiaryView, SandboxError> {
        if !rules::is_ancv_id(&new.beneficiary_id) {
            return Err(SandboxError::invalid(
                "beneficiaryId",
                "must be exactly 11 digits",
            ));
        }
        let email = rules::normalise_email("email", &new.email)?;
        if new.balance < 0 {
            return Err(SandboxError::invalid(
                "balance",
                "must be zero or more (cents)",
            ));
        }
        rules::check_secret_code_format("secretCode", &new.secret_code)?;
        let beneficiary = SandboxBeneficiary {
            beneficiary_id: new.beneficiary_id.clone(),
            email,
            balance: new.balance,
            secret_code_hash: secret::hash(&new.beneficiary_id, &new.secret_code),
            behaviour: new.behaviour.as_str().to_owned(),
            created_at: self.now(),
        };
        let mut uow = self.store().write().await?;
        if !storage::tables(&mut uow)
            .insert_beneficiary(&beneficiary)
            .await?
        {
            let id_taken = storage::tables(&mut uow)
                .find_beneficiary(&beneficiary.beneficiary_id)
                .await?
                .is_some();
            let (field, what) = if id_taken {
                ("beneficiaryId", "this ANCV identifier")
            } else {
                ("email", "this e-mail")
            };
            return Err(SandboxError::AlreadyExists {
                field: field.to_owned(),
                message: format!("a beneficiary with {what} already exists"),
            });
        }
        self.commit(uow).await?;
        tracing::info!(beneficiary = %beneficiary.beneficiary_id, behaviour = %beneficiary.behaviour,
            "ANCV sandbox beneficiary added");
        Ok(BeneficiaryView::of(&beneficiary))
    }

    /// Makes `shop_id` a known shop; false when it already was.
    pub async fn add_shop(&self, shop_id: &str) -> Result<bool, SandboxError> {
        let shop_id = shop_id.trim();
        let valid = (1..=32).contains(&shop_id.len())
            && shop_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(SandboxError::invalid(
                "shopId",
                "must be 1 to 32 letters, digits, '-' or '_'",
            ));
        }
        let now = self.now();
        let mut uow = self.store().write().await?;
        let created = storage::tables(&mut uow).insert_shop(shop_id, now).await?;
        self.commit(uow).await?;
        tracing::info!(shop = %shop_id, created, "ANCV sandbox shop added");
        Ok(created)
    }

    /// A beneficiary by ANCV id or e-mail.
    pub async fn beneficiary(&self, id_or_email: &str) -> Result<BeneficiaryView, SandboxError> {
        let reference = BeneficiaryRef::parse("beneficiaryId", id_or_email)?;
        let mut uow = self.store().read().await?;
        let found = self.find_beneficiary(&mut uow, &reference).await?;
        uow.rollback().await?;
        found
            .as_ref()
            .map(BeneficiaryView::of)
            .ok_or_else(beneficiary_not_found)
    }

    pub(crate) async fn find_beneficiary(
        &self,
        uow: &mut UnitOfWork,
        reference: &BeneficiaryRef,
    ) -> Result<Option<SandboxBeneficiary>, SandboxError> {
        let found = match reference {
            BeneficiaryRef::AncvId(id) => storage::tables(uow).find_beneficiary(id).await?,
            BeneficiaryRef::Email(email) => {
                storage::tables(uow)
                    .find_beneficiary_by_email(email)
                    .await?
            }
        };
        Ok(found)
    }

    pub(crate) fn behaviour_of(
        beneficiary: &SandboxBeneficiary,
    ) -> Result<Behaviour, SandboxError> {
        Behaviour::parse(&beneficiary.behaviour).ok_or_else(|| {
            SandboxError::Internal(format!(
                "beneficiary {} has behaviour {:?}",
                beneficiary.beneficiary_id, beneficiary.behaviour
            ))
        })
    }
}

pub(crate) fn beneficiary_not_found() -> SandboxError {
    SandboxError::refused(
        ErrorCode::BeneficiaryNotFound,
        "no beneficiary has this identifier",
    )
}
