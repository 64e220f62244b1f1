//! The simulated acquirer's work on its ledger: authorizations (test-card table, 3-D Secure),
//! the ACS answer, captures, resets, refunds and remittance. Each request is one unit of work;
//! a repeated reference returns what was recorded the first time.

use crate::error::SandboxError;
use crate::faults::Faults;
use crate::sandbox::Inner;
use crate::storage::{self, SandboxCardOperation, SandboxCardTransaction};
use crate::test_cards::{self, Authenticated, CHALLENGE_CODE, Decision};
use card::acquirer::{
    Accepted, Action, AuthorizationState, CHALLENGE_PARAM, OperationOutcome, OperationResult,
    Remitted, ThreeDs,
};
use card::ledger::{Balances, LedgerStatus, OperationKind};
use card::outcome::{Decline, Rejection};
use domain::card::CardData;
use domain::clock::Timestamp;
use store::StoreError;

/// How long the buyer has to answer the ACS page.
pub const CHALLENGE_TTL_MS: i64 = 10 * 60 * 1000;

/// An authorization request, card data already read into `domain::card` types.
#[derive(Debug)]
pub struct AuthorizeInput {
    pub reference: String,
    pub order_ref: Option<String>,
    pub amount: i64,
    pub currency: i64,
    pub action: Action,
    pub card: CardData,
    pub three_ds_return_url: Option<String>,
}

/// What the buyer did on the ACS page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcsAnswer {
    Code(String),
    Cancel,
}

/// What the ACS page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengeView {
    Waiting {
        amount: i64,
        currency: i64,
        masked_number: String,
    },
    /// Answered (or expired) already: the buyer goes back to cvgate.
    Finished { return_url: String },
}

enum Lookup<'a> {
    Reference(&'a str),
    Challenge(&'a str),
}

/// The ledger's `state` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowState {
    ChallengePending,
    Declined,
    Accepted(LedgerStatus),
}

impl RowState {
    fn as_str(self) -> &'static str {
        match self {
            RowState::ChallengePending => "CHALLENGE_PENDING",
            RowState::Declined => "DECLINED",
            RowState::Accepted(status) => status.as_str(),
        }
    }

    fn of(row: &SandboxCardTransaction) -> Result<RowState, SandboxError> {
        match row.state.as_str() {
            "CHALLENGE_PENDING" => Ok(RowState::ChallengePending),
            "DECLINED" => Ok(RowState::Declined),
            other => LedgerStatus::parse(other)
                .map(RowState::Accepted)
                .ok_or_else(|| {
                    SandboxError::Corrupt(format!("{}: unknown state {other:?}", row.reference))
                }),
        }
    }
}

impl Inner {
    /// `faults`: those in force for this request.
    pub(super) async fn authorize(
        &self,
        input: AuthorizeInput,
        faults: &Faults,
    ) -> Result<AuthorizationState, SandboxError> {
        let now = self.clock.now();
        let mut uow = self.store.write().await?;
        if let Some(existing) = storage::ledger(&mut uow)
            .find_transaction(&input.reference)
            .await?
        {
            if (existing.amount, existing.currency, existing.action)
                != (input.amount, input.currency, input.action.code())
            {
                return Err(SandboxError::Conflict(
                    "this reference was authorized with another amount, currency or action".into(),
                ));
            }
            tracing::info!(reference = %input.reference, "repeated authorization: the first result is returned");
            return self.state_of(&existing);
        }
        let decision = if faults.roll_error(self.random.as_ref()) {
            Decision::Decline(Decline::AcquirerError)
        } else {
            test_cards::decide(&input.card, now)
        };
        let mut row = SandboxCardTransaction {
            reference: input.reference.clone(),
            order_ref: input.order_ref,
            amount: input.amount,
            currency: input.currency,
            action: input.action.code(),
            state: String::new(),
            decline: None,
            masked_number: input.card.number.masked(),
            expiry: input.card.expiry.as_mmyy(),
            card_token: None,
            authorization_number: None,
            three_ds: None,
            challenge_ref: None,
            three_ds_return_url: None,
            authenticated_decision: None,
            authorized_amount: 0,
            captured_amount: 0,
            reset_amount: 0,
            remitted_amount: 0,
            refunded_amount: 0,
            authorized_at: None,
            remitted_at: None,
            created_at: now,
            updated_at: now,
        };
        match (decision, input.three_ds_return_url) {
            (Decision::Challenge, Some(return_url)) => {
                row.state = RowState::ChallengePending.as_str().to_owned();
                row.challenge_ref = Some(self.random.hex(16));
                row.three_ds_return_url = Some(return_url);
                // Decided now, so that the card is dropped with this request.
                let passed = test_cards::decide_authenticated(&input.card, now);
                row.authenticated_decision = Some(passed.as_str().to_owned());
            }
            (Decision::Challenge, None) => {
                self.decide(&mut row, Decision::Challenge, ThreeDs::Challenge, now);
            }
            (decision @ (Decision::Accept | Decision::Decline(_)), _) => {
                self.decide(&mut row, decision, ThreeDs::Frictionless, now);
            }
        }
        match storage::ledger(&mut uow).insert_transaction(&row).await {
            Ok(()) => uow.commit().await?,
            // The same reference raced in: its result is the answer.
            Err(StoreError::Conflict { .. }) => {
                drop(uow);
                let mut uow = self.store.write().await?;
                let existing = storage::ledger(&mut uow)
                    .find_transaction(&input.reference)
                    .await?;
                return self.state_of(&existing.ok_or(SandboxError::UnknownReference)?);
            }
            Err(error) => return Err(error.into()),
        }
        tracing::info!(reference = %row.reference, state = %row.state, decline = row.decline.as_deref(), "card authorization");
        self.state_of(&row)
    }

