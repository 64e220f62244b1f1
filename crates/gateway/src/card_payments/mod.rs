//! Card payments, cvgate's side: used by the hosted page (card form, complementary payment after
//! ANCV) and by doAuthorization; captures, resets and refunds; the daily remittance.
//!
//! - The card data is checked first; a failure names the field and creates nothing.
//! - The transaction row (PENDING, masked number, card type, expiry) is written before the
//!   acquirer is called, together with the [`RECONCILE_JOB`] that finds out the outcome if the
//!   request dies before it learns it; the answer is applied after, forward-only, in short units
//!   of work: no database transaction is open during a call. The PAN and CVV exist only in
//!   memory, for the call, and are dropped right after it.
//! - An unknown outcome (timeout after sending) is reconciled by asking the acquirer for the
//!   reference's status, never by authorizing again.
//! - Every change of a transaction's state is told to the [`CardPaymentObserver`] (the web
//!   payment session) inside the unit of work that records it.
//! - A web payment session (the attempt group) gets at most [`MAX_ATTEMPTS`] attempts, one at a
//!   time, and none once one is accepted.
//! - Operations (capture, reset, refund) are checked against cvgate's view with the same rules as
//!   the acquirer ([`card::ledger`]), recorded with the [`OPERATION_JOB`] that finishes them, sent
//!   with their own id (the acquirer's idempotency key), then applied; the acquirer's amounts
//!   become cvgate's. An operation made for a merchant request with a sequenceNumber carries its
//!   key: a repeat finds it instead of making another.

mod authorization;
mod background;
mod model;
mod operations;
mod remittance;
mod rows;
mod service;

pub use authorization::PreparedPayment;
pub use model::{
    CardOperation, CardPaymentError, CardPaymentObserver, CardPaymentsConfig, CardTransaction,
    Initiator, MAX_ATTEMPTS, OPERATION_JOB, OperationOrder, OperationReport, OperationState,
    OperationStatus, PayRequest, PaymentState, RECONCILE_JOB, REMITTANCE_JOB, REMITTANCE_SUBJECT,
    RemittanceReport,
};
pub(crate) use rows::{operation_from_row, transaction_from_row};
pub use service::CardPayments;
