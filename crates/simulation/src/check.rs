//! The invariants, checked once the world is quiescent, across the three ledgers: cvgate's
//! (sessions, ANCV payments, card transactions and operations), the ANCV sandbox's (transactions,
//! beneficiary balances) and the card sandbox's (authorized, captured, reset, remitted, refunded).
//!
//! - I1 accepted ⇒ ANCV part + card part = order amount, both held at the partners (less what
//!   the merchant refunded or reset; an ANCV part REJECTED after acceptance is known to cvgate);
//! - I2 not accepted ⇒ nothing held (and an accepted session holds nothing beyond its parts);
//! - I3 every beneficiary's balance = initial − what its vouchers still pay for, as ANCV and as
//!   cvgate see it;
//! - I4 every card transaction's amounts are the same at cvgate and at the acquirer;
//! - I5 nothing left pending: sessions, payments, operations, refunds, sequenceNumber claims;
//! - I6 what getWebPaymentDetails and getTransactionDetails report equals the ledgers, and every
//!   after-sale answer the merchant got is true.

use crate::flows::{Flow, Told};
use crate::world::World;
use ancv_sandbox::State as AncvState;
use card_sandbox::SandboxCardTransaction;
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use domain::return_code::ReturnCode;
use domain::web_payment::SessionState;
use gateway::card_payments::{
    CardOperation, CardTransaction, Initiator, OperationState, PaymentState,
};
use std::collections::HashMap;
use store::repos::AncvRefundRow;

/// Every violation found, as one readable line each (`flow N: I… …`).
pub async fn invariants(world: &World, flows: &[Flow]) -> Result<Vec<String>, String> {
    let ledger: HashMap<String, SandboxCardTransaction> = world
        .card_sandbox
        .ledger()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|row| (row.reference.clone(), row))
        .collect();
    // Every ANCV transaction of the demo shop, by cvgate's payment id (the beneficiary may be
    // another flow's, a blocked one, or none).
    let at_ancv: HashMap<String, (AncvState, Option<i64>)> = world
        .ancv_sandbox
        .transactions_of_shop(ancv_sandbox::seed::DEMO_SHOP_ID)
        .await
        .map_err(|e| e.to_string())?
        .transactions
        .into_iter()
        .map(|t| (t.payment_id, (t.state, t.validated_amount)))
        .collect();
    let mut violations = Vec::new();
    for flow in flows {
        let found = Ledgers::read(world, flow, &ledger, &at_ancv).await?;
        violations.extend(
            found
                .check(world, flow)
                .await?
                .into_iter()
                .map(|v| format!("flow {}: {v}", flow.number)),
        );
    }
    let unfinished = world
        .app
        .store
        .read()
        .await
        .map_err(|e| e.to_string())?
        .operation_replays()
        .unfinished()
        .await
        .map_err(|e| e.to_string())?;
    for claim in unfinished {
        violations.push(format!(
            "I5: a sequenceNumber claim never finished: {claim:?}"
        ));
    }
    Ok(violations)
}

/// One flow as the three ledgers have it.
struct Ledgers {
    session: gateway::web_payments::Snapshot,
    ancv: Vec<AncvPart>,
    cards: Vec<CardPart>,
    balance: i64,
}

struct AncvPart {
    payment: AncvPayment,
    refunds: Vec<AncvRefundRow>,
    /// ANCV's transaction (`None`: ANCV never created it).
    at_ancv: Option<(AncvState, Option<i64>)>,
}

struct CardPart {
    transaction: CardTransaction,
    operations: Vec<CardOperation>,
    at_acquirer: Option<SandboxCardTransaction>,
}

impl AncvPart {
    /// What the beneficiary's vouchers still pay for, as ANCV has it.
    fn held_at_ancv(&self) -> i64 {
        match self.at_ancv {
            Some((state, validated)) if holds_vouchers(state) => validated.unwrap_or(0),
            _ => 0,
        }
    }

    /// The same, as cvgate has it.
    fn held_at_cvgate(&self) -> i64 {
        if self.payment.state.is_authorized() {
            self.payment.validated_amount.unwrap_or(0)
        } else {
            0
        }
    }
}

impl CardPart {
    /// What the buyer's card is charged or has reserved, as the acquirer has it.
    fn held_at_acquirer(&self) -> i64 {
        let Some(row) = &self.at_acquirer else {
            return 0;
        };
        if row.state == "DECLINED" || row.state == "CHALLENGE_PENDING" {
            return 0;
        }
        if row.remitted_at.is_some() {
            row.remitted_amount - row.refunded_amount
        } else if row.captured_amount > 0 {
            row.captured_amount - row.reset_amount
        } else {
            row.authorized_amount - row.reset_amount
        }
    }
}