    /// Writes the decision into a new or challenged row.
    fn decide(
        &self,
        row: &mut SandboxCardTransaction,
        decision: Decision,
        three_ds: ThreeDs,
        now: Timestamp,
    ) {
        row.three_ds = Some(three_ds.as_str().to_owned());
        row.updated_at = now;
        let decline = match decision {
            Decision::Accept => {
                let action = Action::from_code(row.action).unwrap_or(Action::Authorization);
                row.authorization_number =
                    Some(format!("{:06}", self.random.next_u64() % 1_000_000));
                row.card_token = Some(format!("tok_{}", self.random.hex(16)));
                write_balances(
                    row,
                    &Balances::authorized(row.amount, action.captures(), now),
                );
                return;
            }
            // A challenge that cannot take place (no way back from the ACS) fails.
            Decision::Challenge => Decline::ThreeDsFailed,
            Decision::Decline(decline) => decline,
        };
        row.state = RowState::Declined.as_str().to_owned();
        row.decline = Some(decline.as_str().to_owned());
    }

    /// The buyer answered the ACS page: returns where to send the browser.
    pub(super) async fn answer_challenge(
        &self,
        challenge_ref: &str,
        answer: AcsAnswer,
    ) -> Result<String, SandboxError> {
        let now = self.clock.now();
        let mut uow = self.store.write().await?;
        let mut row = storage::ledger(&mut uow)
            .find_by_challenge(challenge_ref)
            .await?
            .ok_or(SandboxError::UnknownChallenge)?;
        if RowState::of(&row)? == RowState::ChallengePending {
            let decision = match (&answer, self.challenge_expired(&row, now)) {
                (AcsAnswer::Code(code), false) if code == CHALLENGE_CODE => passed_challenge(&row)?,
                // Wrong code, cancelled, or expired.
                (AcsAnswer::Code(_) | AcsAnswer::Cancel, _) => {
                    Decision::Decline(Decline::ThreeDsFailed)
                }
            };
            self.decide(&mut row, decision, ThreeDs::Challenge, now);
            storage::ledger(&mut uow).update_transaction(&row).await?;
            uow.commit().await?;
            tracing::info!(reference = %row.reference, state = %row.state, "3-D Secure challenge answered");
        }
        return_url(&row)
    }

    pub(super) async fn challenge_view(
        &self,
        challenge_ref: &str,
    ) -> Result<ChallengeView, SandboxError> {
        let now = self.clock.now();
        let row = self.current(Lookup::Challenge(challenge_ref), now).await?;
        let row = row.ok_or(SandboxError::UnknownChallenge)?;
        match RowState::of(&row)? {
            RowState::ChallengePending => Ok(ChallengeView::Waiting {
                amount: row.amount,
                currency: row.currency,
                masked_number: row.masked_number,
            }),
            RowState::Declined | RowState::Accepted(_) => Ok(ChallengeView::Finished {
                return_url: return_url(&row)?,
            }),
        }
    }

    /// The result of the challenge for cvgate (server to server: the browser is never trusted).
    pub(super) async fn complete_three_ds(
        &self,
        reference: &str,
        challenge_ref: &str,
    ) -> Result<AuthorizationState, SandboxError> {
        let now = self.clock.now();
        let row = self.current(Lookup::Reference(reference), now).await?;
        let row = row.ok_or(SandboxError::UnknownReference)?;
        if row.challenge_ref.as_deref() != Some(challenge_ref) {
            return Err(SandboxError::Invalid(
                "challenge_ref: not the challenge of this transaction".into(),
            ));
        }
        self.state_of(&row)
    }

    pub(super) async fn status(
        &self,
        reference: &str,
    ) -> Result<Option<AuthorizationState>, SandboxError> {
        let now = self.clock.now();
        let row = self.current(Lookup::Reference(reference), now).await?;
        row.as_ref().map(|row| self.state_of(row)).transpose()
    }

