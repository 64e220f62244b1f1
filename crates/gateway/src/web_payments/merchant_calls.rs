//! What the merchant asks of web payments over the API: `doWebPayment` and
//! `getWebPaymentDetails`.

use super::model::{Snapshot, WebPaymentError, page_path, short};
use super::service::WebPayments;
use super::session_jobs::EXPIRY_JOB;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::merchant::MerchantId;
use domain::web_payment::{Session, WebPayment, WebPaymentRequest, validate};
use store::StoreError;

impl WebPayments {
    /// `doWebPayment`: validates, stores the session, returns the token and the page's URL.
    pub async fn create(
        &self,
        merchant_id: &MerchantId,
        request: &WebPaymentRequest,
    ) -> Result<(String, String), WebPaymentError> {
        let inner = &self.inner;
        let setup = inner
            .configuration
            .merchant(&inner.store, merchant_id)
            .await?;
        let valid = validate(request, &setup.contracts).map_err(WebPaymentError::Refused)?;
        let payment_contract = setup
            .contracts
            .iter()
            .find(|c| c.number == valid.payment_contract)
            .ok_or_else(|| StoreError::corrupt("contracts", "the validated contract vanished"))?;
        let pos = setup
            .point_of_sale(payment_contract.pos_id)
            .ok_or_else(|| {
                StoreError::corrupt("points_of_sale", "a contract's point of sale is missing")
            })?;
        let now = inner.clock.now();
        let expires_at = now.plus_millis(pos.session_lifetime.as_minutes() * 60_000);
        let mut bytes = [0u8; 24];
        inner.random.fill(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let payment = WebPayment {
            token: token.clone(),
            merchant_id: merchant_id.clone(),
            pos_id: pos.id,
            session: Session::new(valid.amount, expires_at),
            page_secret: inner.random.hex(16),
            request: valid,
            opened_at: None,
            finalized_at: None,
            merchant_read_at: None,
            created_at: now,
            updated_at: now,
            version: 0,
        };
        let amount = payment.request.amount;
        inner
            .store
            .group_commit()
            .run(move |uow| {
                Box::pin(async move {
                    uow.web_payments().insert(&payment).await?;
                    uow.jobs()
                        .enqueue(EXPIRY_JOB, &payment.token, expires_at, now)
                        .await?;
                    Ok::<_, StoreError>(())
                })
            })
            .await?;
        tracing::info!(token = %short(&token), merchant = %merchant_id, amount, "web payment created");
        let redirect_url = format!("{}{}", inner.public_base, page_path(&token));
        Ok((token, redirect_url))
    }

    /// `getWebPaymentDetails`: the session as the merchant sees it. Reading a final result stops
    /// the merchant notifications. The common read writes nothing: only the first read of a
    /// final result (recorded) and a session due to expire (expired now) go through a write.
    pub async fn details(
        &self,
        merchant_id: &MerchantId,
        token: &str,
    ) -> Result<Snapshot, WebPaymentError> {
        let inner = &self.inner;
        let stored = inner
            .store
            .quick_read()
            .await?
            .web_payments()
            .find(token)
            .await?;
        let payment = stored
            .filter(|payment| &payment.merchant_id == merchant_id)
            .ok_or(WebPaymentError::UnknownToken)?;
        let is_final = payment.session.state.is_final();
        let first_read_of_the_result = is_final && payment.merchant_read_at.is_none();
        let due_to_expire = !is_final && inner.clock.now() >= payment.session.expires_at;
        if !first_read_of_the_result && !due_to_expire {
            let setup = inner
                .configuration
                .merchant(&inner.store, merchant_id)
                .await?;
            return inner.snapshot_with(payment, &setup).await;
        }
        inner
            .modify(token, |payment, now| {
                if &payment.merchant_id != merchant_id {
                    return Err(WebPaymentError::UnknownToken);
                }
                if payment.session.state.is_final() && payment.merchant_read_at.is_none() {
                    payment.merchant_read_at = Some(now);
                }
                Ok(vec![])
            })
            .await
    }
}
