//! Web payments: `doWebPayment`, the hosted page's steps, `getWebPaymentDetails`, and what
//! follows a session's end (giving back what partners hold for nothing, notifying the merchant).
//!
//! Every change to a session is a read – apply the pure state machine – conditional write
//! (`version`), and the work it calls for is queued as job rows in the same unit of work (an
//! outbox): an effect is never lost, and never done while a database transaction is open.
//!
//! - A payment step records its partner call (the ANCV request, the card attempt) and moves the
//!   session in one unit of work, then makes the call; the answer reaches the session through
//!   [`follow`], the one path every outcome takes (page, ACS return, jobs, notifications).
//! - What a partner holds that no session counts on is given back by the jobs of [`give_back`].
//! - Expiry and cancellation never wait for a card payment under way: the session ends at once
//!   and a late acceptance is given back (reset, or refunded after remittance).

mod follow;
mod give_back;
mod session_jobs;

pub use crate::notifications::{NOTIFY_JOB, NotificationPolicy};
pub use give_back::{ANCV_GIVE_BACK_JOB, CARD_GIVE_BACK_JOB};
pub use session_jobs::EXPIRY_JOB;

use crate::ancv_payments::{AncvPaymentObserver, AncvPayments, StartPayment};
use crate::card_payments::{
    CardPaymentError, CardPaymentObserver, CardPayments, CardTransaction, PayRequest,
};
use crate::notifications::{MerchantNotifier, TRS_JOB};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::FieldError;
use domain::ancv_payment::AncvPayment;
use domain::card::CardInput;
use domain::clock::{Clock, Timestamp};
use domain::contract::{CardCode, Contract};
use domain::merchant::MerchantId;
use domain::random::SharedRandom;
use domain::web_payment::request::{ANCV_MINIMUM_AMOUNT, Action, Refusal, is_email};
use domain::web_payment::session::Effect;
use domain::web_payment::{
    Session, SessionEvent, SessionState, WebPayment, WebPaymentRequest, validate,
};
use jobs::JobHandler;
use std::sync::{Arc, OnceLock};
use store::{Store, StoreError, UnitOfWork};
use tokio::sync::Notify;

/// Where the hosted page of a token lives, under the public base URL.
pub fn page_path(token: &str) -> String {
    format!("/webpayment/{token}")
}