    /// Reads a row, first ending its challenge if the buyer ran out of time.
    async fn current(
        &self,
        lookup: Lookup<'_>,
        now: Timestamp,
    ) -> Result<Option<SandboxCardTransaction>, SandboxError> {
        let mut uow = self.store.write().await?;
        let found = match lookup {
            Lookup::Reference(reference) => {
                storage::ledger(&mut uow)
                    .find_transaction(reference)
                    .await?
            }
            Lookup::Challenge(challenge_ref) => {
                storage::ledger(&mut uow)
                    .find_by_challenge(challenge_ref)
                    .await?
            }
        };
        let Some(mut row) = found else {
            return Ok(None);
        };
        if RowState::of(&row)? == RowState::ChallengePending && self.challenge_expired(&row, now) {
            self.decide(
                &mut row,
                Decision::Decline(Decline::ThreeDsFailed),
                ThreeDs::Challenge,
                now,
            );
            storage::ledger(&mut uow).update_transaction(&row).await?;
            uow.commit().await?;
            tracing::info!(reference = %row.reference, "3-D Secure challenge expired");
        }
        Ok(Some(row))
    }

    fn challenge_expired(&self, row: &SandboxCardTransaction, now: Timestamp) -> bool {
        now.millis() > row.created_at.millis() + CHALLENGE_TTL_MS
    }

    pub(super) async fn operate(
        &self,
        kind: OperationKind,
        reference: &str,
        operation_ref: &str,
        amount: Option<i64>,
    ) -> Result<OperationResult, SandboxError> {
        let now = self.clock.now();
        let mut uow = self.store.write().await?;
        let mut row = storage::ledger(&mut uow)
            .find_transaction(reference)
            .await?
            .ok_or(SandboxError::UnknownReference)?;
        if let Some(done) = storage::ledger(&mut uow)
            .find_operation(operation_ref)
            .await?
        {
            if (
                done.transaction_reference.as_str(),
                done.kind.as_str(),
                done.requested_amount,
            ) != (reference, kind.as_str(), amount)
            {
                return Err(SandboxError::Conflict(
                    "this operation reference was used for another operation".into(),
                ));
            }
            return Ok(OperationResult {
                outcome: recorded_outcome(&done)?,
                balances: balances_of(&row)?,
            });
        }
        let outcome = match balances_of(&row)? {
            None => OperationOutcome::Rejected(Rejection::NotAccepted),
            Some(balances) => match balances.apply(kind, amount, now) {
                Ok((next, amount)) => {
                    write_balances(&mut row, &next);
                    row.updated_at = now;
                    storage::ledger(&mut uow).update_transaction(&row).await?;
                    OperationOutcome::Done { amount }
                }
                Err(rejection) => OperationOutcome::Rejected(rejection),
            },
        };
        let (outcome_name, done_amount) = match outcome {
            OperationOutcome::Done { amount } => (card::wire::DONE, amount),
            OperationOutcome::Rejected(rejection) => (rejection.as_str(), 0),
        };
        storage::ledger(&mut uow)
            .insert_operation(&SandboxCardOperation {
                reference: operation_ref.to_owned(),
                transaction_reference: reference.to_owned(),
                kind: kind.as_str().to_owned(),
                requested_amount: amount,
                amount: done_amount,
                outcome: outcome_name.to_owned(),
                created_at: now,
            })
            .await?;
        uow.commit().await?;
        tracing::info!(
            reference,
            operation_ref,
            kind = kind.as_str(),
            outcome = outcome_name,
            "card operation"
        );
        Ok(OperationResult {
            outcome,
            balances: balances_of(&row)?,
        })
    }

    /// Remits the listed transactions that are captured and not remitted yet.
    pub(super) async fn remit(&self, references: &[String]) -> Result<Vec<Remitted>, SandboxError> {
        let now = self.clock.now();
        let mut uow = self.store.write().await?;
        let mut remitted = Vec::with_capacity(references.len());
        for reference in references {
            let Some(mut row) = storage::ledger(&mut uow)
                .find_transaction(reference)
                .await?
            else {
                remitted.push(Remitted {
                    reference: reference.clone(),
                    balances: None,
                });
                continue;
            };
            let mut balances = balances_of(&row)?;
            if let Some(next) = balances.and_then(|b| b.remit(now)) {
                write_balances(&mut row, &next);
                row.updated_at = now;
                storage::ledger(&mut uow).update_transaction(&row).await?;
                balances = Some(next);
            }
            remitted.push(Remitted {
                reference: reference.clone(),
                balances,
            });
        }
        uow.commit().await?;
        tracing::info!(count = references.len(), "card remittance");
        Ok(remitted)
    }

