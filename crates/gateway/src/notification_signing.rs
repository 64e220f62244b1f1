//! Signed merchant notifications (a cvgate extension; Payline's are unsigned): a point of sale
//! given a secret has every WEBTRS/TRS call carry `Cvgate-Signature`
//! ([`domain::notification::signature`]). Rotating keeps the previous secret valid for an
//! overlap, so that the merchant can switch without refusing a call; unsigned by default.

use crate::merchant_config::{ConfigError, MerchantConfig};
use domain::FieldError;
use domain::merchant::MerchantId;
use domain::point_of_sale::PosId;
use store::{Store, StoreError};

/// How long a replaced secret still signs, unless told otherwise: a day.
pub const DEFAULT_OVERLAP_MS: i64 = 24 * 3_600_000;

impl MerchantConfig {
    /// A new secret for the merchant's point of sale `pos_id` (returned in clear, to give the
    /// merchant); the one it replaces keeps signing for `overlap_ms` more.
    pub async fn rotate_notification_secret(
        &self,
        merchant_id: &str,
        pos_id: PosId,
        overlap_ms: i64,
    ) -> Result<String, ConfigError> {
        if !(0..=30 * 24 * 3_600_000).contains(&overlap_ms) {
            return Err(FieldError::new("overlap_hours", "must be from 0 to 720").into());
        }
        let pos_id = self.own_point_of_sale(merchant_id, pos_id).await?;
        let secret = format!("cvsec_{}", self.random().hex(32));
        let now = self.now();
        let mut uow = self.store().write().await?;
        uow.notification_secrets()
            .rotate(pos_id, &secret, now, now.plus_millis(overlap_ms))
            .await?;
        uow.commit().await?;
        Ok(secret)
    }

    /// Stops signing the notifications of the merchant's point of sale `pos_id`.
    pub async fn stop_signing_notifications(
        &self,
        merchant_id: &str,
        pos_id: PosId,
    ) -> Result<(), ConfigError> {
        let pos_id = self.own_point_of_sale(merchant_id, pos_id).await?;
        let mut uow = self.store().write().await?;
        uow.notification_secrets().remove_all(pos_id).await?;
        uow.commit().await?;
        Ok(())
    }

    async fn own_point_of_sale(
        &self,
        merchant_id: &str,
        pos_id: PosId,
    ) -> Result<PosId, ConfigError> {
        let merchant_id = MerchantId::parse("merchant", merchant_id)?;
        let mut uow = self.store().read().await?;
        match uow.points_of_sale().find(pos_id).await? {
            Some(pos) if pos.merchant_id == merchant_id => Ok(pos.id),
            _ => Err(FieldError::new(
                "pos",
                format!("merchant {merchant_id} has no point of sale {pos_id}"),
            )
            .into()),
        }
    }
}

/// The secrets valid now for a point of sale's notifications (none: unsigned).
pub(crate) async fn signing_secrets(
    store: &Store,
    pos_id: PosId,
    now: domain::clock::Timestamp,
) -> Result<Vec<String>, StoreError> {
    let mut uow = store.read().await?;
    uow.notification_secrets().valid(pos_id, now).await
}