/// How many times a session write is tried again when a concurrent writer was first.
const WRITE_ATTEMPTS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum WebPaymentError {
    /// `doWebPayment` refused: the code and the field.
    #[error("{}: {}", .0.code, .0.error)]
    Refused(Refusal),
    /// Unknown token, or another merchant's (02304).
    #[error("unknown token")]
    UnknownToken,
    /// The buyer asked for something the page does not offer now.
    #[error("{0}")]
    NotNow(String),
    /// Bad input on the page (shown on the form).
    #[error("{0}")]
    Invalid(FieldError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A session with what belongs to it, as the page and the API show it.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub payment: WebPayment,
    /// The offered contracts, in order.
    pub contracts: Vec<Contract>,
    pub ancv: Option<AncvPayment>,
    /// The card transaction that paid, or is under way.
    pub card: Option<CardTransaction>,
}

impl Snapshot {
    pub fn ancv_contract(&self) -> Option<&Contract> {
        self.contracts
            .iter()
            .find(|c| c.card_code == CardCode::AncvConnect)
    }

    /// Card contracts offered on the page, in order.
    pub fn card_contracts(&self) -> Vec<&Contract> {
        self.contracts
            .iter()
            .filter(|c| c.card_code.is_card())
            .collect()
    }

    /// Whether the buyer can ask for an ANCV payment now.
    pub fn ancv_offered(&self) -> bool {
        self.ancv_contract().is_some() && self.payment.request.amount >= ANCV_MINIMUM_AMOUNT
    }

    /// The card contracts that may take the rest after a partial ANCV validation: those listed in
    /// `selectedContractList` (the offered card contracts); else those of the ANCV contract.
    pub fn complementary_contracts(&self) -> Vec<&Contract> {
        self.card_contracts()
    }
}

#[derive(Clone)]
pub struct WebPayments {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    random: SharedRandom,
    ancv: AncvPayments,
    card: CardPayments,
    public_base: String,
    notifier: MerchantNotifier,
    wake_worker: OnceLock<Arc<Notify>>,
}

impl WebPayments {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        ancv: AncvPayments,
        card: CardPayments,
        public_base: String,
        notifications: NotificationPolicy,
    ) -> WebPayments {
        let inner = Arc::new(Inner {
            store,
            clock,
            random,
            ancv,
            card,
            public_base: public_base.trim_end_matches('/').to_owned(),
            notifier: MerchantNotifier::new(notifications),
            wake_worker: OnceLock::new(),
        });
        let ancv_observer: std::sync::Weak<dyn AncvPaymentObserver> = Arc::downgrade(&inner) as _;
        inner.ancv.set_observer(ancv_observer);
        let card_observer: std::sync::Weak<dyn CardPaymentObserver> = Arc::downgrade(&inner) as _;
        inner.card.set_observer(card_observer);
        WebPayments { inner }
    }

    pub fn with_worker_wake(self, wake: Arc<Notify>) -> WebPayments {
        let _ = self.inner.wake_worker.set(wake);
        self
    }

    pub fn ancv(&self) -> &AncvPayments {
        &self.inner.ancv
    }

    pub fn card(&self) -> &CardPayments {
        &self.inner.card
    }

    /// The injected clock's time (pages show time left).
    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    pub fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        session_jobs::handlers(&self.inner)
    }

    /// `doWebPayment`: validates, stores the session, returns the token and the page's URL.
    pub async fn create(
        &self,
        merchant_id: &MerchantId,
        request: &WebPaymentRequest,
    ) -> Result<(String, String), WebPaymentError> {
        let inner = &self.inner;
        let mut uow = inner.store.write().await?;
        let contracts = uow.contracts().list_for(merchant_id).await?;
        let valid = validate(request, &contracts).map_err(WebPaymentError::Refused)?;
        let payment_contract = contracts
            .iter()
            .find(|c| c.number == valid.payment_contract)
            .ok_or_else(|| StoreError::corrupt("contracts", "the validated contract vanished"))?;
        let pos = uow
            .points_of_sale()
            .find(payment_contract.pos_id)
            .await?
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
        uow.web_payments().insert(&payment).await?;
        uow.jobs()
            .enqueue(EXPIRY_JOB, &token, expires_at, now)
            .await?;
        uow.commit().await?;
        tracing::info!(token = %short(&token), merchant = %merchant_id, amount = payment.request.amount, "web payment created");
        let redirect_url = format!("{}{}", inner.public_base, page_path(&token));
        Ok((token, redirect_url))
    }

    /// `getWebPaymentDetails`: the session as the merchant sees it. Reading a final result stops
    /// the merchant notifications.
    pub async fn details(
        &self,
        merchant_id: &MerchantId,
        token: &str,
    ) -> Result<Snapshot, WebPaymentError> {
        self.inner
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

    /// The buyer opens (or reloads) the page.
    pub async fn open(&self, token: &str) -> Result<Snapshot, WebPaymentError> {
        self.inner
            .modify(token, |payment, now| {
                if payment.opened_at.is_none() && !payment.session.state.is_final() {
                    payment.opened_at = Some(now);
                }
                Ok(payment
                    .session
                    .apply(SessionEvent::PageOpened)
                    .unwrap_or_default())
            })
            .await
    }

    /// The page polls while a partner is at work: asks the acquirer about a card payment under
    /// way and ANCV about a request in the app at once, rather than waiting for the jobs.
    pub async fn refresh(&self, token: &str) -> Result<Snapshot, WebPaymentError> {
        let snapshot = self.open(token).await?;
        if let Some(card) = snapshot.card.as_ref().filter(|c| c.state.is_open())
            && let Err(error) = self.inner.card.reconcile(&card.id).await
        {
            tracing::warn!(%error, "reading the acquirer for the page failed; the job will catch up");
        }
        if snapshot.payment.session.state == SessionState::AncvWaiting
            && let Some(payment_id) = &snapshot.payment.session.ancv_payment_id
            && let Err(error) = self.inner.ancv.refresh(payment_id, "page").await
        {
            tracing::warn!(%error, "reading ANCV for the page failed; the poll will catch up");
        }
        self.open(token).await
    }

    /// The buyer gave an ANCV identifier: the request is recorded with the session's move, then
    /// sent to the Chèque-Vacances app.
    pub async fn start_ancv(
        &self,
        token: &str,
        beneficiary: &str,
    ) -> Result<Snapshot, WebPaymentError> {
        let beneficiary = beneficiary_id(beneficiary)?;
        let snapshot = self.open(token).await?;
        let Some(contract) = snapshot
            .ancv_contract()
            .filter(|_| snapshot.ancv_offered())
            .cloned()
        else {
            return Err(WebPaymentError::NotNow(
                "Chèque-Vacances Connect is not offered for this payment".into(),
            ));
        };
        let request = &snapshot.payment.request;
        let start = StartPayment {
            merchant_id: snapshot.payment.merchant_id.clone(),
            contract,
            order_ref: request.order_ref.clone(),
            label: Some(
                request
                    .merchant_name
                    .clone()
                    .unwrap_or_else(|| request.order_ref.clone()),
            ),
            amount: request.amount,
            beneficiary_id: beneficiary,
            web_payment_token: Some(token.to_owned()),
        };
        let payment_id = self.inner.record_ancv_request(token, &start).await?;
        // ANCV's answer reaches the session through `follow`, whatever it is.
        if let Err(error) = self.inner.ancv.submit(&payment_id).await {
            tracing::info!(%error, "ANCV did not take the request");
        }
        self.open(token).await
    }

    /// The buyer pays by card: the whole amount, or what the vouchers left (with one of the
    /// complementary contracts). The attempt is recorded with the session's move, then
    /// authorized; a 3-D Secure challenge comes back through [`Self::complete_three_ds`].
    pub async fn pay_card(
        &self,
        token: &str,
        contract_number: &str,
        card: CardInput,
    ) -> Result<Snapshot, WebPaymentError> {
        let snapshot = self.open(token).await?;
        let session = &snapshot.payment.session;
        if !may_pay_by_card(session.state) {
            return Err(WebPaymentError::NotNow(
                "a card payment is not possible now".into(),
            ));
        }
        let Some(contract) = snapshot
            .complementary_contracts()
            .into_iter()
            .find(|c| c.number.as_str() == contract_number)
            .cloned()
        else {
            return Err(WebPaymentError::Invalid(FieldError::new(
                "contract",
                "is not offered for this payment",
            )));
        };
        let request = &snapshot.payment.request;
        let prepared = self
            .inner
            .card
            .prepare(PayRequest {
                merchant_id: snapshot.payment.merchant_id.clone(),
                contract,
                order_ref: request.order_ref.clone(),
                amount: session.card_amount(),
                currency: request.currency,
                action: match request.action {
                    Action::Authorization => card::Action::Authorization,
                    Action::AuthorizationAndCapture => card::Action::AuthorizationAndCapture,
                },
                attempt_group: Some(token.to_owned()),
                three_ds_return_url: Some(format!(
                    "{}{}/3ds",
                    self.inner.public_base,
                    page_path(token)
                )),
                card,
            })
            .map_err(card_error)?;
        let recorded = self.inner.record_card_attempt(token, &prepared).await?;
        self.inner
            .card
            .authorize(recorded, prepared)
            .await
            .map_err(card_error)?;
        self.open(token).await
    }

    /// The buyer is back from the 3-D Secure challenge.
    pub async fn complete_three_ds(
        &self,
        token: &str,
        challenge_ref: &str,
    ) -> Result<Snapshot, WebPaymentError> {
        match self.inner.card.complete_three_ds(challenge_ref).await {
            Ok(card) if card.attempt_group.as_deref() == Some(token) => self.open(token).await,
            Ok(_) | Err(CardPaymentError::UnknownChallenge) => Err(WebPaymentError::NotNow(
                "unknown 3-D Secure challenge".into(),
            )),
            Err(error) => Err(card_error(error)),
        }
    }

    /// The buyer cancels: any ANCV part is given back (and a card payment under way, if it is
    /// accepted after all).
    pub async fn cancel(&self, token: &str) -> Result<Snapshot, WebPaymentError> {
        self.inner
            .modify(token, |payment, _| {
                payment
                    .session
                    .apply(SessionEvent::BuyerCancelled)
                    .map_err(|e| WebPaymentError::NotNow(e.to_string()))
            })
            .await
    }

    pub async fn snapshot(&self, token: &str) -> Result<Snapshot, WebPaymentError> {
        self.inner.modify(token, |_, _| Ok(vec![])).await
    }
}