    /// Remits every captured transaction (the admin button): how many were remitted.
    pub(super) async fn remit_all(&self) -> Result<usize, SandboxError> {
        let references = {
            let mut uow = self.store.read().await?;
            storage::ledger(&mut uow)
                .references_in_state(LedgerStatus::Captured.as_str())
                .await?
        };
        let remitted = self.remit(&references).await?;
        Ok(remitted
            .iter()
            .filter(|r| r.balances.is_some_and(|b| b.remitted_at.is_some()))
            .count())
    }

    fn state_of(&self, row: &SandboxCardTransaction) -> Result<AuthorizationState, SandboxError> {
        let corrupt = |what: &str| SandboxError::Corrupt(format!("{}: {what}", row.reference));
        match RowState::of(row)? {
            RowState::ChallengePending => {
                let challenge_ref = row
                    .challenge_ref
                    .clone()
                    .ok_or_else(|| corrupt("challenge without reference"))?;
                Ok(AuthorizationState::ChallengeRequired {
                    acs_url: format!("{}/{challenge_ref}", self.acs_base_url),
                    challenge_ref,
                })
            }
            RowState::Declined => Ok(AuthorizationState::Declined(
                row.decline
                    .as_deref()
                    .and_then(Decline::parse)
                    .ok_or_else(|| corrupt("unknown decline"))?,
            )),
            RowState::Accepted(_) => Ok(AuthorizationState::Accepted(Accepted {
                authorization_number: row
                    .authorization_number
                    .clone()
                    .ok_or_else(|| corrupt("no authorization number"))?,
                card_token: row
                    .card_token
                    .clone()
                    .ok_or_else(|| corrupt("no card token"))?,
                three_ds: row
                    .three_ds
                    .as_deref()
                    .and_then(ThreeDs::parse)
                    .ok_or_else(|| corrupt("no 3-D Secure mode"))?,
                balances: balances_of(row)?.ok_or_else(|| corrupt("accepted without amounts"))?,
            })),
        }
    }
}

/// What passing the row's challenge leads to, as decided when it started. A challenge pending
/// since before that decision was stored (migration 9) had its card in a process's memory only:
/// it fails, as it did after a restart.
fn passed_challenge(row: &SandboxCardTransaction) -> Result<Decision, SandboxError> {
    match row.authenticated_decision.as_deref() {
        None => Ok(Decision::Decline(Decline::ThreeDsFailed)),
        Some(name) => Authenticated::parse(name)
            .map(Authenticated::decision)
            .ok_or_else(|| {
                SandboxError::Corrupt(format!(
                    "{}: unknown authenticated decision {name:?}",
                    row.reference
                ))
            }),
    }
}

/// The amounts of an accepted transaction (`None` before or without acceptance).
fn balances_of(row: &SandboxCardTransaction) -> Result<Option<Balances>, SandboxError> {
    match RowState::of(row)? {
        RowState::ChallengePending | RowState::Declined => Ok(None),
        RowState::Accepted(_) => Ok(Some(Balances {
            authorized: row.authorized_amount,
            captured: row.captured_amount,
            reset: row.reset_amount,
            remitted: row.remitted_amount,
            refunded: row.refunded_amount,
            authorized_at: row.authorized_at.unwrap_or(row.created_at),
            remitted_at: row.remitted_at,
        })),
    }
}

fn write_balances(row: &mut SandboxCardTransaction, balances: &Balances) {
    row.state = RowState::Accepted(balances.status()).as_str().to_owned();
    row.decline = None;
    row.authorized_amount = balances.authorized;
    row.captured_amount = balances.captured;
    row.reset_amount = balances.reset;
    row.remitted_amount = balances.remitted;
    row.refunded_amount = balances.refunded;
    row.authorized_at = Some(balances.authorized_at);
    row.remitted_at = balances.remitted_at;
}

fn recorded_outcome(operation: &SandboxCardOperation) -> Result<OperationOutcome, SandboxError> {
    if operation.outcome == card::wire::DONE {
        return Ok(OperationOutcome::Done {
            amount: operation.amount,
        });
    }
    Rejection::parse(&operation.outcome)
        .map(OperationOutcome::Rejected)
        .ok_or_else(|| {
            SandboxError::Corrupt(format!(
                "operation {}: unknown outcome",
                operation.reference
            ))
        })
}

/// cvgate's return URL with the challenge reference added.
fn return_url(row: &SandboxCardTransaction) -> Result<String, SandboxError> {
    let (Some(url), Some(challenge_ref)) = (&row.three_ds_return_url, &row.challenge_ref) else {
        return Err(SandboxError::Corrupt(format!(
            "{}: challenge without return URL",
            row.reference
        )));
    };
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{separator}{CHALLENGE_PARAM}={challenge_ref}"))
}
