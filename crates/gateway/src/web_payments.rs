//! Web payments: `doWebPayment`, the hosted page's steps, `getWebPaymentDetails`, and what
//! follows a session's end (giving ANCV vouchers back, notifying the merchant).
//!
//! Every change to a session is a read – apply the pure state machine – conditional write
//! (`version`), and the work it calls for is queued as job rows in the same unit of work (an
//! outbox): an effect is never lost, and never done while a database transaction is open.

use crate::ancv_payments::{AncvPaymentObserver, AncvPayments, StartPayment, refusal_code};
use crate::card_payments::{
    CardPaymentError, CardPayments, CardTransaction, PayRequest, PaymentState,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::FieldError;
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
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
use jobs::{JobFuture, JobHandler, JobOutcome, Lane};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use store::{Store, StoreError, UnitOfWork};
use tokio::sync::Notify;

pub const EXPIRY_JOB: &str = "web_payment_expiry";
pub const NOTIFY_JOB: &str = "merchant_notification";
pub const ANCV_GIVE_BACK_JOB: &str = "ancv_give_back";

/// Where the hosted page of a token lives, under the public base URL.
pub fn page_path(token: &str) -> String {
    format!("/webpayment/{token}")
}

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

/// Merchant notification timing (payline-v4.md §4: every minute for 2 hours).
#[derive(Debug, Clone, Copy)]
pub struct NotificationPolicy {
    pub retry_every_ms: i64,
    pub give_up_after_ms: i64,
    /// Whether notification URLs may point at loopback or private networks (homologation:
    /// shops on localhost; production: never, see [`crate::merchant_http`]).
    pub allow_private_addresses: bool,
}

impl Default for NotificationPolicy {
    fn default() -> Self {
        NotificationPolicy {
            retry_every_ms: 60_000,
            give_up_after_ms: 2 * 3_600_000,
            allow_private_addresses: true,
        }
    }
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
    notifications: NotificationPolicy,
    http: reqwest::Client,
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
        let http = crate::merchant_http::client(notifications.allow_private_addresses);
        let inner = Arc::new(Inner {
            store,
            clock,
            random,
            ancv,
            card,
            public_base: public_base.trim_end_matches('/').to_owned(),
            notifications,
            http,
            wake_worker: OnceLock::new(),
        });
        let observer: std::sync::Weak<dyn AncvPaymentObserver> = Arc::downgrade(&inner) as _;
        inner.ancv.set_observer(observer);
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
        vec![
            Arc::new(ExpiryJob(Arc::clone(&self.inner))),
            Arc::new(NotifyJob(Arc::clone(&self.inner))),
            Arc::new(GiveBackJob(Arc::clone(&self.inner))),
        ]
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
        let snapshot = self
            .inner
            .modify(token, |payment, now| {
                if &payment.merchant_id != merchant_id {
                    return Err(WebPaymentError::UnknownToken);
                }
                if payment.session.state.is_final() && payment.merchant_read_at.is_none() {
                    payment.merchant_read_at = Some(now);
                }
                Ok(vec![])
            })
            .await?;
        Ok(snapshot)
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

    /// The page polls while the app is asked: also reads ANCV at once rather than waiting for
    /// the next poll or notification.
    pub async fn refresh(&self, token: &str) -> Result<Snapshot, WebPaymentError> {
        let snapshot = self.open(token).await?;
        if let Some(card) = snapshot
            .card
            .as_ref()
            .filter(|c| c.state == PaymentState::Pending)
        {
            let reconciled = self.inner.card.reconcile(&card.id).await;
            if let Ok(card) = reconciled {
                return self.card_outcome(token, &card).await;
            }
        }
        if snapshot.payment.session.state == SessionState::AncvWaiting
            && let Some(payment_id) = &snapshot.payment.session.ancv_payment_id
            && let Err(error) = self.inner.ancv.refresh(payment_id, "page").await
        {
            tracing::warn!(%error, "reading ANCV for the page failed; the poll will catch up");
        }
        self.open(token).await
    }

    /// The buyer gave an ANCV identifier: the request goes to the Chèque-Vacances app.
    pub async fn start_ancv(
        &self,
        token: &str,
        beneficiary: &str,
    ) -> Result<Snapshot, WebPaymentError> {
        let beneficiary = beneficiary.trim();
        let is_ancv_id = beneficiary.len() == 11 && beneficiary.bytes().all(|b| b.is_ascii_digit());
        if !is_ancv_id && !is_email(beneficiary) {
            return Err(WebPaymentError::Invalid(FieldError::new(
                "beneficiary",
                "must be the e-mail address or the 11-digit ANCV identifier of your Chèque-Vacances account",
            )));
        }
        let beneficiary = if is_ancv_id {
            beneficiary.to_owned()
        } else {
            beneficiary.to_ascii_lowercase()
        };
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
        if snapshot.payment.session.state != SessionState::OnPage {
            return Err(WebPaymentError::NotNow(
                "a payment is already under way".into(),
            ));
        }
        let request = &snapshot.payment.request;
        let ancv_payment = self
            .inner
            .ancv
            .request(StartPayment {
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
            })
            .await
            .map_err(|error| WebPaymentError::NotNow(error.to_string()))?;
        let payment_id = ancv_payment.payment_id.clone();
        self.inner
            .modify(token, |payment, _| {
                payment
                    .session
                    .apply(SessionEvent::AncvRequested {
                        payment_id: payment_id.clone(),
                    })
                    .map_err(|e| WebPaymentError::NotNow(e.to_string()))
            })
            .await?;
        // ANCV's answer reaches the session through the observer, whatever it is.
        if let Err(error) = self.inner.ancv.submit(&payment_id).await {
            tracing::info!(%error, "ANCV did not take the request");
        }
        self.open(token).await
    }

    /// The buyer pays by card: the whole amount, or what the vouchers left (with one of the
    /// complementary contracts). A 3-D Secure challenge comes back through
    /// [`Self::complete_three_ds`].
    pub async fn pay_card(
        &self,
        token: &str,
        contract_number: &str,
        card: CardInput,
    ) -> Result<Snapshot, WebPaymentError> {
        let snapshot = self.open(token).await?;
        let session = &snapshot.payment.session;
        if !matches!(
            session.state,
            SessionState::OnPage | SessionState::AncvPartial
        ) {
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
        let paid = self
            .inner
            .card
            .pay(PayRequest {
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
            .await;
        match paid {
            Ok(card) => self.card_outcome(token, &card).await,
            Err(CardPaymentError::Invalid(error)) => Err(WebPaymentError::Invalid(error)),
            Err(CardPaymentError::Store(error)) => Err(error.into()),
            Err(error) => Err(WebPaymentError::NotNow(error.to_string())),
        }
    }

    /// The buyer is back from the 3-D Secure challenge.
    pub async fn complete_three_ds(
        &self,
        token: &str,
        challenge_ref: &str,
    ) -> Result<Snapshot, WebPaymentError> {
        match self.inner.card.complete_three_ds(challenge_ref).await {
            Ok(card) if card.attempt_group.as_deref() == Some(token) => {
                self.card_outcome(token, &card).await
            }
            Ok(_) | Err(CardPaymentError::UnknownChallenge) => Err(WebPaymentError::NotNow(
                "unknown 3-D Secure challenge".into(),
            )),
            Err(CardPaymentError::Store(error)) => Err(error.into()),
            Err(error) => Err(WebPaymentError::NotNow(error.to_string())),
        }
    }

    /// What a card transaction's state means for the session.
    async fn card_outcome(
        &self,
        token: &str,
        card: &CardTransaction,
    ) -> Result<Snapshot, WebPaymentError> {
        let event = match card.state {
            PaymentState::Accepted => SessionEvent::CardAccepted {
                transaction_id: card.id.clone(),
            },
            PaymentState::Refused => SessionEvent::CardRefused {
                code: card.result_code(),
            },
            // A challenge, or an outcome still unknown: the attempt is under way.
            PaymentState::ChallengeRequired | PaymentState::Pending => {
                SessionEvent::CardChallenged {
                    transaction_id: card.id.clone(),
                }
            }
        };
        let id = card.id.clone();
        self.inner
            .modify(token, |payment, _| {
                let already_applied = payment.session.card_transaction_id.as_deref()
                    == Some(id.as_str())
                    && matches!(event, SessionEvent::CardChallenged { .. });
                Ok(if already_applied {
                    vec![]
                } else {
                    payment.session.apply(event.clone()).unwrap_or_default()
                })
            })
            .await
    }

    /// The buyer cancels: any ANCV part is given back.
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

    /// Applies a card outcome to the session (the card service calls this).
    pub async fn card_event(
        &self,
        token: &str,
        event: SessionEvent,
    ) -> Result<Snapshot, WebPaymentError> {
        self.inner
            .modify(token, |payment, _| {
                payment
                    .session
                    .apply(event.clone())
                    .map_err(|e| WebPaymentError::NotNow(e.to_string()))
            })
            .await
    }

    pub async fn snapshot(&self, token: &str) -> Result<Snapshot, WebPaymentError> {
        self.inner.modify(token, |_, _| Ok(vec![])).await
    }
}

impl Inner {
    /// Read, change, write if unchanged meanwhile; queue the effects in the same unit of work.
    async fn modify(
        &self,
        token: &str,
        mut change: impl FnMut(&mut WebPayment, Timestamp) -> Result<Vec<Effect>, WebPaymentError>,
    ) -> Result<Snapshot, WebPaymentError> {
        for _ in 0..10 {
            let mut uow = self.store.write().await?;
            let Some(stored) = uow.web_payments().find(token).await? else {
                return Err(WebPaymentError::UnknownToken);
            };
            let now = self.clock.now();
            let mut payment = stored.clone();
            let mut effects = payment.session.expire_if_due(now);
            effects.extend(change(&mut payment, now)?);
            if payment != stored {
                payment.updated_at = now;
                if payment.session.state.is_final() && payment.finalized_at.is_none() {
                    payment.finalized_at = Some(now);
                    tracing::info!(token = %short(token), state = payment.session.state.as_str(), code = payment.session.return_code().code(), "web payment ended");
                }
                if !uow.web_payments().save_progress(&payment).await? {
                    continue;
                }
                payment.version += 1;
                let queued = self
                    .queue_effects(&mut uow, &payment, &effects, now)
                    .await?;
                uow.commit().await?;
                if queued {
                    self.wake();
                }
            } else {
                uow.commit().await?;
            }
            return self.snapshot_of(payment).await;
        }
        Err(StoreError::corrupt(
            "web_payments",
            format!("session {} keeps changing under its writers", short(token)),
        )
        .into())
    }

    async fn queue_effects(
        &self,
        uow: &mut UnitOfWork,
        payment: &WebPayment,
        effects: &[Effect],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        for effect in effects {
            match effect {
                Effect::CancelAncv { payment_id } => {
                    uow.jobs()
                        .enqueue(ANCV_GIVE_BACK_JOB, payment_id, now, now)
                        .await?
                }
                Effect::NotifyMerchant => {
                    if payment.request.notification_url.is_some() {
                        uow.jobs()
                            .enqueue(NOTIFY_JOB, &payment.token, now, now)
                            .await?;
                    }
                }
            }
        }
        Ok(!effects.is_empty())
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

    /// An ANCV payment changed: its session reacts; vouchers nobody wants go back.
    async fn ancv_changed(&self, ancv: &AncvPayment) -> Result<(), WebPaymentError> {
        let token = {
            let mut uow = self.store.read().await?;
            uow.web_payments()
                .find_by_ancv_payment(&ancv.payment_id)
                .await?
                .map(|p| p.token)
        };
        if let Some(token) = &token {
            let event = match ancv.state {
                AncvPaymentState::Authorized
                | AncvPaymentState::Validated
                | AncvPaymentState::Consigned
                | AncvPaymentState::Paid => ancv
                    .validated_amount
                    .map(|amount| SessionEvent::AncvValidated { amount }),
                AncvPaymentState::Aborted => Some(SessionEvent::AncvDeclined),
                AncvPaymentState::Expired => Some(SessionEvent::AncvExpired),
                AncvPaymentState::Rejected => Some(SessionEvent::AncvRejected),
                AncvPaymentState::Refused => Some(SessionEvent::AncvFailed {
                    code: refusal_code(ancv),
                }),
                AncvPaymentState::Requested
                | AncvPaymentState::Initialized
                | AncvPaymentState::Processing
                | AncvPaymentState::Cancelled => None,
            };
            if let Some(event) = event {
                let id = ancv.payment_id.clone();
                self.modify(token, |payment, _| {
                    let concerns_it =
                        payment.session.ancv_payment_id.as_deref() == Some(id.as_str());
                    Ok(if concerns_it {
                        payment.session.apply(event.clone()).unwrap_or_default()
                    } else {
                        vec![]
                    })
                })
                .await?;
            }
        }
        if ancv.state.is_authorized() {
            let now = self.clock.now();
            let mut uow = self.store.write().await?;
            uow.jobs()
                .enqueue(ANCV_GIVE_BACK_JOB, &ancv.payment_id, now, now)
                .await?;
            uow.commit().await?;
            self.wake();
        }
        Ok(())
    }

    /// Cancels an authorized ANCV payment that no session will be paid with. Safe to run any
    /// time: a payment that still counts is left alone.
    async fn give_back(&self, payment_id: &str) -> JobOutcome {
        let found = async {
            let mut uow = self.store.read().await?;
            let ancv = uow.ancv_payments().find(payment_id).await?;
            let session = uow.web_payments().find_by_ancv_payment(payment_id).await?;
            Ok::<_, StoreError>((ancv, session))
        };
        let (ancv, session) = match found.await {
            Ok((Some(ancv), session)) => (ancv, session),
            Ok((None, _)) => return JobOutcome::Done,
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        if ancv.state.is_pending() {
            // Maybe authorized later: look again when ANCV has answered.
            return JobOutcome::RunAgainAt(self.clock.now().plus_millis(5_000));
        }
        if !ancv.state.is_authorized() || still_wanted(&ancv, session.as_ref()) {
            return JobOutcome::Done;
        }
        match self.ancv.cancel(payment_id).await {
            Ok(cancelled) => {
                tracing::info!(payment_id, state = %cancelled.state, "ANCV vouchers given back");
                JobOutcome::Done
            }
            Err(error) => JobOutcome::Failed(error.to_string()),
        }
    }

    /// `GET <notificationURL>?notificationType=WEBTRS&token=…`, until a 2xx, the merchant reads
    /// the result, or the retry window closes.
    async fn notify_merchant(&self, token: &str) -> JobOutcome {
        let payment = match self.store.read().await {
            Ok(mut uow) => match uow.web_payments().find(token).await {
                Ok(Some(payment)) => payment,
                Ok(None) => return JobOutcome::Done,
                Err(error) => return JobOutcome::Failed(error.to_string()),
            },
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        let Some(url) = payment.request.notification_url.as_deref() else {
            return JobOutcome::Done;
        };
        if payment.merchant_read_at.is_some() {
            tracing::info!(token = %short(token), "merchant already read the result: no notification");
            return JobOutcome::Done;
        }
        let now = self.clock.now();
        let since = payment.finalized_at.unwrap_or(payment.updated_at);
        let separator = if url.contains('?') { '&' } else { '?' };
        let target = format!("{url}{separator}notificationType=WEBTRS&token={token}");
        if let Err(reason) =
            crate::merchant_http::check_url(&target, self.notifications.allow_private_addresses)
        {
            tracing::warn!(token = %short(token), %reason, "notification URL refused: no notification");
            return JobOutcome::Done;
        }
        let outcome = self.http.get(&target).send().await;
        match outcome {
            Ok(response) if response.status().is_success() => {
                tracing::info!(token = %short(token), status = response.status().as_u16(), "merchant notified");
                JobOutcome::Done
            }
            failure => {
                let reason = match failure {
                    Ok(response) => format!("HTTP {}", response.status().as_u16()),
                    Err(error) => error.without_url().to_string(),
                };
                if now.millis() - since.millis() >= self.notifications.give_up_after_ms {
                    tracing::warn!(token = %short(token), %reason, "merchant notification abandoned after its retry window");
                    JobOutcome::Done
                } else {
                    tracing::info!(token = %short(token), %reason, "merchant notification failed; will retry");
                    JobOutcome::RunAgainAt(now.plus_millis(self.notifications.retry_every_ms))
                }
            }
        }
    }
}

/// Whether a session still counts on this ANCV payment (a partial waiting for its card part, or
/// the paying part of an accepted session).
fn still_wanted(ancv: &AncvPayment, session: Option<&WebPayment>) -> bool {
    let Some(session) = session else { return false };
    if session.session.ancv_payment_id.as_deref() != Some(ancv.payment_id.as_str()) {
        return false;
    }
    match session.session.state {
        SessionState::Accepted
        | SessionState::AncvWaiting
        | SessionState::AncvPartial
        | SessionState::CardChallenge => true,
        SessionState::Created
        | SessionState::OnPage
        | SessionState::Refused
        | SessionState::Cancelled
        | SessionState::ExpiredOnPage
        | SessionState::ExpiredUnopened => false,
    }
}

/// Tokens are bearer secrets for the page: logs show only their start.
fn short(token: &str) -> String {
    format!("{}…", token.chars().take(6).collect::<String>())
}

impl AncvPaymentObserver for Inner {
    fn changed<'a>(
        &'a self,
        payment: &'a AncvPayment,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            if let Err(error) = self.ancv_changed(payment).await {
                tracing::error!(payment_id = %payment.payment_id, %error, "a session could not follow its ANCV payment");
            }
        })
    }
}

struct ExpiryJob(Arc<Inner>);

impl JobHandler for ExpiryJob {
    fn kind(&self) -> &'static str {
        EXPIRY_JOB
    }

    fn run<'a>(&'a self, token: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(async move {
            match self.0.modify(token, |_, _| Ok(vec![])).await {
                Ok(snapshot) if !snapshot.payment.session.state.is_final() => {
                    JobOutcome::RunAgainAt(snapshot.payment.session.expires_at)
                }
                Ok(_) | Err(WebPaymentError::UnknownToken) => JobOutcome::Done,
                Err(error) => JobOutcome::Failed(error.to_string()),
            }
        })
    }
}

struct NotifyJob(Arc<Inner>);

impl JobHandler for NotifyJob {
    fn kind(&self) -> &'static str {
        NOTIFY_JOB
    }

    /// Calls the merchant's URL (up to its read timeout, retried for hours).
    fn lane(&self) -> Lane {
        Lane::Notification
    }

    fn run<'a>(&'a self, token: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.notify_merchant(token))
    }
}

struct GiveBackJob(Arc<Inner>);

impl JobHandler for GiveBackJob {
    fn kind(&self) -> &'static str {
        ANCV_GIVE_BACK_JOB
    }

    fn run<'a>(&'a self, payment_id: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.give_back(payment_id))
    }
}