fn may_pay_by_card(state: SessionState) -> bool {
    matches!(state, SessionState::OnPage | SessionState::AncvPartial)
}

/// An e-mail (lowercased) or an 11-digit ANCV identifier.
fn beneficiary_id(typed: &str) -> Result<String, WebPaymentError> {
    let typed = typed.trim();
    let is_ancv_id = typed.len() == 11 && typed.bytes().all(|b| b.is_ascii_digit());
    if is_ancv_id {
        Ok(typed.to_owned())
    } else if is_email(typed) {
        Ok(typed.to_ascii_lowercase())
    } else {
        Err(WebPaymentError::Invalid(FieldError::new(
            "beneficiary",
            "must be the e-mail address or the 11-digit ANCV identifier of your Chèque-Vacances account",
        )))
    }
}

/// A card service error as the page shows it.
fn card_error(error: CardPaymentError) -> WebPaymentError {
    match error {
        CardPaymentError::Invalid(error) => WebPaymentError::Invalid(error),
        CardPaymentError::Store(error) => WebPaymentError::Store(error),
        other => WebPaymentError::NotNow(other.to_string()),
    }
}

impl Inner {
    /// Read, change, write if unchanged meanwhile; queue the effects in the same unit of work.
    async fn modify(
        &self,
        token: &str,
        mut change: impl FnMut(&mut WebPayment, Timestamp) -> Result<Vec<Effect>, WebPaymentError>,
    ) -> Result<Snapshot, WebPaymentError> {
        for _ in 0..WRITE_ATTEMPTS {
            let mut uow = self.store.write().await?;
            let Some(stored) = uow.web_payments().find(token).await? else {
                return Err(WebPaymentError::UnknownToken);
            };
            let now = self.clock.now();
            let mut payment = stored.clone();
            let mut effects = payment.session.expire_if_due(now);
            effects.extend(change(&mut payment, now)?);
            if !self
                .save(&mut uow, &stored, &mut payment, &effects, now)
                .await?
            {
                continue;
            }
            uow.commit().await?;
            if !effects.is_empty() {
                self.wake();
            }
            return self.snapshot_of(payment).await;
        }
        Err(too_busy(token).into())
    }

