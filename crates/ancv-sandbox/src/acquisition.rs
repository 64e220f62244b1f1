//! The four operations of ANCV's acquisition API (spec §1, §3) on typed requests: create, attach
//! a payer, read the status, cancel. The HTTP layer ([`crate::api`]) checks the seal and reads
//! the bodies; here are the rules and the moves. Every refusal is decided before anything is
//! written, and a refused call writes nothing.

use crate::accounts::beneficiary_not_found;
use crate::error::SandboxError;
use crate::ids;
use crate::job_kinds::{AUTO_JOB, EXPIRY_JOB};
use crate::model::{self, Behaviour, Event, State};
use crate::record::{Txn, capture_mode_str};
use crate::rules::{self, BeneficiaryRef};
use crate::sandbox::Sandbox;
use crate::storage::{self, SandboxTransaction};
use ancv::ErrorCode;
use ancv::wire::{CancellationRequest, CaptureMode, CreateRequest, PayerRequest, Transaction};
use domain::clock::Timestamp;
use jobs::JobOutcome;
use store::StoreError;

/// Fresh ids collide once in a blue moon; a repeated paymentId races at most once.
const CREATE_TRIES: usize = 5;

impl Sandbox {
    /// `POST /payment-transactions/`: a new INITIALIZED transaction, or — same shop and
    /// paymentId as before — the one already created (idempotent, never a second one).
    pub async fn create_transaction(
        &self,
        request: &CreateRequest,
    ) -> Result<Transaction, SandboxError> {
        let capture_at = check_create(request)?;
        if request.merchant.service_provider_id != self.config().service_provider_id {
            return Err(SandboxError::refused(
                ErrorCode::MerchantNotAllowed,
                "merchant.serviceProviderId is not this service provider",
            ));
        }
        for _ in 0..CREATE_TRIES {
            let now = self.now();
            let mut uow = self.store().write().await?;
            let shop_id = &request.merchant.shop_id;
            if !storage::tables(&mut uow).shop_exists(shop_id).await? {
                return Err(SandboxError::refused(
                    ErrorCode::MerchantNotAllowed,
                    "merchant.shopId is not a known shop",
                ));
            }
            rules::check_currency(request.order.amount.currency)?;
            rules::check_order_amount(request.order.amount.total)?;
            let existing = storage::tables(&mut uow)
                .find_transaction_by_payment(shop_id, &request.order.payment_id)
                .await?;
            if let Some(existing) = existing {
                let txn = self.load_current(&mut uow, &existing.id, now).await?;
                self.commit(uow).await?;
                let txn = txn.ok_or_else(SandboxError::not_found)?;
                tracing::info!(transaction = %txn.id(), "ANCV sandbox create repeated: same transaction");
                return Ok(txn.to_wire());
            }
            let row = new_row(self, request, capture_at, now);
            match storage::tables(&mut uow).insert_transaction(&row).await {
                Ok(()) => {}
                // The id was taken, or the same paymentId was created meanwhile: look again.
                Err(StoreError::Conflict { .. }) => continue,
                Err(error) => return Err(error.into()),
            }
            storage::tables(&mut uow)
                .insert_event(&row.id, State::Initialized.as_str(), now)
                .await?;
            uow.jobs()
                .enqueue(EXPIRY_JOB, &row.id, row.expires_at, now)
                .await?;
            self.commit(uow).await?;
            tracing::info!(transaction = %row.id, "ANCV sandbox transaction created");
            return Ok(Txn::from_row(row)?.to_wire());
        }
        Err(SandboxError::Internal(format!(
            "no free transaction id after {CREATE_TRIES} tries"
        )))
    }