fn holds_vouchers(state: AncvState) -> bool {
    matches!(
        state,
        AncvState::Authorized | AncvState::Validated | AncvState::Consigned | AncvState::Paid
    )
}

impl Ledgers {
    async fn read(
        world: &World,
        flow: &Flow,
        ledger: &HashMap<String, SandboxCardTransaction>,
        at_ancv: &HashMap<String, (AncvState, Option<i64>)>,
    ) -> Result<Ledgers, String> {
        let text = |e: &dyn std::fmt::Display| e.to_string();
        let web_payments = &world.app.web_payments;
        let session = web_payments
            .snapshot(&flow.token)
            .await
            .map_err(|e| text(&e))?;
        let mut uow = world.app.store.read().await.map_err(|e| text(&e))?;
        let payments = uow
            .ancv_payments()
            .of_session(&flow.token)
            .await
            .map_err(|e| text(&e))?;
        let mut ancv = Vec::new();
        for payment in payments {
            let refunds = uow
                .ancv_refunds()
                .of_payment(&payment.payment_id)
                .await
                .map_err(|e| text(&e))?;
            ancv.push(AncvPart {
                at_ancv: at_ancv.get(&payment.payment_id).copied(),
                payment,
                refunds,
            });
        }
        drop(uow);
        let card_service = web_payments.card();
        let mut cards = Vec::new();
        for transaction in card_service
            .attempts(&flow.token)
            .await
            .map_err(|e| text(&e))?
        {
            cards.push(CardPart {
                operations: card_service
                    .operations(&transaction.id)
                    .await
                    .map_err(|e| text(&e))?,
                at_acquirer: ledger.get(&transaction.id).cloned(),
                transaction,
            });
        }
        let balance = world
            .ancv_sandbox
            .beneficiary(&flow.beneficiary)
            .await
            .map_err(|e| text(&e))?
            .balance;
        Ok(Ledgers {
            session,
            ancv,
            cards,
            balance,
        })
    }

    async fn check(&self, world: &World, flow: &Flow) -> Result<Vec<String>, String> {
        let mut violations = Vec::new();
        self.nothing_pending(&mut violations);
        self.partners_agree(&mut violations);
        self.money_follows_the_session(flow, &mut violations);
        self.balance_adds_up(flow, &mut violations);
        self.reports_are_true(world, flow, &mut violations).await?;
        Ok(violations)
    }

    /// I5.
    fn nothing_pending(&self, violations: &mut Vec<String>) {
        let state = self.session.payment.session.state;
        if !state.is_final() {
            violations.push(format!("I5: the session is still {}", state.as_str()));
        }
        for part in &self.ancv {
            if part.payment.state.is_pending() {
                violations.push(format!(
                    "I5: ANCV payment {} is still {}",
                    part.payment.payment_id, part.payment.state
                ));
            }
            for refund in &part.refunds {
                if refund.state == "PENDING" {
                    violations.push(format!("I5: ANCV refund {} is still PENDING", refund.id));
                }
            }
        }
        for card in &self.cards {
            if card.transaction.state.is_open() {
                violations.push(format!(
                    "I5: card payment {} is still {}",
                    card.transaction.id,
                    card.transaction.state.as_str()
                ));
            }
            for operation in &card.operations {
                if operation.state == OperationState::Pending {
                    violations.push(format!(
                        "I5: card operation {} is still PENDING",
                        operation.id
                    ));
                }
            }
        }
    }