    /// Records the ANCV request and moves the session to "waiting for the app", together.
    /// Returns the ANCV payment id.
    async fn record_ancv_request(
        &self,
        token: &str,
        start: &StartPayment,
    ) -> Result<String, WebPaymentError> {
        for _ in 0..WRITE_ATTEMPTS {
            let mut uow = self.store.write().await?;
            let (stored, payment, now) = self.load(&mut uow, token).await?;
            if payment.session.state != SessionState::OnPage {
                return Err(WebPaymentError::NotNow(
                    "a payment is already under way".into(),
                ));
            }
            let ancv = self
                .ancv
                .record_request(&mut uow, start.clone())
                .await
                .map_err(|error| WebPaymentError::NotNow(error.to_string()))?;
            let event = SessionEvent::AncvRequested {
                payment_id: ancv.payment_id.clone(),
            };
            if self.commit_move(uow, &stored, payment, event, now).await? {
                return Ok(ancv.payment_id);
            }
        }
        Err(too_busy(token).into())
    }

    /// Records the card attempt and moves the session to "card payment under way", together.
    async fn record_card_attempt(
        &self,
        token: &str,
        prepared: &crate::card_payments::PreparedPayment,
    ) -> Result<CardTransaction, WebPaymentError> {
        for _ in 0..WRITE_ATTEMPTS {
            let mut uow = self.store.write().await?;
            let (stored, payment, now) = self.load(&mut uow, token).await?;
            let session = &payment.session;
            if !may_pay_by_card(session.state)
                || session.card_amount() != prepared.transaction().amount
            {
                return Err(WebPaymentError::NotNow(
                    "a card payment is not possible now".into(),
                ));
            }
            let tx = self
                .card
                .record_attempt(&mut uow, prepared)
                .await
                .map_err(card_error)?;
            let event = SessionEvent::CardRequested {
                transaction_id: tx.id.clone(),
            };
            if self.commit_move(uow, &stored, payment, event, now).await? {
                return Ok(tx);
            }
        }
        Err(too_busy(token).into())
    }