    /// `POST /payment-transactions/{id}/payer/`: sends the request to the beneficiary's app
    /// (PROCESSING), or REJECTED at once for a blocked account.
    pub async fn attach_payer(
        &self,
        id: &str,
        request: &PayerRequest,
    ) -> Result<Transaction, SandboxError> {
        parse_instant("requestDate", &request.request_date)?;
        let beneficiary_ref =
            BeneficiaryRef::parse("payer.beneficiaryId", &request.payer.beneficiary_id)?;
        let now = self.now();
        let mut uow = self.store().write().await?;
        let mut txn = self
            .load_current(&mut uow, id, now)
            .await?
            .ok_or_else(SandboxError::not_found)?;
        model::next_states(txn.state, Event::AttachPayer)?;
        rules::check_currency(request.payer.amount.currency)?;
        rules::check_payer_amount(txn.row.amount, request.payer.amount.total)?;
        let beneficiary = self
            .find_beneficiary(&mut uow, &beneficiary_ref)
            .await?
            .ok_or_else(beneficiary_not_found)?;
        let behaviour = Self::behaviour_of(&beneficiary)?;
        txn.row.payer_ref = Some(request.payer.beneficiary_id.trim().to_owned());
        txn.row.beneficiary_id = Some(beneficiary.beneficiary_id.clone());
        txn.row.payer_amount = Some(request.payer.amount.total);
        match behaviour {
            Behaviour::Blocked => self.apply(&mut uow, &mut txn, Event::Reject, now).await?,
            Behaviour::Manual
            | Behaviour::AutoFull
            | Behaviour::AutoPartial
            | Behaviour::AutoDecline
            | Behaviour::AutoExpire => {
                self.ensure_nothing_pending(&mut uow, &beneficiary.beneficiary_id, now)
                    .await?;
                self.apply(&mut uow, &mut txn, Event::AttachPayer, now)
                    .await?;
                if behaviour.answers_automatically() {
                    let at = now.plus_millis(self.config().auto_delay_ms);
                    uow.jobs().enqueue(AUTO_JOB, txn.id(), at, now).await?;
                }
            }
        }
        self.commit(uow).await?;
        Ok(txn.to_wire())
    }

    /// `GET /payment-transactions/{id}/`.
    pub async fn transaction_status(&self, id: &str) -> Result<Transaction, SandboxError> {
        let now = self.now();
        let mut uow = self.store().write().await?;
        let txn = self.load_current(&mut uow, id, now).await?;
        self.commit(uow).await?;
        Ok(txn.ok_or_else(SandboxError::not_found)?.to_wire())
    }

    /// `POST /payment-transactions/{id}/cancellation/`: a full refund, once; the validated amount
    /// goes back to the beneficiary's balance.
    pub async fn cancel_transaction(
        &self,
        id: &str,
        request: &CancellationRequest,
    ) -> Result<Transaction, SandboxError> {
        if request.reason.trim().is_empty() {
            return Err(SandboxError::invalid("reason", "is missing"));
        }
        parse_instant("requestDate", &request.request_date)?;
        let txn = self
            .end_giving_vouchers_back(id, Event::Cancel, Some(&request.reason))
            .await?;
        Ok(txn.to_wire())
    }

    /// Ends a transaction whose vouchers were validated (a cancellation, a rejection after
    /// authorization), in one unit of work: the move, recorded and notified, and the validated
    /// amount back to the beneficiary's balance. When the state does not accept `event`, nothing
    /// changes — so the vouchers come back once at most.
    pub(crate) async fn end_giving_vouchers_back(
        &self,
        id: &str,
        event: Event,
        cancel_reason: Option<&str>,
    ) -> Result<Txn, SandboxError> {
        let now = self.now();
        let mut uow = self.store().write().await?;
        let mut txn = self
            .load_current(&mut uow, id, now)
            .await?
            .ok_or_else(SandboxError::not_found)?;
        if let Some(reason) = cancel_reason {
            txn.row.cancel_reason = Some(reason.to_owned());
        }
        self.apply(&mut uow, &mut txn, event, now).await?;
        if let (Some(beneficiary_id), Some(amount)) =
            (txn.row.beneficiary_id.clone(), txn.row.validated_amount)
        {
            let credited = storage::tables(&mut uow)
                .credit_balance(&beneficiary_id, amount, now)
                .await?;
            if !credited {
                return Err(SandboxError::Internal(format!(
                    "transaction {id}: its beneficiary is gone"
                )));
            }
        }
        self.commit(uow).await?;
        Ok(txn)
    }

    /// Applies what time did to the transaction (the expiry and capture jobs).
    pub(crate) async fn catch_up(&self, id: &str) -> Result<JobOutcome, SandboxError> {
        let now = self.now();
        let mut uow = self.store().write().await?;
        self.load_current(&mut uow, id, now).await?;
        self.commit(uow).await?;
        Ok(JobOutcome::Done)
    }