    /// I4 (and the ANCV side of I6): cvgate's view of each payment is the partner's.
    fn partners_agree(&self, violations: &mut Vec<String>) {
        for part in &self.ancv {
            let ours = part.payment.state;
            let theirs = part.at_ancv.map(|(state, _)| state);
            let agree = match (ours, theirs) {
                // Never sent, or sent without payer: ANCV holds nothing.
                (AncvPaymentState::Refused | AncvPaymentState::Abandoned, None) => true,
                (AncvPaymentState::Refused | AncvPaymentState::Abandoned, Some(state)) => {
                    !holds_vouchers(state)
                }
                (_, Some(state)) => ours.as_str() == state.as_str(),
                (_, None) => false,
            };
            if !agree {
                violations.push(format!(
                    "I4: ANCV payment {} is {ours} at cvgate but {theirs:?} at ANCV",
                    part.payment.payment_id
                ));
            }
            if part.held_at_cvgate() != part.held_at_ancv() {
                violations.push(format!(
                    "I4: ANCV payment {} holds {} at cvgate but {} at ANCV",
                    part.payment.payment_id,
                    part.held_at_cvgate(),
                    part.held_at_ancv()
                ));
            }
        }
        for card in &self.cards {
            let tx = &card.transaction;
            let row = card.at_acquirer.as_ref();
            let ours = tx
                .balances
                .map(|b| (b.authorized, b.captured, b.reset, b.remitted, b.refunded));
            let theirs = row
                .filter(|r| r.state != "DECLINED" && r.state != "CHALLENGE_PENDING")
                .map(|r| {
                    (
                        r.authorized_amount,
                        r.captured_amount,
                        r.reset_amount,
                        r.remitted_amount,
                        r.refunded_amount,
                    )
                });
            let accepted_here = tx.state == PaymentState::Accepted;
            if ours != theirs || accepted_here != theirs.is_some() {
                violations.push(format!(
                    "I4: card payment {} is {} with {ours:?} at cvgate but {} with {theirs:?} at the acquirer",
                    tx.id,
                    tx.state.as_str(),
                    row.map_or("unknown", |r| r.state.as_str())
                ));
            }
        }
    }

    /// I1 and I2.
    fn money_follows_the_session(&self, flow: &Flow, violations: &mut Vec<String>) {
        let session = &self.session.payment.session;
        let accepted = session.state == SessionState::Accepted;
        let current_ancv = session
            .ancv_payment_id
            .as_deref()
            .filter(|_| accepted && session.ancv_validated.is_some());
        let current_card = session.card_transaction_id.as_deref().filter(|_| accepted);
        for part in &self.ancv {
            let id = part.payment.payment_id.as_str();
            if Some(id) == current_ancv {
                let taken_back = part.payment.state == AncvPaymentState::Rejected
                    || part.refunds.iter().any(|r| r.state == "DONE");
                let expected = if taken_back {
                    0
                } else {
                    session.ancv_validated.unwrap_or(0)
                };
                if part.held_at_ancv() != expected {
                    violations.push(format!(
                        "I1: the accepted ANCV part {id} holds {} at ANCV, not {expected}",
                        part.held_at_ancv()
                    ));
                }
            } else if part.held_at_ancv() != 0 {
                violations.push(format!(
                    "I2: ANCV payment {id} ({}) holds {} for a session {} that does not count on it",
                    part.payment.state,
                    part.held_at_ancv(),
                    session.state.as_str()
                ));
            }
        }
        for card in &self.cards {
            let tx = &card.transaction;
            if Some(tx.id.as_str()) == current_card {
                let authorized = card.at_acquirer.as_ref().map_or(0, |r| r.authorized_amount);
                if authorized != session.card_amount() || tx.amount != session.card_amount() {
                    violations.push(format!(
                        "I1: the accepted card part {} was authorized {authorized} for a remainder of {}",
                        tx.id,
                        session.card_amount()
                    ));
                }
                if card
                    .operations
                    .iter()
                    .any(|op| op.initiator == Initiator::Gateway)
                {
                    violations.push(format!(
                        "I1: cvgate gave back the card part {} of an accepted session",
                        tx.id
                    ));
                }
            } else if card.held_at_acquirer() != 0 {
                violations.push(format!(
                    "I2: card payment {} ({}) holds {} for a session {} that does not count on it",
                    tx.id,
                    tx.state.as_str(),
                    card.held_at_acquirer(),
                    session.state.as_str()
                ));
            }
        }
        if accepted {
            let card_part = current_card
                .and_then(|id| self.cards.iter().find(|c| c.transaction.id == id))
                .map_or(0, |c| c.transaction.amount);
            let ancv_part = session.ancv_validated.unwrap_or(0);
            if ancv_part + card_part != flow.order_amount {
                violations.push(format!(
                    "I1: accepted with {ancv_part} in vouchers + {card_part} by card for an order of {}",
                    flow.order_amount
                ));
            }
        }
    }

    /// I3.
    fn balance_adds_up(&self, flow: &Flow, violations: &mut Vec<String>) {
        let spent_at_ancv: i64 = self.ancv.iter().map(AncvPart::held_at_ancv).sum();
        let spent_at_cvgate: i64 = self.ancv.iter().map(AncvPart::held_at_cvgate).sum();
        let spent = flow.initial_balance - self.balance;
        if spent != spent_at_ancv || spent != spent_at_cvgate {
            violations.push(format!(
                "I3: the beneficiary spent {spent} but ANCV's transactions hold {spent_at_ancv} and cvgate's {spent_at_cvgate}"
            ));
        }
    }