    /// The session as stored, and a copy brought up to `now` (expired if due, unsaved).
    async fn load(
        &self,
        uow: &mut UnitOfWork,
        token: &str,
    ) -> Result<(WebPayment, WebPayment, Timestamp), WebPaymentError> {
        let Some(stored) = uow.web_payments().find(token).await? else {
            return Err(WebPaymentError::UnknownToken);
        };
        let now = self.clock.now();
        let mut payment = stored.clone();
        payment.session.expire_if_due(now);
        Ok((stored, payment, now))
    }

    /// Applies `event` to the session (brought up to `now`; what the event depends on is
    /// recorded in `uow` already) and commits it all with the jobs its effects call for.
    /// `Ok(false)`: a concurrent writer changed the session first (rolled back: try again).
    async fn commit_move(
        &self,
        mut uow: UnitOfWork,
        stored: &WebPayment,
        mut payment: WebPayment,
        event: SessionEvent,
        now: Timestamp,
    ) -> Result<bool, WebPaymentError> {
        // (Callers refuse a session that expired on the way in: its expiry is the expiry
        // job's to record.)
        let effects = payment
            .session
            .apply(event)
            .map_err(|e| WebPaymentError::NotNow(e.to_string()))?;
        if !self
            .save(&mut uow, stored, &mut payment, &effects, now)
            .await?
        {
            return Ok(false);
        }
        uow.commit().await?;
        self.wake();
        Ok(true)
    }

    /// Writes `payment` if it differs from `stored` (only if nobody changed it since), and the
    /// jobs its effects call for, in `uow`. False when a concurrent writer was first.
    async fn save(
        &self,
        uow: &mut UnitOfWork,
        stored: &WebPayment,
        payment: &mut WebPayment,
        effects: &[Effect],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        if payment != stored {
            payment.updated_at = now;
            if payment.session.state.is_final() && payment.finalized_at.is_none() {
                payment.finalized_at = Some(now);
                tracing::info!(token = %short(&payment.token), state = payment.session.state.as_str(), code = payment.session.return_code().code(), "web payment ended");
            }
            if !uow.web_payments().save_progress(payment).await? {
                return Ok(false);
            }
            payment.version += 1;
        }
        self.queue_effects(uow, payment, effects, now).await?;
        Ok(true)
    }

    async fn queue_effects(
        &self,
        uow: &mut UnitOfWork,
        payment: &WebPayment,
        effects: &[Effect],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let notifies = payment.request.notification_url.is_some();
        for effect in effects {
            match effect {
                Effect::CancelAncv { payment_id } => {
                    uow.jobs()
                        .enqueue(ANCV_GIVE_BACK_JOB, payment_id, now, now)
                        .await?
                }
                Effect::NotifyMerchant if notifies => {
                    uow.jobs()
                        .enqueue(NOTIFY_JOB, &payment.token, now, now)
                        .await?
                }
                Effect::NotifyTransactionChanged { transaction_id } if notifies => {
                    uow.jobs()
                        .enqueue(TRS_JOB, transaction_id, now, now)
                        .await?
                }
                Effect::NotifyMerchant | Effect::NotifyTransactionChanged { .. } => {}
            }
        }
        Ok(())
    }

    async fn snapshot_of(&self, payment: WebPayment) -> Result<Snapshot, WebPaymentError> {
        let mut uow = self.store.read().await?;
        let all = uow.contracts().list_for(&payment.merchant_id).await?;
        let contracts = payment
            .request
            .offered
            .iter()
            .filter_map(|number| all.iter().find(|c| &c.number == number).cloned())
            .collect();
        let ancv = match &payment.session.ancv_payment_id {
            Some(id) => uow.ancv_payments().find(id).await?,
            None => None,
        };
        drop(uow);
        let card = match &payment.session.card_transaction_id {
            Some(id) => self.card.find(id).await?,
            None => None,
        };
        Ok(Snapshot {
            payment,
            contracts,
            ancv,
            card,
        })
    }

    fn wake(&self) {
        if let Some(wake) = self.wake_worker.get() {
            wake.notify_one();
        }
    }
}

fn too_busy(token: &str) -> StoreError {
    StoreError::corrupt(
        "web_payments",
        format!("session {} keeps changing under its writers", short(token)),
    )
}

/// Tokens are bearer secrets for the page: logs show only their start.
fn short(token: &str) -> String {
    format!("{}…", token.chars().take(6).collect::<String>())
}