    /// OTHER_TRANSACTION_PENDING while another request of the beneficiary is PROCESSING (one whose
    /// window has elapsed is expired on the way).
    async fn ensure_nothing_pending(
        &self,
        uow: &mut store::UnitOfWork,
        beneficiary_id: &str,
        now: Timestamp,
    ) -> Result<(), SandboxError> {
        let pending = storage::tables(uow)
            .transaction_ids_of_beneficiary(beneficiary_id, State::Processing.as_str())
            .await?;
        for other in pending {
            if let Some(other) = self.load_current(uow, &other, now).await?
                && other.state == State::Processing
            {
                return Err(SandboxError::refused(
                    ErrorCode::OtherTransactionPending,
                    "the beneficiary already has a request waiting in the app",
                ));
            }
        }
        Ok(())
    }
}

/// The checks that need nothing stored (BAD_REQUEST naming the field); the deferred capture
/// date when there is one.
fn check_create(request: &CreateRequest) -> Result<Option<Timestamp>, SandboxError> {
    let text = |field: &str, value: &str, max: usize| {
        let length = value.trim().chars().count();
        if length == 0 || length > max {
            Err(SandboxError::invalid(
                field,
                format!("must be 1 to {max} characters"),
            ))
        } else {
            Ok(())
        }
    };
    text("merchant.shopId", &request.merchant.shop_id, 64)?;
    text(
        "merchant.serviceProviderId",
        &request.merchant.service_provider_id,
        64,
    )?;
    text("order.id", &request.order.id, 20)?;
    text("order.paymentId", &request.order.payment_id, 64)?;
    if let Some(label) = &request.order.label {
        text("order.label", label, 255)?;
    }
    if request.payment_method.tspd_mode != "001" {
        return Err(SandboxError::invalid(
            "paymentMethod.tspdMode",
            "must be \"001\"",
        ));
    }
    for (field, url) in [
        ("redirectUrls.returnUrl", &request.redirect_urls.return_url),
        ("redirectUrls.cancelUrl", &request.redirect_urls.cancel_url),
    ] {
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2048 {
            return Err(SandboxError::invalid(field, "must be an http(s) URL"));
        }
    }
    parse_instant("requestDate", &request.request_date)?;
    match request.payment_method.capture_mode {
        CaptureMode::Normal => Ok(None),
        CaptureMode::Deferred => {
            let date = request
                .payment_method
                .capture_date
                .as_deref()
                .ok_or_else(|| {
                    SandboxError::invalid(
                        "paymentMethod.captureDate",
                        "is required for a DEFERRED capture",
                    )
                })?;
            parse_instant("paymentMethod.captureDate", date).map(Some)
        }
    }
}

/// An ISO-8601 instant (`2026-11-27T10:15:30.123Z`, an offset, or a plain date at 00:00 UTC).
fn parse_instant(field: &str, value: &str) -> Result<Timestamp, SandboxError> {
    let value = value.trim();
    let parsed = if value.len() == 10 {
        Timestamp::parse_rfc3339(&format!("{value}T00:00:00Z"))
    } else {
        Timestamp::parse_rfc3339(value)
    };
    parsed.ok_or_else(|| {
        SandboxError::invalid(
            field,
            "must be an ISO-8601 instant, e.g. 2026-11-27T10:15:30.123Z",
        )
    })
}

fn new_row(
    sandbox: &Sandbox,
    request: &CreateRequest,
    capture_at: Option<Timestamp>,
    now: Timestamp,
) -> SandboxTransaction {
    SandboxTransaction {
        id: ids::transaction_id(sandbox.random()),
        shop_id: request.merchant.shop_id.clone(),
        service_provider_id: request.merchant.service_provider_id.clone(),
        order_id: request.order.id.clone(),
        payment_id: request.order.payment_id.clone(),
        label: request.order.label.clone(),
        amount: request.order.amount.total,
        currency: i64::from(request.order.amount.currency),
        tspd_mode: request.payment_method.tspd_mode.clone(),
        capture_mode: capture_mode_str(request.payment_method.capture_mode).to_owned(),
        capture_date: request.payment_method.capture_date.clone(),
        capture_at,
        return_url: request.redirect_urls.return_url.clone(),
        cancel_url: request.redirect_urls.cancel_url.clone(),
        state: State::Initialized.as_str().to_owned(),
        payer_ref: None,
        beneficiary_id: None,
        payer_amount: None,
        validated_amount: None,
        authorization_number: None,
        validated_at: None,
        cancel_reason: None,
        expires_at: now.plus_millis(sandbox.config().validation_window_ms),
        created_at: now,
        updated_at: now,
    }
}