    /// I6.
    async fn reports_are_true(
        &self,
        world: &World,
        flow: &Flow,
        violations: &mut Vec<String>,
    ) -> Result<(), String> {
        let session = &self.session.payment.session;
        let details = world
            .app
            .web_payments
            .details(&world.merchant_id, &flow.token)
            .await
            .map_err(|e| e.to_string())?;
        let code = details.payment.session.return_code();
        if code != session.return_code() {
            violations.push(format!(
                "I6: getWebPaymentDetails says {} for a session {}",
                code.code(),
                session.state.as_str()
            ));
        }
        if let Some(told) = &flow.merchant.final_code
            && told != code.code()
        {
            violations.push(format!(
                "I6: the merchant was told {told}, the session now says {}",
                code.code()
            ));
        }
        for part in &self.ancv {
            let described = world
                .app
                .after_sale
                .details(&world.merchant_id, Some(&part.payment.payment_id), None)
                .await
                .map_err(|e| e.to_string())?;
            match described {
                Ok(details) if details.transaction.status == part.payment.state.as_str() => {}
                Ok(details) => violations.push(format!(
                    "I6: getTransactionDetails says {} for ANCV payment {} ({})",
                    details.transaction.status, part.payment.payment_id, part.payment.state
                )),
                Err(no) => violations.push(format!(
                    "I6: getTransactionDetails does not know ANCV payment {}: {}",
                    part.payment.payment_id, no.message
                )),
            }
        }
        for told in &flow.merchant.told {
            if let Some(false_claim) = self.false_claim(told) {
                violations.push(format!("I6: {false_claim}"));
            }
        }
        for changed in self.changes_to_tell() {
            if !world.notifications.received("TRS", &changed) {
                violations.push(format!(
                    "I6: the merchant was never told (TRS) that transaction {changed} changed"
                ));
            }
        }
        Ok(())
    }

    /// The transactions whose later changes the merchant must hear of: refunds and resets done
    /// at its request, and an accepted ANCV part that ANCV rejected afterwards.
    fn changes_to_tell(&self) -> Vec<String> {
        let session = &self.session.payment.session;
        let card_operations = self
            .cards
            .iter()
            .flat_map(|c| c.operations.iter())
            .filter(|op| {
                op.state == OperationState::Done
                    && op.initiator == Initiator::Merchant
                    && op.kind != card::OperationKind::Capture
            });
        let ancv_refunds = self
            .ancv
            .iter()
            .flat_map(|p| p.refunds.iter())
            .filter(|r| r.state == "DONE");
        let rejected_after_acceptance = self.ancv.iter().filter(|p| {
            session.state == SessionState::Accepted
                && session.ancv_payment_id.as_deref() == Some(p.payment.payment_id.as_str())
                && p.payment.state == AncvPaymentState::Rejected
        });
        card_operations
            .map(|op| op.id.clone())
            .chain(ancv_refunds.map(|r| r.id.clone()))
            .chain(rejected_after_acceptance.map(|p| p.payment.payment_id.clone()))
            .collect()
    }

    /// Whether an after-sale answer says something the ledgers contradict.
    fn false_claim(&self, told: &Told) -> Option<String> {
        let made = told.transaction_id.as_deref()?;
        if told.code == ReturnCode::InProgress.code() {
            // Still under way when answered: its end is checked by I5 and I4.
            return None;
        }
        let accepted = told.code == ReturnCode::Accepted.code();
        let card_operation = self
            .cards
            .iter()
            .flat_map(|c| c.operations.iter())
            .find(|op| op.id == made);
        if let Some(op) = card_operation {
            let done = op.state == OperationState::Done;
            return (accepted != done).then(|| {
                format!(
                    "the merchant was told {} for {:?}, but operation {made} is {}",
                    told.code,
                    told.call,
                    op.state.as_str()
                )
            });
        }
        let refund = self
            .ancv
            .iter()
            .flat_map(|p| p.refunds.iter().map(move |r| (p, r)))
            .find(|(_, r)| r.id == made);
        if let Some((part, refund)) = refund {
            let done = refund.state == "DONE"
                && part.at_ancv.map(|(s, _)| s) == Some(AncvState::Cancelled);
            return (accepted != done).then(|| {
                format!(
                    "the merchant was told {} for {:?}, but ANCV refund {made} is {} ({:?} at ANCV)",
                    told.code, told.call, refund.state, part.at_ancv
                )
            });
        }
        Some(format!(
            "the merchant was told of a transaction {made} that does not exist ({:?})",
            told.call
        ))
    }
}
